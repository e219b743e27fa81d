import { hasCareConsent, mayContact } from './consent.service'
import { PRIVACY_POLICY } from './privacy-policy'

const at = new Date('2026-11-20T02:00:00Z')
const state = (granted: boolean, policyVersion = PRIVACY_POLICY.version) => ({
  granted,
  policyVersion,
  at,
  by: 'self' as const,
})
const profile = (consents: Record<string, ReturnType<typeof state>>, erasedAt: Date | null = null) => ({
  consents,
  erasedAt,
})

describe('may this patient receive a message of purpose X now?', () => {
  it('care needs care consent to the current policy version', () => {
    expect(mayContact(profile({ care: state(true) }), 'care')).toBe(true)
    expect(mayContact(profile({}), 'care')).toBe(false)
    expect(mayContact(profile({ care: state(false) }), 'care')).toBe(false)
    expect(mayContact(profile({ care: state(true, '2020-01') }), 'care')).toBe(false)
    expect(hasCareConsent(profile({ care: state(true, '2020-01') }))).toBe(false)
  })

  it('marketing and research need their own consent on top of care', () => {
    expect(mayContact(profile({ care: state(true) }), 'marketing')).toBe(false)
    expect(mayContact(profile({ care: state(true), marketing: state(true) }), 'marketing')).toBe(true)
    expect(mayContact(profile({ care: state(true), marketing: state(false) }), 'marketing')).toBe(false)
    expect(mayContact(profile({ care: state(false), marketing: state(true) }), 'marketing')).toBe(false)
    expect(mayContact(profile({ care: state(true), research: state(true) }), 'research')).toBe(true)
    expect(mayContact(profile({ care: state(true), marketing: state(true) }), 'research')).toBe(false)
  })

  it('an erased profile receives nothing, and Map-shaped states (mongoose documents) are read too', () => {
    expect(mayContact(profile({ care: state(true), marketing: state(true) }, at), 'care')).toBe(false)
    expect(mayContact({ consents: new Map([['care', state(true)]]), erasedAt: null }, 'care')).toBe(true)
  })
})
