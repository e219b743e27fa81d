import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import MallPage from '../../src/pkg-points/mall/index'
import RedemptionPage from '../../src/pkg-points/redemption/index'
import RedemptionsPage from '../../src/pkg-points/redemptions/index'
import RewardPage from '../../src/pkg-points/reward/index'
import { __setRouterParams } from '../__mocks__/taro'
import { fail, fakeApi, logIn, ok } from '../fake-api'
import { REDEMPTION_ID, REWARD_ID, redemption, reward, rewardDetail } from '../loyalty-fixtures'
import { taro } from '../taro-mock'

const click = (el: Element | null) => fireEvent.click(el!)

describe('积分商城', () => {
  beforeEach(logIn)

  it('shows a grid with cost, stock, placeholder images and why a reward cannot be redeemed', async () => {
    fakeApi({
      'GET /api/v1/me/rewards': ok({
        balance: 120,
        rewards: [
          reward(),
          reward({
            id: '65f0c0ffee00000000c00002',
            name: '体脂秤',
            stock: 0,
            canRedeem: false,
            blocker: 'out_of_stock',
          }),
          reward({
            id: '65f0c0ffee00000000c00003',
            name: '护理咨询券',
            category: 'coupon',
            canRedeem: false,
            blocker: 'limit_reached',
            remainingForMe: 0,
          }),
          reward({
            id: '65f0c0ffee00000000c00004',
            name: '专家讲座',
            category: 'service',
            imageUrl: 'https://img.example.org/lecture.png',
            canRedeem: false,
            blocker: 'tier_required',
            tierRequired: 'gold',
          }),
        ],
      }),
    })
    const { container } = render(<MallPage />)
    await screen.findByText('电子血压计')
    expect(container.querySelector('.mall-balance')?.textContent).toBe('120')
    const cards = [...container.querySelectorAll('.reward-card')]
    expect(cards).toHaveLength(4)
    expect(cards[0]!.querySelector('.reward-cost')?.textContent).toBe('100')
    expect(cards[0]!.querySelector('.reward-stock')?.textContent).toBe('剩余 8')
    expect(cards[0]!.querySelector('.reward-thumb-icon')?.textContent).toBe('礼')
    expect(cards[0]!.querySelector('.reward-state')).toBeNull()
    expect(cards[1]!.className).toContain('is-sold-out')
    expect(cards[1]!.querySelector('.reward-state')?.textContent).toBe('已兑完')
    expect(cards[2]!.querySelector('.reward-state')?.textContent).toBe('已达兑换上限')
    expect(cards[3]!.querySelector('.reward-state')?.textContent).toBe('金卡会员专享')
    expect(cards[3]!.querySelector('img')?.getAttribute('src')).toBe('https://img.example.org/lecture.png')
    // category filter
    click(screen.getByText('优惠券'))
    expect(container.querySelectorAll('.reward-card')).toHaveLength(1)
    click(container.querySelector('.reward-card'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({
      url: '/pkg-points/reward/index?id=65f0c0ffee00000000c00003',
    })
  })

  it('redeems after the confirm sheet: a double tap makes one request with one request id', async () => {
    __setRouterParams({ id: REWARD_ID })
    const sent = fakeApi({
      [`GET /api/v1/me/rewards/${REWARD_ID}`]: ok(rewardDetail()),
      [`POST /api/v1/me/rewards/${REWARD_ID}/redeem`]: {
        status: 201,
        data: { ...redemption(), duplicate: false, balance: 20 },
      },
    })
    const { container } = render(<RewardPage />)
    await screen.findByText('立即兑换')
    click(container.querySelector('.redeem-button'))
    expect(container.querySelector('.redeem-sheet')?.textContent).toContain('兑换后剩余20')
    click(container.querySelector('.redeem-confirm'))
    click(container.querySelector('.redeem-confirm'))
    await waitFor(() =>
      expect(taro.redirectTo).toHaveBeenCalledWith({
        url: `/pkg-points/redemption/index?id=${REDEMPTION_ID}&new=1`,
      }),
    )
    const posts = sent.filter((r) => r.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0]!.data).toEqual({ requestId: expect.stringMatching(/^rw-[\w-]{8,}$/) as unknown })
  })

  it('retries a redeem whose answer was lost with the same request id; a refusal takes a new one', async () => {
    __setRouterParams({ id: REWARD_ID })
    const answers = [
      { networkError: 'request:fail timeout' },
      fail(409, 'REWARD_OUT_OF_STOCK', 'Reward is out of stock'),
      { status: 201, data: { ...redemption(), duplicate: false, balance: 20 } },
    ]
    const sent = fakeApi({
      [`GET /api/v1/me/rewards/${REWARD_ID}`]: ok(rewardDetail()),
      [`POST /api/v1/me/rewards/${REWARD_ID}/redeem`]: () => answers.shift()!,
    })
    const { container } = render(<RewardPage />)
    await screen.findByText('立即兑换')
    const attempt = async (expectError?: string) => {
      click(container.querySelector('.redeem-button'))
      click(container.querySelector('.redeem-confirm'))
      if (expectError) await screen.findByText(expectError)
    }
    await attempt('网络连接失败，请检查网络后重试')
    await attempt('该礼品已兑完')
    await attempt()
    await waitFor(() => expect(taro.redirectTo).toHaveBeenCalled())
    const ids = sent
      .filter((r) => r.method === 'POST')
      .map((r) => (r.data as { requestId: string }).requestId)
    expect(ids).toHaveLength(3)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).not.toBe(ids[1])
  })

  it('offers no 兑换 for a reward that cannot be redeemed and says why', async () => {
    __setRouterParams({ id: REWARD_ID })
    fakeApi({
      [`GET /api/v1/me/rewards/${REWARD_ID}`]: ok(
        rewardDetail({ canRedeem: false, blocker: 'insufficient_points', affordable: false, balance: 40 }),
      ),
    })
    const { container } = render(<RewardPage />)
    await screen.findByText('积分不足')
    expect((container.querySelector('.redeem-button') as HTMLButtonElement).disabled).toBe(true)
  })
})

