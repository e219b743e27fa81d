import { existsSync } from 'node:fs'
import {
  MembershipStatus,
  MyOrdersResponse,
  MyPointsResponse,
  MyRedemptionsResponse,
  Questionnaire,
  StaffReward,
} from '@careloop/shared'
import type { Page } from 'playwright-core'
import { DEFAULT_H5_DIR } from '../../server/src/app'
import { isCjkFamily, launchBrowser, renderedFonts } from '../src/e2e/browser'
import { accessToken, callExpecting, click, eventually, settledShot, shown } from '../src/e2e/h5'
import { postSurgeryCheck } from '../src/harness/questionnaire-fixture'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Issue 6 tried as a new user would, in the h5 mini-program against the real server and the WeChat
 * and WeChat Pay simulators: she signs up, checks in on 我的积分 (5 points), answers a questionnaire
 * (20 more) and watches them arrive in 积分明细; in 积分商城 she redeems a reward (confirm sheet) and
 * sees its code as text and QR, then finds it in 我的兑换; in 会员中心 she buys the monthly plan — the
 * simulator's 「微信支付」 sheet, 取消 first (the order stays unpaid, 继续支付 pays the same order),
 * then 确认支付 through the pay simulator's client hook; the receipt confirms with the server and
 * shows the new tier, which 我的积分 shows too. Screenshots: artifacts/e2e/points-patient-*.png.
 */
jest.setTimeout(180_000)

const h = useStaffHarness({ paySim: true })
let browser: ReturnType<typeof launchBrowser>

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_H5_DIR}/index.html`))
    throw new Error(`${DEFAULT_H5_DIR} is not built; run npm run build:miniapp (npm test does)`)
  browser = launchBrowser()
  await h.seedStaff()
})
afterAll(() => browser?.close())

const user = `e2e-points-${Date.now().toString(36)}`

const shot = (page: Page, name: string) => settledShot(browser, page, name)
const call = (token: string, method: string, path: string, body?: unknown, status = 200) =>
  callExpecting(h, token, method, path, body, status)

/** Opens a page of the h5 build by its route (a fresh load, as a message link would). */
const open = async (page: Page, route: string, ready: string) => {
  await page.goto(`${h.url}/h5/#${route}`)
  await page.reload()
  await shown(page, ready).waitFor({ timeout: 20_000 })
}

