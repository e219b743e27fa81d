import {
  AppError,
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type ConsentsResponse,
  type SetConsentRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { AuditLog } from '../audit/audit.repo'
import { consentsOf, type PatientRepo, type PatientRow } from '../patients/patient.repo'
import type { ConsentRepo } from './consent.repo'
import { PRIVACY_POLICY } from './privacy-policy'

/** Care consent counts only when given to the current policy version. */
export const hasCareConsent = (p: Pick<PatientRow, 'consents' | 'erasedAt'>): boolean => {
  if (p.erasedAt) return false
  const care = consentsOf(p).care
  return care?.granted === true && care.policyVersion === PRIVACY_POLICY.version
}

/**
 * May this patient receive a message of this purpose now? The push engine asks before every send:
 * care reminders need care consent; marketing needs care and marketing consent; research contact
 * needs care and research consent. Erased profiles never receive anything.
 */
export const mayContact = (
  p: Pick<PatientRow, 'consents' | 'erasedAt'>,
  purpose: ConsentPurpose,
): boolean => {
  if (!hasCareConsent(p)) return false
  return purpose === 'care' || consentsOf(p)[purpose]?.granted === true
}

export interface ConsentService {
  get(profile: PatientRow): Promise<ConsentsResponse>
  set(input: {
    accountId: string
    profile: PatientRow
    request: SetConsentRequest
    requestId: string
    ip: string
  }): Promise<ConsentsResponse>
}

export const createConsentService = (deps: {
  consents: ConsentRepo
  patients: PatientRepo
  audit: AuditLog
  clock: Clock
}): ConsentService => {
  const view = async (profileId: string): Promise<ConsentsResponse> => {
    const history = await deps.consents.history(profileId)
    const current = Object.fromEntries(
      CONSENT_PURPOSES.map((purpose) => {
        const last = history.find((e) => e.purpose === purpose)
        return [
          purpose,
          last
            ? { granted: last.granted, policyVersion: last.policyVersion, at: last.at.toISOString() }
            : { granted: false, policyVersion: null, at: null },
        ]
      }),
    ) as ConsentsResponse['current']
    return {
      policyVersion: PRIVACY_POLICY.version,
      current,
      history: history.map((e) => ({
        purpose: e.purpose,
        granted: e.granted,
        policyVersion: e.policyVersion,
        at: e.at.toISOString(),
        by: e.by,
      })),
    }
  }
  return {
    get: (profile) => view(profile._id.toHexString()),
    async set({ accountId, profile, request, requestId, ip }) {
      if (request.granted && request.policyVersion !== PRIVACY_POLICY.version)
        throw new AppError(
          'POLICY_VERSION_STALE',
          `The privacy policy is now version ${PRIVACY_POLICY.version}; show it again before asking for consent`,
          { currentVersion: PRIVACY_POLICY.version },
        )
      const profileId = profile._id.toHexString()
      const state = consentsOf(profile)[request.purpose]
      // A retry of the same decision changes nothing (no second event, no second audit entry).
      if (state && state.granted === request.granted && state.policyVersion === request.policyVersion)
        return view(profileId)
      const at = deps.clock.now()
      const by = profile.relation === 'self' ? 'self' : 'proxy'
      // The event is the record; the state on the profile is derived from it (and repaired from it).
      await deps.consents.append({ patientId: profileId, accountId, ...request, by, at })
      await deps.patients.setConsentState(profileId, request.purpose, {
        granted: request.granted,
        policyVersion: request.policyVersion,
        at,
        by,
      })
      await deps.audit.record({
        actor: { kind: 'patient', id: accountId },
        action: request.granted ? 'consent.grant' : 'consent.withdraw',
        patientId: profileId,
        detail: { purpose: request.purpose, policyVersion: request.policyVersion, by },
        ip,
        requestId,
      })
      return view(profileId)
    },
  }
}