describe('兑换码 and 我的兑换', () => {
  beforeEach(logIn)

  it('shows the code as big text and as a QR after redeeming', async () => {
    __setRouterParams({ id: REDEMPTION_ID, new: '1' })
    fakeApi({ [`GET /api/v1/me/redemptions/${REDEMPTION_ID}`]: ok(redemption()) })
    const { container } = render(<RedemptionPage />)
    await screen.findByText('兑换成功')
    expect(container.querySelector('.redemption-code')?.textContent).toBe('AB3K7 XY9PQ')
    const qr = container.querySelector('.redemption-qr .qr-modules')!
    // a version-1 symbol: 21 rows of dark and light runs
    expect(qr.querySelectorAll('.qr-row')).toHaveLength(21)
    expect(qr.querySelectorAll('.qr-dark').length).toBeGreaterThan(21)
    expect(container.querySelector('.redemption-status')?.textContent).toBe('待核销')
  })

  it('lists redemptions with their status and cancels one before check-off (points return)', async () => {
    const cancelled = redemption({ status: 'cancelled', cancelledAt: '2026-05-02T03:00:00.000Z' })
    const sent = fakeApi({
      'GET /api/v1/me/redemptions': ok({
        redemptions: [
          redemption(),
          redemption({
            id: '65f0c0ffee00000000d00002',
            status: 'fulfilled',
            code: 'ZZ3K7XY9PQ',
            rewardName: '体脂秤',
          }),
          redemption({
            id: '65f0c0ffee00000000d00003',
            status: 'expired',
            code: 'YY3K7XY9PQ',
            rewardName: '护理咨询券',
          }),
        ],
      }),
      [`POST /api/v1/me/redemptions/${REDEMPTION_ID}/cancel`]: ok(cancelled),
    })
    const { container } = render(<RedemptionsPage />)
    await screen.findByText('电子血压计')
    const statuses = [...container.querySelectorAll('.redemption-row .redemption-status')].map(
      (s) => s.textContent,
    )
    expect(statuses).toEqual(['待核销', '已核销', '已过期'])
    // only the issued one shows its QR and can be cancelled
    expect(container.querySelectorAll('.redemption-row-qr')).toHaveLength(1)
    expect(container.querySelectorAll('.cancel-redemption')).toHaveLength(1)
    click(container.querySelector('.cancel-redemption'))
    await waitFor(() =>
      expect(container.querySelector('.redemption-row .redemption-status')?.textContent).toBe('已取消'),
    )
    expect(taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '取消兑换' }))
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(container.querySelector('.redemption-row .redemption-row-note')?.textContent).toBe(
      '已取消，100 积分已退回',
    )
    expect(container.querySelectorAll('.cancel-redemption')).toHaveLength(0)
  })

  it('keeps the redemption when the patient answers 取消 in the dialog', async () => {
    const sent = fakeApi({ 'GET /api/v1/me/redemptions': ok({ redemptions: [redemption()] }) })
    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    const { container } = render(<RedemptionsPage />)
    await screen.findByText('电子血压计')
    click(container.querySelector('.cancel-redemption'))
    await waitFor(() => expect(taro.showModal).toHaveBeenCalled())
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0)
  })
})