describe('patient h5: points, mall, membership (issue 6)', () => {
  it('a new patient checks in, earns, redeems, pays for a membership and sees the tier change', async () => {
    // staff: a published questionnaire and a reward in the mall
    const admin = (await h.staffLogin('admin')).accessToken
    const q = Questionnaire.parse(
      await call(admin, 'POST', '/api/v1/staff/questionnaires', postSurgeryCheck('术后恢复自评'), 201),
    )
    await call(admin, 'POST', `/api/v1/staff/questionnaires/${q.id}/publish`)
    const prize = StaffReward.parse(
      await call(
        admin,
        'POST',
        '/api/v1/staff/rewards',
        {
          name: '便携药盒',
          description: '七格分装，按周提醒服药',
          category: 'physical',
          pointsCost: 20,
          stock: 5,
        },
        201,
      ),
    )
    await call(
      admin,
      'POST',
      '/api/v1/staff/rewards',
      { name: '护士上门指导', category: 'service', pointsCost: 500, stock: 2 },
      201,
    )
    await call(
      admin,
      'POST',
      '/api/v1/staff/rewards',
      { name: '体检优惠券', category: 'coupon', pointsCost: 10, stock: 0 },
      201,
    )

    // a new patient signs up in the h5 build
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await shown(page, '.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(user)
    await click(page, '.login-button')
    await click(page, '.consent-accept')
    await shown(page, '.name-input input').fill('陈秀英')
    await click(page, '.save-button')
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    const token = await accessToken(page)

    // 首页: the 我的积分 card (0, 签到 not done yet)
    await eventually(() => shown(page, '.home-points-balance').textContent(), '0')
    await expect(shown(page, '.home-checkin').textContent()).resolves.toBe('签到')
    await shot(page, 'points-patient-01-home')

    // 我的积分: check in → 5 points, streak, 今日已签到, the history entry
    await click(page, '.points-card-main')
    await shown(page, '.checkin-button').waitFor({ timeout: 15_000 })
    const fonts = await renderedFonts(page, '.points-hero')
    expect(fonts.some((f) => isCjkFamily(f.familyName))).toBe(true)
    await shot(page, 'points-patient-02-points-before')
    await click(page, '.checkin-button')
    await eventually(() => shown(page, '.checkin-button').textContent(), '今日已签到')
    await eventually(() => shown(page, '.points-balance').textContent(), '5')
    // Taro h5 renders Button as <taro-button-core>: disabled is the attribute (never "false")
    await expect(
      shown(page, '.checkin-button').evaluate(
        (b) => b.hasAttribute('disabled') && b.getAttribute('disabled') !== 'false',
      ),
    ).resolves.toBe(true)
    await eventually(() => shown(page, '.ledger-row .ledger-title').textContent(), '每日签到')
    await expect(shown(page, '.ledger-row .ledger-amount').textContent()).resolves.toBe('+5')
    await shot(page, 'points-patient-03-checked-in')
    // 签到 again (the server's answer): nothing more
    const again = (await call(token, 'POST', '/api/v1/me/points/checkin', {})) as {
      already: boolean
      balance: number
    }
    expect(again).toMatchObject({ already: true, balance: 5 })

    // a questionnaire earns 20 more; back on 我的积分 the points have arrived
    await open(page, `/pkg-followup/questionnaire/index?id=${q.id}`, '.q-wound')
    await click(page, '.q-wound .option-none')
    await shown(page, '.q-temp input').fill('36.8')
    await click(page, '.q-pain .scale-2')
    await click(page, '.questionnaire-submit')
    await shown(page, '.result-score-value').waitFor({ timeout: 15_000 })
    await open(page, '/pkg-points/index/index', '.points-balance')
    await eventually(() => shown(page, '.points-balance').textContent(), '25')
    await expect(shown(page, '.ledger-row .ledger-title').textContent()).resolves.toBe('完成问卷')
    await expect(shown(page, '.ledger-row .ledger-amount').textContent()).resolves.toBe('+20')
    await shown(page, '.ways-card').scrollIntoViewIfNeeded()
    await shot(page, 'points-patient-04-points-arrived')

    // 积分商城: the grid (sold out marked), the reward, the confirm sheet, the code as text and QR
    await click(page, '.go-mall')
    await shown(page, '.reward-card').waitFor({ timeout: 15_000 })
    await expect(
      shown(page, '.reward-card:has-text("体检优惠券") .reward-state').textContent(),
    ).resolves.toBe('已兑完')
    await expect(
      shown(page, '.reward-card:has-text("护士上门指导") .reward-state').textContent(),
    ).resolves.toBe('积分不足')
    await shot(page, 'points-patient-05-mall')
    await click(page, `.reward-card:has-text("${prize.name}")`)
    await shown(page, '.redeem-button').waitFor({ timeout: 15_000 })
    await shot(page, 'points-patient-06-reward')
    await click(page, '.redeem-button')
    await shown(page, '.redeem-sheet').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.redeem-after').textContent()).resolves.toBe('5')
    await shot(page, 'points-patient-07-redeem-sheet')
    await click(page, '.redeem-confirm')
    await shown(page, '.redemption-code').waitFor({ timeout: 15_000 })
    const mine = MyRedemptionsResponse.parse(await call(token, 'GET', '/api/v1/me/redemptions'))
    expect(mine.redemptions).toHaveLength(1)
    const code = mine.redemptions[0]!.code!
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/)
    await expect(shown(page, '.redemption-code').textContent()).resolves.toBe(
      `${code.slice(0, 5)} ${code.slice(5)}`,
    )
    await expect(shown(page, '.redemption-qr').getAttribute('data-text')).resolves.toBe(code)
    expect(
      await page.locator('.redemption-qr .qr-row').locator('visible=true').count(),
    ).toBeGreaterThanOrEqual(21)
    await expect(shown(page, '.redemption-status').textContent()).resolves.toBe('待核销')
    await shot(page, 'points-patient-08-redeemed-code')
    await click(page, '.go-redemptions')
    await shown(page, '.redemption-row').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.redemption-row .redemption-status').textContent()).resolves.toBe('待核销')
    await shot(page, 'points-patient-09-my-redemptions')
    const points = MyPointsResponse.parse(await call(token, 'GET', '/api/v1/me/points'))
    expect(points).toMatchObject({ balance: 5, tier: { id: 'standard' } })

    // 会员中心: the plans; 立即开通 → the 「微信支付」 sheet; 取消 keeps the order unpaid
    await open(page, '/pkg-member/index/index', '.plan-card')
    await expect(shown(page, '.plan-monthly .plan-price-value').textContent()).resolves.toBe('¥29.90')
    await shot(page, 'points-patient-10-member-plans')
    await click(page, '.plan-monthly .plan-buy')
    await shown(page, '.pay-sheet').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.pay-amount').textContent()).resolves.toBe('¥29.90')
    await shot(page, 'points-patient-11-pay-sheet')
    await click(page, '.pay-cancel')
    await shown(page, '.unpaid-card').waitFor({ timeout: 15_000 })
    await shot(page, 'points-patient-12-unpaid')
    const unpaid = MyOrdersResponse.parse(await call(token, 'GET', '/api/v1/me/orders'))
    expect(unpaid.orders.map((o) => o.status)).toEqual(['PENDING'])

    // 继续支付 pays the same order through the pay simulator; the receipt confirms with the server
    await click(page, '.pay-retry')
    await shown(page, '.pay-sheet').waitFor({ timeout: 15_000 })
    await click(page, '.pay-confirm')
    await shown(page, '.pay-success').waitFor({ timeout: 30_000 })
    await expect(shown(page, '.new-tier').textContent()).resolves.toBe('金卡会员')
    await expect(shown(page, '.receipt-status').textContent()).resolves.toBe('已支付')
    const orders = MyOrdersResponse.parse(await call(token, 'GET', '/api/v1/me/orders'))
    expect(orders.orders).toHaveLength(1)
    expect(orders.orders[0]).toMatchObject({ id: unpaid.orders[0]!.id, status: 'PAID', amountFen: 2990 })
    await expect(shown(page, '.receipt-transaction .receipt-value').textContent()).resolves.toBe(
      orders.orders[0]!.transactionId,
    )
    await shot(page, 'points-patient-13-paid-receipt')
    const membership = MembershipStatus.parse(await call(token, 'GET', '/api/v1/me/membership'))
    expect(membership).toMatchObject({ active: true, tier: 'gold', plan: { code: 'monthly' } })

    // 会员中心 shows the active plan and quotas; 我的积分 the new tier
    await click(page, '.go-member')
    await eventually(() => shown(page, '.member-status-plan').textContent(), '月度会员')
    await expect(shown(page, '.quota-nurse_consult').textContent()).resolves.toContain('剩余 2 次')
    await shot(page, 'points-patient-14-member-active')
    await open(page, '/pkg-points/index/index', '.points-balance')
    await eventually(() => shown(page, '.tier-name').textContent(), '金卡会员')
    await expect(shown(page, '.tier-source').textContent()).resolves.toBe('付费会员')
    await shot(page, 'points-patient-15-points-gold')
    const after = MyPointsResponse.parse(await call(token, 'GET', '/api/v1/me/points'))
    expect(after.tier).toMatchObject({ id: 'gold', source: 'membership' })
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
