import { AppError } from '@careloop/shared'
import type { PatientPrincipal } from '../../http/context'
import { hasCareConsent } from '../consent/consent.service'
import type { PatientRepo, PatientRow } from './patient.repo'

/**
 * The profile a patient-side call acts for when the request names one (`patientId`): one the calling
 * account manages (its own or a family member's, F2), else 404 PROFILE_NOT_FOUND — another account's
 * profile looks exactly like one that does not exist. Without `patientId`, the active profile. The
 * profile must have care consent to the current policy (403 CONSENT_REQUIRED): the guard checked the
 * active profile, this checks the one named.
 */
export const resolveMyProfile = async (
  patients: Pick<PatientRepo, 'findForAccount'>,
  p: PatientPrincipal,
  patientId?: string,
): Promise<PatientRow> => {
  const profile = await patients.findForAccount(p.accountId, patientId ?? p.profileId)
  if (!profile) throw new AppError('PROFILE_NOT_FOUND', 'No such profile in this account')
  if (!hasCareConsent(profile))
    throw new AppError(
      'CONSENT_REQUIRED',
      'This profile has not given care consent to the current privacy policy',
    )
  return profile
}
