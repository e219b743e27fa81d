import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import MemberPage from '../../src/pkg-member/index/index'
import OrderPage from '../../src/pkg-member/order/index'
import OrdersPage from '../../src/pkg-member/orders/index'
import { platform, PlatformError } from '../../src/platform'
import { confirmPayment } from '../../src/services/membership'
import { __setRouterParams } from '../__mocks__/taro'
import { fakeApi, logIn, ok } from '../fake-api'
import {
  goldMembership,
  monthly,
  myPoints,
  noMembership,
  ORDER_ID,
  order,
  paid,
  payParams,
} from '../loyalty-fixtures'
import { taro } from '../taro-mock'

const click = (el: Element | null) => fireEvent.click(el!)

const yearly = {
  ...monthly,
  code: 'yearly',
  name: '年度会员',
  period: 'year' as const,
  priceFen: 29900,
  tier: 'platinum' as const,
  quotas: [{ kind: 'nurse_consult' as const, perMonth: 3 }],
  benefits: '铂金会员：积分加速、消息优先回复；每月护士咨询 3 次',
  sort: 20,
}

const memberRoutes = (extra: Parameters<typeof fakeApi>[0] = {}) =>
  fakeApi({
    'GET /api/v1/me/membership/plans': ok({ plans: [yearly, monthly] }),
    'GET /api/v1/me/membership': ok(noMembership),
    'GET /api/v1/me/points': ok(myPoints()),
    ...extra,
  })

describe('会员中心', () => {
  beforeEach(logIn)
  afterEach(() => jest.restoreAllMocks())

  it('shows the plans (月度 / 年度, price, tier, benefits, quotas) and the status card', async () => {
    memberRoutes()
    const { container } = render(<MemberPage />)
    await screen.findByText('会员方案')
    const plans = [...container.querySelectorAll('.plan-card')]
    expect(plans.map((p) => p.querySelector('.plan-name')?.textContent)).toEqual(['月度会员', '年度会员'])
    expect(plans[0]!.querySelector('.plan-price-value')?.textContent).toBe('¥29.90')
    expect(plans[0]!.querySelector('.plan-price-unit')?.textContent).toBe('/月')
    expect(plans[1]!.querySelector('.plan-price-unit')?.textContent).toBe('/年')
    expect(plans[0]!.querySelector('.plan-tier')?.textContent).toBe('金卡会员')
    expect(plans[0]!.textContent).toContain('每月护士咨询 2 次')
    expect(plans[0]!.textContent).toContain('金卡会员：积分加速、消息优先回复')
    expect(container.querySelector('.member-status-plan')?.textContent).toBe('普通会员')
  })

  it('shows an active membership with valid-until and the quotas used and left', async () => {
    memberRoutes({
      'GET /api/v1/me/membership': ok(goldMembership),
      'GET /api/v1/me/points': ok(
        myPoints({
          tier: { id: 'gold', name: '金卡会员', multiplier: 1.2, benefits: [], source: 'membership' },
        }),
      ),
    })
    const { container } = render(<MemberPage />)
    await screen.findByText('会员方案')
    expect(container.querySelector('.member-status-plan')?.textContent).toBe('月度会员')
    expect(container.querySelector('.member-tier-badge')?.textContent).toBe('金卡会员')
    expect(container.querySelector('.member-until')?.textContent).toMatch(/^有效期至 2026年6月[23]日$/)
    expect(container.querySelector('.quota-nurse_consult')?.textContent).toBe(
      '护士咨询（本月）已用 0 次 · 剩余 2 次',
    )
    expect(container.querySelector('.plan-monthly .plan-buy')?.textContent).toBe('续费月度会员')
  })

  it('pays through the platform adapter, then opens the receipt to confirm with the server', async () => {
    const sent = memberRoutes({
      'POST /api/v1/me/membership/orders': {
        status: 201,
        data: { order: order(), payParams, duplicate: false },
      },
    })
    const pay = jest.spyOn(platform, 'requestPayment').mockResolvedValue('ok')
    const { container } = render(<MemberPage />)
    await screen.findByText('会员方案')
    click(container.querySelector('.plan-monthly .plan-buy'))
    click(container.querySelector('.plan-monthly .plan-buy'))
    await waitFor(() =>
      expect(taro.navigateTo).toHaveBeenCalledWith({
        url: `/pkg-member/order/index?id=${ORDER_ID}&confirm=1`,
      }),
    )
    const posts = sent.filter((r) => r.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0]!.data).toEqual({
      planCode: 'monthly',
      requestId: expect.stringMatching(/^mo-/) as unknown,
    })
    expect(pay).toHaveBeenCalledTimes(1)
    expect(pay).toHaveBeenCalledWith({
      ...payParams,
      outTradeNo: 'CL20260502ABCDEF',
      amountFen: 2990,
      description: 'CareLoop 月度会员',
    })
  })

  it('keeps a cancelled order unpaid and pays the same order on 继续支付', async () => {
    const sent = memberRoutes({
      'POST /api/v1/me/membership/orders': () => ({
        status: 201,
        data: { order: order(), payParams, duplicate: sent.filter((r) => r.method === 'POST').length > 1 },
      }),
    })
    const pay = jest
      .spyOn(platform, 'requestPayment')
      .mockResolvedValueOnce('cancel')
      .mockResolvedValueOnce('ok')
    const { container } = render(<MemberPage />)
    await screen.findByText('会员方案')
    click(container.querySelector('.plan-monthly .plan-buy'))
    await screen.findByText('订单待支付')
    expect(container.querySelector('.unpaid-desc')?.textContent).toContain('月度会员 · ¥29.90')
    expect(taro.navigateTo).not.toHaveBeenCalled()
    // no sync: the order was not paid
    expect(sent.some((r) => r.url.endsWith('/sync'))).toBe(false)

    click(container.querySelector('.pay-retry'))
    await waitFor(() =>
      expect(taro.navigateTo).toHaveBeenCalledWith({
        url: `/pkg-member/order/index?id=${ORDER_ID}&confirm=1`,
      }),
    )
    const ids = sent
      .filter((r) => r.method === 'POST')
      .map((r) => (r.data as { requestId: string }).requestId)
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])
    expect(pay).toHaveBeenCalledTimes(2)
  })

  it('says so when a payment fails in the platform, and keeps the order for another try', async () => {
    memberRoutes({
      'POST /api/v1/me/membership/orders': {
        status: 201,
        data: { order: order(), payParams, duplicate: false },
      },
    })
    jest.spyOn(platform, 'requestPayment').mockRejectedValue(new PlatformError('支付未完成，请稍后重试'))
    const { container } = render(<MemberPage />)
    await screen.findByText('会员方案')
    click(container.querySelector('.plan-monthly .plan-buy'))
    await screen.findByText('支付未完成，请稍后重试')
    expect(taro.navigateTo).not.toHaveBeenCalled()
  })
})

