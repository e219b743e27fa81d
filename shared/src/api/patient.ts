import { z } from '../zod'
import { Account, ObjectIdString, Patient, ProfileFields, Relation } from './auth'
import { defineRoute } from './route'

/** Family profiles one account may manage besides its own (F2). */
export const MAX_FAMILY_PROFILES = 5

export const CreateProfileRequest = ProfileFields.extend({
  relation: Relation.exclude(['self']),
  /** The caller confirms the family member (or their guardian) agreed to be managed by this account. */
  proxyConsent: z.literal(true, { errorMap: () => ({ message: 'proxyConsent must be true' }) }),
})
  .strict()
  .openapi('CreateProfileRequest')
export type CreateProfileRequest = z.infer<typeof CreateProfileRequest>

export const ProfilesResponse = z
  .object({ activeProfileId: ObjectIdString, profiles: z.array(Patient) })
  .openapi('ProfilesResponse')
export type ProfilesResponse = z.infer<typeof ProfilesResponse>

export const ProfileIdParams = z.object({ id: ObjectIdString })

// ---- consent (F3) ----------------------------------------------------------------------------

export const CONSENT_PURPOSES = ['care', 'marketing', 'research'] as const
export const ConsentPurpose = z.enum(CONSENT_PURPOSES)
export type ConsentPurpose = z.infer<typeof ConsentPurpose>

export const PrivacyPolicy = z
  .object({
    version: z.string(),
    effectiveAt: z.string().datetime(),
    title: z.string(),
    sections: z.array(z.object({ heading: z.string(), body: z.string() })),
    purposes: z.array(
      z.object({
        purpose: ConsentPurpose,
        title: z.string(),
        description: z.string(),
        required: z.boolean(),
      }),
    ),
  })
  .openapi('PrivacyPolicy')
export type PrivacyPolicy = z.infer<typeof PrivacyPolicy>

export const ConsentEvent = z.object({
  purpose: ConsentPurpose,
  granted: z.boolean(),
  policyVersion: z.string(),
  at: z.string().datetime(),
  /** `self`, or `proxy` when the managing account acted for a family member. */
  by: z.enum(['self', 'proxy']),
})
export type ConsentEvent = z.infer<typeof ConsentEvent>

export const ConsentsResponse = z
  .object({
    policyVersion: z.string(),
    current: z.record(
      ConsentPurpose,
      z.object({
        granted: z.boolean(),
        policyVersion: z.string().nullable(),
        at: z.string().datetime().nullable(),
      }),
    ),
    history: z.array(ConsentEvent),
  })
  .openapi('ConsentsResponse')
export type ConsentsResponse = z.infer<typeof ConsentsResponse>

export const SetConsentRequest = z
  .object({
    purpose: ConsentPurpose,
    granted: z.boolean({ required_error: 'granted is required' }),
    /** The policy version the patient saw; granting requires the current one. */
    policyVersion: z.string().min(1).max(32),
  })
  .strict()
  .openapi('SetConsentRequest')
export type SetConsentRequest = z.infer<typeof SetConsentRequest>

// ---- my data (F5) ----------------------------------------------------------------------------

export const ExportResponse = z
  .object({
    exportedAt: z.string().datetime(),
    account: Account.extend({
      phone: z.string().nullable(),
      unionid: z.string().nullable(),
      createdAt: z.string().datetime(),
    }),
    profile: Patient.extend({ idNumber: z.string().nullable() }),
    consents: z.array(ConsentEvent),
    sessions: z.array(
      z.object({ createdAt: z.string().datetime(), expiresAt: z.string().datetime(), revoked: z.boolean() }),
    ),
  })
  .openapi('ExportResponse')
export type ExportResponse = z.infer<typeof ExportResponse>

export const patientRoutes = {
  listProfiles: defineRoute({
    id: 'listProfiles',
    method: 'get',
    path: '/api/v1/profiles',
    summary: 'Profiles this account manages (its own and family members)',
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    response: ProfilesResponse,
  }),
  createProfile: defineRoute({
    id: 'createProfile',
    method: 'post',
    path: '/api/v1/profiles',
    summary: `Add a family member profile (at most ${MAX_FAMILY_PROFILES})`,
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    body: CreateProfileRequest,
    response: ProfilesResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'FAMILY_LIMIT_REACHED'],
  }),
  activateProfile: defineRoute({
    id: 'activateProfile',
    method: 'post',
    path: '/api/v1/profiles/:id/activate',
    summary: 'Switch the active profile (patient-scoped calls act on it)',
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    params: ProfileIdParams,
    response: ProfilesResponse,
    errors: ['PROFILE_NOT_FOUND'],
  }),
  deleteProfile: defineRoute({
    id: 'deleteProfile',
    method: 'delete',
    path: '/api/v1/profiles/:id',
    summary: "Remove a family member's profile and erase its personal data",
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    params: ProfileIdParams,
    response: ProfilesResponse,
    errors: ['PROFILE_NOT_FOUND', 'PROFILE_IS_SELF'],
  }),
  privacyPolicy: defineRoute({
    id: 'privacyPolicy',
    method: 'get',
    path: '/api/v1/privacy-policy',
    summary: 'The current privacy policy and the consent purposes',
    tag: 'consent',
    auth: 'public',
    response: PrivacyPolicy,
  }),
  getConsents: defineRoute({
    id: 'getConsents',
    method: 'get',
    path: '/api/v1/me/consents',
    summary: "The active profile's consents and their history",
    tag: 'consent',
    auth: 'patient',
    beforeConsent: true,
    response: ConsentsResponse,
  }),
  setConsent: defineRoute({
    id: 'setConsent',
    method: 'post',
    path: '/api/v1/me/consents',
    summary: 'Grant or withdraw consent for one purpose (kept with version and time)',
    tag: 'consent',
    auth: 'patient',
    beforeConsent: true,
    body: SetConsentRequest,
    response: ConsentsResponse,
    errors: ['VALIDATION_FAILED', 'POLICY_VERSION_STALE'],
  }),
  exportMyData: defineRoute({
    id: 'exportMyData',
    method: 'get',
    path: '/api/v1/me/export',
    summary: 'Everything held about the active profile, as JSON',
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    response: ExportResponse,
  }),
  eraseAccount: defineRoute({
    id: 'eraseAccount',
    method: 'delete',
    path: '/api/v1/me/account',
    summary: 'Erase the account: personal data of every profile removed, tokens revoked, aggregates kept',
    tag: 'patient',
    auth: 'patient',
    beforeConsent: true,
    response: z.null(),
    status: 204,
  }),
}
