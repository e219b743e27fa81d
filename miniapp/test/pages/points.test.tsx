import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'

import HomePage from '../../src/pages/index/index'
import PointsPage from '../../src/pkg-points/index/index'
import { __firePage } from '../__mocks__/taro'
import { fakeApi, logIn, me, ok, patient } from '../fake-api'
import { entry, myPoints, ways } from '../loyalty-fixtures'
import { taro } from '../taro-mock'

const click = (el: Element | null) => fireEvent.click(el!)

const CURSOR = '65f0c0ffee00000000f99999'

describe('我的积分', () => {
  beforeEach(logIn)

  it('shows balance, tier progress, multiplier, expiring points, ways to earn and the history', async () => {
    fakeApi({
      'GET /api/v1/me/points': ok(
        myPoints({
          tier: {
            id: 'gold',
            name: '金卡会员',
            multiplier: 1.2,
            benefits: ['健康讲堂优先报名'],
            source: 'membership',
          },
          nextTier: { id: 'platinum', name: '白金会员', threshold: 8000, remaining: 7600 },
          expiring: { points: 30, withinDays: 30, firstDate: '2026-05-20' },
        }),
      ),
      'GET /api/v1/me/points/ways': ok(ways()),
      'GET /api/v1/me/points/ledger?limit=20': ok({
        entries: [
          entry({ amount: 20, rule: 'questionnaire', title: '完成问卷' }),
          entry({ kind: 'spend', amount: -100, rule: null, title: '兑换「电子血压计」' }),
          entry({ kind: 'refund', amount: 100, rule: null, title: 'refund' }),
        ],
        nextCursor: null,
      }),
    })
    const { container } = render(<PointsPage />)
    await screen.findByText('积分明细')
    expect(container.querySelector('.points-balance')?.textContent).toBe('120')
    expect(container.querySelector('.tier-name')?.textContent).toBe('金卡会员')
    expect(container.querySelector('.tier-source')?.textContent).toBe('付费会员')
    expect(container.querySelector('.tier-multiplier')?.textContent).toContain('1.2 倍')
    expect(container.querySelector('.tier-progress-text')?.textContent).toContain(
      '再获得 7600 积分可升级为白金会员',
    )
    expect(container.querySelector('.points-expiring')?.textContent).toContain(
      '30 积分将在 30 天内到期（最早 2026-05-20）',
    )
    // ways: today's progress against the cap; a capped way says so
    expect(container.querySelector('.way-checkin .way-progress')?.textContent).toBe('今日 0/5')
    expect(container.querySelector('.way-questionnaire')?.className).toContain('is-capped')
    expect(container.querySelector('.way-questionnaire .way-state')?.textContent).toBe('已达上限')
    // history: signed, coloured by sign, reason in Chinese (a non-Chinese title falls back to the kind)
    const rows = [...container.querySelectorAll('.ledger-row')]
    expect(rows.map((r) => r.querySelector('.ledger-title')?.textContent)).toEqual([
      '完成问卷',
      '兑换「电子血压计」',
      '积分退回',
    ])
    expect(rows.map((r) => r.querySelector('.ledger-amount')?.textContent)).toEqual(['+20', '−100', '+100'])
    expect(rows.map((r) => r.className.includes('is-minus'))).toEqual([false, true, false])
  })

  it('checks in once: a double tap sends one request, then 今日已签到 is disabled with the new streak', async () => {
    let checkedIn = false
    const sent = fakeApi({
      'GET /api/v1/me/points': () =>
        ok(checkedIn ? myPoints({ balance: 125, checkin: { today: true, streakDays: 3 } }) : myPoints()),
      'GET /api/v1/me/points/ways': ok(ways()),
      'GET /api/v1/me/points/ledger?limit=20': ok({ entries: [], nextCursor: null }),
      'POST /api/v1/me/points/checkin': () => {
        checkedIn = true
        return ok({ already: false, awarded: 5, balance: 125, streakDays: 3, limitedBy: null })
      },
    })
    const { container } = render(<PointsPage />)
    await screen.findByText('每日签到', { selector: '.checkin-title' })
    expect(container.querySelector('.checkin-streak')?.textContent).toBe('已连续签到 2 天，今天别断签')
    // both taps land before the first answer arrives
    click(container.querySelector('.checkin-button'))
    click(container.querySelector('.checkin-button'))
    await waitFor(() => expect(container.querySelector('.checkin-button')?.textContent).toBe('今日已签到'))
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect((container.querySelector('.checkin-button') as HTMLButtonElement).disabled).toBe(true)
    expect(container.querySelector('.checkin-streak')?.textContent).toBe('已连续签到 3 天')
    expect(container.querySelector('.points-balance')?.textContent).toBe('125')
    expect(taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '签到成功 +5' }))
  })

  it('shows 今日已签到 disabled when the profile has checked in today', async () => {
    fakeApi({
      'GET /api/v1/me/points': ok(myPoints({ checkin: { today: true, streakDays: 1 } })),
      'GET /api/v1/me/points/ways': ok(ways()),
      'GET /api/v1/me/points/ledger?limit=20': ok({ entries: [], nextCursor: null }),
    })
    const { container } = render(<PointsPage />)
    await screen.findByText('今日已签到')
    expect((container.querySelector('.checkin-button') as HTMLButtonElement).disabled).toBe(true)
    expect(container.querySelector('.ledger-empty')?.textContent).toContain('暂无积分记录')
  })

  it('pages the history with the cursor (加载更多, and at the bottom of the page)', async () => {
    const sent = fakeApi({
      'GET /api/v1/me/points': ok(myPoints()),
      'GET /api/v1/me/points/ways': ok(ways()),
      'GET /api/v1/me/points/ledger?limit=20': ok({
        entries: [entry({ title: '每日签到' })],
        nextCursor: CURSOR,
      }),
      [`GET /api/v1/me/points/ledger?cursor=${CURSOR}&limit=20`]: ok({
        entries: [entry({ kind: 'expire', amount: -10, rule: null, title: '积分过期' })],
        nextCursor: null,
      }),
    })
    const { container } = render(<PointsPage />)
    await screen.findByText('加载更多')
    act(() => __firePage('reachBottom'))
    await waitFor(() => expect(container.querySelectorAll('.ledger-row')).toHaveLength(2))
    expect(container.querySelector('.ledger-more')).toBeNull()
    expect(sent.filter((r) => r.url.includes('cursor='))).toHaveLength(1)
  })
})

describe('首页 积分 card', () => {
  beforeEach(logIn)

  it('shows the balance and checks in from 首页', async () => {
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/points': ok(myPoints()),
      'POST /api/v1/me/points/checkin': ok({
        already: false,
        awarded: 5,
        balance: 125,
        streakDays: 3,
        limitedBy: null,
      }),
    })
    const { container } = render(<HomePage />)
    await waitFor(() => expect(container.querySelector('.home-points-balance')?.textContent).toBe('120'))
    click(container.querySelector('.home-checkin'))
    await waitFor(() => expect(container.querySelector('.home-checkin')?.textContent).toBe('今日已签到'))
    expect(container.querySelector('.home-points-balance')?.textContent).toBe('125')
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.data)).toEqual([{}])
    click(container.querySelector('.points-card-mall'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pkg-points/mall/index' })
    click(container.querySelector('.points-card-main'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pkg-points/index/index' })
  })
})
