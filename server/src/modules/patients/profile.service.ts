import {
  AppError,
  MAX_FAMILY_PROFILES,
  type Account,
  type CreateProfileRequest,
  type ExportResponse,
  type MeResponse,
  type ProfilesResponse,
  type UpdateMeRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PatientPrincipal } from '../../http/context'
import { WechatApiError } from '../../platform/wechat/wechat-client'
import { maskIdNumber, maskPhone, type PiiCrypto } from '../../privacy/pii-crypto'
import type { AccountRepo, AccountRow } from '../accounts/account.repo'
import type { AuditLog } from '../audit/audit.repo'
import type { SessionRepo } from '../auth/session.repo'
import type { ConsentRepo } from '../consent/consent.repo'
import { hasCareConsent } from '../consent/consent.service'
import { toPatient, type PatientRepo, type PatientRow, type StoredIdNumber } from './patient.repo'

/** The AAD that binds a phone ciphertext to its account (a copied ciphertext will not decrypt elsewhere). */
export const phoneAad = (accountId: string): string => `account:${accountId}:phone`

/** The AAD that binds an ID-number ciphertext to its profile. */
export const idNumberAad = (profileId: string): string => `patient:${profileId}:idNumber`

export const decryptPhone = (pii: PiiCrypto, a: AccountRow): string | null =>
  a.phone ? pii.decrypt(a.phone, phoneAad(a._id.toHexString())) : null

export const toAccount = (a: AccountRow, active: PatientRow, pii?: PiiCrypto): Account => {
  const phone = pii ? decryptPhone(pii, a) : null
  return {
    id: a._id.toHexString(),
    phone: phone ? maskPhone(phone) : null,
    activeProfileId: active._id.toHexString(),
  }
}

/** Erases a profile's data held by another module (WeCom identities …); idempotent. */
export interface PatientDataEraser {
  /** `unionid`: the account's, when `profileId` is the account's own profile. */
  eraseProfile(profileId: string, o: { unionid: string | null; at: Date }): Promise<void>
}

export interface PhoneSource {
  phoneNumber(code: string): Promise<{ phone: string; countryCode: string }>
}

export interface ProfileService {
  /** The guard's resolution: the active profile of the account, checked to be one it manages. */
  resolve(accountId: string): Promise<{ account: AccountRow; profile: PatientRow }>
  /** The profile the guard already resolved for this request (one scoped read, no re-resolution). */
  active(p: PatientPrincipal): Promise<PatientRow>
  me(p: PatientPrincipal): Promise<MeResponse>
  update(p: PatientPrincipal, body: UpdateMeRequest): Promise<MeResponse>
  list(p: PatientPrincipal): Promise<ProfilesResponse>
  create(p: PatientPrincipal, body: CreateProfileRequest): Promise<ProfilesResponse>
  activate(p: PatientPrincipal, profileId: string): Promise<ProfilesResponse>
  remove(
    p: PatientPrincipal,
    profileId: string,
    meta: { requestId: string; ip: string },
  ): Promise<ProfilesResponse>
  bindPhone(p: PatientPrincipal, code: string, meta: { requestId: string; ip: string }): Promise<MeResponse>
  exportData(p: PatientPrincipal): Promise<ExportResponse>
  eraseAccount(p: PatientPrincipal, meta: { requestId: string; ip: string }): Promise<void>
}

