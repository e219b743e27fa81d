import { ErrorBody, MembershipPlansResponse } from '@careloop/shared'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'

/** Without WECHATPAY_* the plans are readable; ordering and the notify answer 503 PAY_NOT_CONFIGURED. */
const h = useServerHarness()

it('answers 503 PAY_NOT_CONFIGURED on ordering, and FAIL on the notify route', async () => {
  const me = await consentingPatient(h, 'no-pay-patient')
  const plans = await h.request('GET', '/api/v1/me/membership/plans', { token: me.token })
  expect(MembershipPlansResponse.parse(plans.body).plans.length).toBeGreaterThan(0)
  const order = await h.request('POST', '/api/v1/me/membership/orders', {
    token: me.token,
    body: { planCode: 'monthly', requestId: 'no-pay-order-1' },
  })
  expect(order.status).toBe(503)
  expect(ErrorBody.parse(order.body).error.code).toBe('PAY_NOT_CONFIGURED')
  const notify = await h.request('POST', '/api/v1/pay/notify', { body: { id: 'EV-1' } })
  expect([notify.status, notify.body]).toEqual([503, { code: 'FAIL', message: '失败' }])
  const status = await h.request('GET', '/api/v1/me/membership', { token: me.token })
  expect(status.body).toMatchObject({ active: false, quotas: [] })
})
