import { CreateOrderResponse, MyPointsResponse, RefundResponse } from '@careloop/shared'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'

/**
 * Membership with the real points ledger and tiers (no fakes): a purchase lifts the tier and earns
 * the membership points once, however often the notify comes; a full refund drops the tier and
 * takes the points back.
 */
const h = useStaffHarness({ paySim: { refunds: 'manual' } })

const sim = async (path: string, body: unknown): Promise<{ notify?: { status: number } }> => {
  const res = await fetch(`${h.paySim!.url}${path}`, { method: 'POST', body: JSON.stringify(body) })
  return (await res.json()) as { notify?: { status: number } }
}

it('buying lifts the tier and earns once; a full refund drops the tier and takes the points back', async () => {
  await h.seedStaff()
  const admin = (await h.staffLogin('admin')).accessToken
  const me = await consentingPatient(h, 'ledger-member')
  const myPoints = async () =>
    MyPointsResponse.parse((await h.request('GET', '/api/v1/me/points', { token: me.token })).body)
  const before = await myPoints()
  expect(before.tier).toMatchObject({ id: 'standard', source: 'points' })

  const r = await h.request('POST', '/api/v1/me/membership/orders', {
    token: me.token,
    body: { planCode: 'monthly', requestId: 'ledger-order-1' },
  })
  const { order, payParams } = CreateOrderResponse.parse(r.body)
  expect((await sim(`/_sim/pay/${order.outTradeNo}/pay`, payParams)).notify).toMatchObject({ status: 204 })
  for (let i = 0; i < 5; i++) await sim('/_sim/pay/notify/redeliver', { outTradeNo: order.outTradeNo })

  const after = await myPoints()
  expect(after.tier).toMatchObject({ id: 'gold', source: 'membership' })
  expect(after.balance).toBeGreaterThan(before.balance)
  const earned = after.balance - before.balance

  const refund = RefundResponse.parse(
    (
      await h.request('POST', `/api/v1/staff/orders/${order.id}/refunds`, {
        token: admin,
        body: { amountFen: 2990, reason: '全额退款', requestId: 'ledger-refund-1' },
      })
    ).body,
  )
  expect(earned).toBe(refund.order.pointsAwarded)
  expect(
    (await sim(`/_sim/pay/refunds/${refund.refund.outRefundNo}/result`, { status: 'SUCCESS' })).notify,
  ).toMatchObject({
    status: 204,
  })
  const refunded = await myPoints()
  expect(refunded.tier).toMatchObject({ id: 'standard', source: 'points' })
  expect(refunded.balance).toBe(before.balance)
})