describe('订单详情 (receipt)', () => {
  beforeEach(logIn)

  it('after ok: syncs the order, then shows 支付成功, the new tier and the receipt', async () => {
    __setRouterParams({ id: ORDER_ID, confirm: '1' })
    const sent = fakeApi({
      [`POST /api/v1/me/orders/${ORDER_ID}/sync`]: ok(paid()),
      'GET /api/v1/me/membership': ok(goldMembership),
      'GET /api/v1/me/points': ok(
        myPoints({
          tier: { id: 'gold', name: '金卡会员', multiplier: 1.2, benefits: [], source: 'membership' },
        }),
      ),
    })
    const { container } = render(<OrderPage />)
    await screen.findByText('支付成功')
    expect(sent[0]).toMatchObject({ method: 'POST', url: `/api/v1/me/orders/${ORDER_ID}/sync` })
    expect(container.querySelector('.pay-success-sub')?.textContent).toBe(
      '您已开通月度会员，当前等级：金卡会员',
    )
    expect(container.querySelector('.new-tier')?.textContent).toBe('金卡会员')
    expect(container.querySelector('.receipt-amount')?.textContent).toBe('¥29.90')
    expect(container.querySelector('.receipt-transaction')?.textContent).toBe(
      '交易单号4200001234202605021234567890',
    )
    expect(container.querySelector('.receipt-trade-no')?.textContent).toContain('CL20260502ABCDEF')
    expect(container.querySelector('.receipt-status')?.textContent).toBe('已支付')
    expect(container.querySelector('.receipt-paid-at')).not.toBeNull()
  })

  it('shows 支付确认中 with 刷新 when the order is still unpaid after polling', async () => {
    jest.useFakeTimers()
    try {
      __setRouterParams({ id: ORDER_ID, confirm: '1' })
      const sent = fakeApi({
        [`POST /api/v1/me/orders/${ORDER_ID}/sync`]: ok(order()),
        [`GET /api/v1/me/orders/${ORDER_ID}`]: ok(order()),
      })
      const { container } = render(<OrderPage />)
      await screen.findByText('支付确认中', undefined, { timeout: 20_000 })
      expect(container.querySelector('.pay-confirming')?.textContent).toContain('无需重复支付')
      expect(container.querySelector('.pay-refresh')).not.toBeNull()
      expect(container.querySelector('.pay-success')).toBeNull()
      expect(sent.filter((r) => r.method === 'GET').length).toBeGreaterThan(1)
    } finally {
      jest.useRealTimers()
    }
  })

  it('polls a still-pending order a bounded number of times', async () => {
    let reads = 0
    fakeApi({
      [`POST /api/v1/me/orders/${ORDER_ID}/sync`]: ok(order()),
      [`GET /api/v1/me/orders/${ORDER_ID}`]: () => {
        reads += 1
        return ok(order())
      },
    })
    const waits: number[] = []
    const result = await confirmPayment(ORDER_ID, {
      attempts: 3,
      intervalMs: 500,
      wait: (ms) => {
        waits.push(ms)
        return Promise.resolve()
      },
    })
    expect(result.status).toBe('PENDING')
    expect(reads).toBe(3)
    expect(waits).toEqual([500, 500, 500])
  })

  it('stops polling as soon as the notify has settled the order', async () => {
    const answers = [order(), paid()]
    const sent = fakeApi({
      [`POST /api/v1/me/orders/${ORDER_ID}/sync`]: ok(order()),
      [`GET /api/v1/me/orders/${ORDER_ID}`]: () => ok(answers.shift()!),
    })
    const result = await confirmPayment(ORDER_ID, { attempts: 5, wait: () => Promise.resolve() })
    expect(result.status).toBe('PAID')
    expect(sent.map((r) => r.method)).toEqual(['POST', 'GET', 'GET'])
  })

  it('shows an unpaid order as pending with 刷新支付状态 (which asks the server again)', async () => {
    __setRouterParams({ id: ORDER_ID })
    const answers = [order(), paid()]
    const sent = fakeApi({
      [`GET /api/v1/me/orders/${ORDER_ID}`]: () => ok(answers.shift() ?? paid()),
      [`POST /api/v1/me/orders/${ORDER_ID}/sync`]: ok(paid()),
      'GET /api/v1/me/membership': ok(goldMembership),
      'GET /api/v1/me/points': ok(myPoints()),
    })
    const { container } = render(<OrderPage />)
    await screen.findByText('订单待支付')
    expect(container.querySelector('.receipt-status')?.textContent).toBe('待支付')
    expect(container.querySelector('.receipt-transaction')).toBeNull()
    click(container.querySelector('.pay-refresh'))
    await waitFor(() => expect(container.querySelector('.receipt-status')?.textContent).toBe('已支付'))
    expect(sent.some((r) => r.url.endsWith('/sync'))).toBe(true)
  })

  it('lists refunds on the receipt', async () => {
    __setRouterParams({ id: ORDER_ID })
    fakeApi({
      [`GET /api/v1/me/orders/${ORDER_ID}`]: ok(
        paid({
          status: 'REFUNDED',
          refundedFen: 2990,
          grant: null,
          refunds: [
            {
              outRefundNo: 'CL20260502ABCDEFR1',
              amountFen: 2990,
              status: 'SUCCESS',
              createdAt: '2026-05-03T02:00:00.000Z',
              successAt: '2026-05-03T02:00:05.000Z',
            },
          ],
        }),
      ),
    })
    const { container } = render(<OrderPage />)
    await screen.findByText('退款记录')
    expect(container.querySelector('.receipt-status')?.textContent).toBe('已退款')
    expect(container.querySelector('.refund-row')?.textContent).toContain('已退款')
    expect(container.querySelector('.refund-amount')?.textContent).toBe('¥29.90')
  })
})

describe('我的订单', () => {
  beforeEach(logIn)

  it('lists orders with amount and status; a row opens the receipt', async () => {
    fakeApi({
      'GET /api/v1/me/orders': ok({
        orders: [paid(), order({ id: '65f0c0ffee00000000e00002', status: 'CLOSED' })],
      }),
    })
    const { container } = render(<OrdersPage />)
    await screen.findAllByText('月度会员')
    expect([...container.querySelectorAll('.order-status')].map((s) => s.textContent)).toEqual([
      '已支付',
      '已关闭',
    ])
    click(container.querySelector('.order-row'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: `/pkg-member/order/index?id=${ORDER_ID}` })
  })
})
