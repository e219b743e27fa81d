import type { ConsentPurpose, ConsentsResponse, PrivacyPolicy } from '@careloop/shared'

import { api } from '../api/endpoints'

/** The purposes a patient may choose (not the required care consent), in the policy's order. */
export const optionalPurposes = (policy: PrivacyPolicy) => policy.purposes.filter((p) => !p.required)

/**
 * Accepts the policy for the active profile: the required purposes first (care makes the service
 * usable), then the optional ones the patient ticked. Each is a separate, recorded consent.
 */
export async function acceptPolicy(
  policy: PrivacyPolicy,
  optIn: readonly ConsentPurpose[],
): Promise<ConsentsResponse> {
  const purposes = [
    ...policy.purposes.filter((p) => p.required).map((p) => p.purpose),
    ...optIn.filter((p) => policy.purposes.some((q) => q.purpose === p && !q.required)),
  ]
  let last: ConsentsResponse | null = null
  for (const purpose of purposes) {
    last = await api.setConsent({ purpose, granted: true, policyVersion: policy.version })
  }
  if (!last) throw new Error('the policy lists no purposes')
  return last
}

/** Grants or withdraws one purpose under the current policy version. */
export const setConsent = (policy: PrivacyPolicy, purpose: ConsentPurpose, granted: boolean) =>
  api.setConsent({ purpose, granted, policyVersion: policy.version })