export const createProfileService = (deps: {
  accounts: AccountRepo
  patients: PatientRepo
  sessions: SessionRepo
  consents: ConsentRepo
  audit: AuditLog
  pii: PiiCrypto
  phones: PhoneSource
  clock: Clock
  /** Other modules' erasure of a profile's data (run before the profile itself is blanked). */
  erasers?: PatientDataEraser[]
}): ProfileService => {
  const { accounts, patients, pii } = deps

  const resolve = async (accountId: string): Promise<{ account: AccountRow; profile: PatientRow }> => {
    const account = await accounts.findById(accountId)
    if (!account || account.erasedAt)
      throw new AppError('AUTH_TOKEN_INVALID', 'This account no longer exists')
    const active = account.activeProfileId
      ? await patients.findForAccount(accountId, account.activeProfileId.toHexString())
      : null
    // A removed active profile falls back to the account's own profile.
    const profile = active ?? (await patients.ensureSelfProfile(accountId))
    if (!active) await accounts.setActiveProfile(accountId, profile._id.toHexString())
    return { account, profile }
  }

  const profilesView = async (accountId: string): Promise<ProfilesResponse> => {
    const { profile } = await resolve(accountId)
    const all = await patients.listByAccount(accountId)
    return { activeProfileId: profile._id.toHexString(), profiles: all.map(toPatient) }
  }

  const me = async (accountId: string): Promise<MeResponse> => {
    const { account, profile } = await resolve(accountId)
    const all = await patients.listByAccount(accountId)
    return {
      account: toAccount(account, profile, pii),
      patient: toPatient(profile),
      profiles: all.map(toPatient),
      careConsent: hasCareConsent(profile),
    }
  }

  /** Encrypts an ID number for a profile (bound to it by the AAD); passes undefined/null through. */
  const storeId = (profileId: string, id: string | null | undefined): StoredIdNumber | null | undefined =>
    id === undefined || id === null
      ? id
      : {
          enc: pii.encrypt(id, idNumberAad(profileId)),
          index: pii.blindIndex('id', id),
          masked: maskIdNumber(id),
        }

  const mine = async (accountId: string, profileId: string): Promise<PatientRow> => {
    const p = await patients.findForAccount(accountId, profileId)
    // 404 for someone else's profile too: existence never leaks across accounts.
    if (!p) throw new AppError('PROFILE_NOT_FOUND', 'No such profile in this account')
    return p
  }

  return {
    resolve,
    active: (p) => mine(p.accountId, p.profileId),
    me: (p) => me(p.accountId),
    async update(p, body) {
      const updated = await patients.updateFields(p.accountId, p.profileId, {
        ...body,
        idNumber: storeId(p.profileId, body.idNumber),
      })
      if (!updated) throw new AppError('PROFILE_NOT_FOUND', 'No such profile in this account')
      return me(p.accountId)
    },
    list: (p) => profilesView(p.accountId),
    async create(p, body) {
      // A retried request (flaky mobile network) must not add the same family member twice: the same
      // relation and name within one account is the same person.
      const existing = await patients.listByAccount(p.accountId)
      if (existing.some((x) => x.relation === body.relation && x.name === body.name))
        return profilesView(p.accountId)
      if ((await patients.countFamily(p.accountId)) >= MAX_FAMILY_PROFILES)
        throw new AppError(
          'FAMILY_LIMIT_REACHED',
          `An account can manage at most ${MAX_FAMILY_PROFILES} family members`,
        )
      const { relation, proxyConsent: _proxyConsent, idNumber, ...fields } = body
      const created = await patients.createFamily(p.accountId, relation, fields)
      if (idNumber)
        await patients.updateFields(p.accountId, created._id.toHexString(), {
          ...fields,
          idNumber: storeId(created._id.toHexString(), idNumber),
        })
      return profilesView(p.accountId)
    },
    async activate(p, profileId) {
      await mine(p.accountId, profileId)
      await accounts.setActiveProfile(p.accountId, profileId)
      return profilesView(p.accountId)
    },
    async remove(p, profileId, meta) {
      const target = await mine(p.accountId, profileId)
      if (target.relation === 'self')
        throw new AppError('PROFILE_IS_SELF', 'Your own profile cannot be removed; erase the account instead')
      for (const e of deps.erasers ?? [])
        await e.eraseProfile(profileId, { unionid: null, at: deps.clock.now() })
      await patients.erase(profileId, deps.clock.now())
      await deps.audit.record({
        actor: { kind: 'patient', id: p.accountId },
        action: 'profile.erase',
        patientId: profileId,
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return profilesView(p.accountId)
    },
    async bindPhone(p, code, meta) {
      let phone: string
      try {
        phone = (await deps.phones.phoneNumber(code)).phone
      } catch (e) {
        if (e instanceof WechatApiError && (e.errcode === 40029 || e.errcode === 47001))
          throw new AppError(
            'PHONE_CODE_INVALID',
            'The phone code is invalid, used or expired; ask the patient to tap again',
          )
        if (e instanceof WechatApiError && e.errcode === -1)
          throw new AppError('UPSTREAM_BUSY', 'WeChat is busy; retry shortly')
        throw e
      }
      await accounts.setPhone(
        p.accountId,
        pii.encrypt(phone, phoneAad(p.accountId)),
        pii.blindIndex('phone', phone),
      )
      await deps.audit.record({
        actor: { kind: 'patient', id: p.accountId },
        action: 'account.phone_bind',
        patientId: p.profileId,
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return me(p.accountId)
    },
    async exportData(p) {
      const { account, profile } = await resolve(p.accountId)
      const [history, sessions] = await Promise.all([
        deps.consents.history(profile._id.toHexString()),
        deps.sessions.listByAccount(p.accountId),
      ])
      return {
        exportedAt: deps.clock.now().toISOString(),
        account: {
          ...toAccount(account, profile),
          // the patient's own export carries the full phone (it is their data)
          phone: decryptPhone(pii, account),
          unionid: account.unionid ?? null,
          createdAt: account.createdAt.toISOString(),
        },
        profile: {
          ...toPatient(profile),
          idNumber: profile.idNumber
            ? pii.decrypt(profile.idNumber, idNumberAad(profile._id.toHexString()))
            : null,
        },
        consents: history.map((e) => ({
          purpose: e.purpose,
          granted: e.granted,
          policyVersion: e.policyVersion,
          at: e.at.toISOString(),
          by: e.by,
        })),
        sessions: sessions.map((s) => ({
          createdAt: s.createdAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          revoked: s.revokedAt !== null || s.rotatedAt !== null,
        })),
      }
    },
    async eraseAccount(p, meta) {
      const at = deps.clock.now()
      // Order matters for a retry after a crash: tokens first (no more access), then profiles, then
      // the account's identifiers. Each step is idempotent, so a retry completes the erasure.
      await deps.sessions.revokeAccount(p.accountId, at)
      const unionid = (await accounts.findById(p.accountId))?.unionid ?? null
      for (const prof of await patients.listByAccount(p.accountId)) {
        for (const e of deps.erasers ?? [])
          await e.eraseProfile(prof._id.toHexString(), {
            unionid: prof.relation === 'self' ? unionid : null,
            at,
          })
        await patients.erase(prof._id.toHexString(), at)
      }
      await accounts.erase(p.accountId, at)
      await deps.audit.record({
        actor: { kind: 'patient', id: p.accountId },
        action: 'account.erase',
        ip: meta.ip,
        requestId: meta.requestId,
      })
    },
  }
}
