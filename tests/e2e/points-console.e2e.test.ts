import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import {
  CreateOrderResponse,
  MembershipStatus,
  PointsRulesResponse,
  PrivacyPolicy,
  RedeemRewardResponse,
  Redemption,
  StaffRewardsResponse,
} from '@careloop/shared'
import { DEFAULT_CONSOLE_DIR } from '../../server/src/app'
import { DEMO_STAFF_PASSWORD } from '../../server/src/modules/staff/staff-bootstrap.service'
import { ARTIFACTS_DIR, launchBrowser } from '../src/e2e/browser'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * The 积分与会员 pages of the staff console in a real browser against the real server and the WeChat
 * Pay simulator: the admin edits an earn rule (a cap below the daily cap is refused on the field),
 * creates a reward and restocks it, checks off the code 王秀英 got by redeeming it in the
 * mini-program (typed as a scanner would, lower case with a space), refunds her paid membership in
 * part and then in full (the confirmation lists what she loses; the refund notify settles it), and
 * adjusts her points on her detail page. Screenshots land in artifacts/e2e/points-*.png.
 */
jest.setTimeout(90_000)

const h = useStaffHarness({ paySim: true })
let browser: ReturnType<typeof launchBrowser>
let admin: Page
let wang = { id: '', token: '' }
let adminToken = ''
let rewardId = ''
let redemptionId = ''
let code = ''

const createPatient = async (user: string, name: string): Promise<{ id: string; token: string }> => {
  const { accessToken: token, patient } = await h.login(user)
  const policy = PrivacyPolicy.parse((await h.request('GET', '/api/v1/privacy-policy', { token })).body)
  const consent = await h.request('POST', '/api/v1/me/consents', {
    token,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
  expect(consent.status).toBe(200)
  const profile = { name, gender: 'female', birthYear: 1956, hospitalPatientId: 'ZY20260601' }
  expect((await h.request('PUT', '/api/v1/me', { token, body: profile })).status).toBe(200)
  return { id: patient.id, token }
}

const login = async (page: Page, username: string): Promise<void> => {
  await page.goto(`${h.url}/console/`)
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(DEMO_STAFF_PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.getByTestId('current-staff').waitFor({ timeout: 15_000 })
}

const nav = (page: Page, label: string): Promise<void> =>
  page.locator('.sidebar .nav-item', { hasText: label }).click()

const shot = async (page: Page, name: string): Promise<void> => {
  await page.evaluate(() => window.scrollTo(0, 0))
  await browser.screenshot(page, name)
}

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_CONSOLE_DIR}/index.html`))
    throw new Error('the console is not built; run npm run build:console (npm test does)')
  await h.seedStaff()
  adminToken = (await h.staffLogin('admin')).accessToken
  wang = await createPatient('points-wang', '王秀英')
  // points to spend: a staff grant through the API (the console's own adjustment is tested below)
  const grant = await h.request('POST', `/api/v1/staff/points/patients/${wang.id}/adjust`, {
    token: adminToken,
    body: { amount: 800, reason: '开业活动赠送', requestId: 'e2e-grant-0001' },
  })
  expect(grant.status).toBe(200)
  browser = launchBrowser()
  admin = await browser.newPage()
  await login(admin, 'admin')
}, 60_000)
afterAll(() => browser?.close())

describe('points and membership console', () => {
  it('shows the 积分与会员 section to the admin', async () => {
    expect(await admin.locator('.sidebar .nav-section').allTextContents()).toContain('积分与会员')
    expect(await admin.locator('.sidebar .nav-item').allTextContents()).toEqual(
      expect.arrayContaining(['兑换核销', '奖品管理', '积分规则', '积分负债', '订单与退款', '会员方案']),
    )
  })

  it('edits the check-in rule inline; a monthly cap below the daily cap is refused on the field', async () => {
    await nav(admin, '积分规则')
    const row = admin.locator('[data-testid="points-rule-row"][data-rule="checkin"]')
    await row.waitFor()
    await row.locator('#checkin-points').fill('15')
    await row.locator('#checkin-dailyCap').fill('15')
    await row.locator('#checkin-monthlyCap').fill('10')
    await row.getByRole('button', { name: '保存' }).click()
    await row.getByText('每月上限不能低于每日上限').waitFor()
    await shot(admin, 'points-01-rule-error')

    await row.locator('#checkin-monthlyCap').fill('300')
    await row.getByRole('button', { name: '保存' }).click()
    await admin.getByText('已保存“每日签到”：每次 15 分，每日上限 15，每月上限 300').waitFor()
    const rules = PointsRulesResponse.parse(
      (await h.request('GET', '/api/v1/staff/points/rules', { token: adminToken })).body,
    )
    expect(rules.rules.find((r) => r.rule === 'checkin')).toMatchObject({
      points: 15,
      dailyCap: 15,
      monthlyCap: 300,
      enabled: true,
    })
    await admin.getByTestId('tiers-table').waitFor()
    await shot(admin, 'points-02-rules')
  })

  it('creates a reward and restocks it', async () => {
    await nav(admin, '奖品管理')
    await admin.getByTestId('rewards-table').waitFor()
    await admin.getByRole('button', { name: '+ 新建奖品' }).click()
    const form = admin.getByTestId('reward-form')
    await form.locator('#reward-name').fill('电子血压计')
    await form.locator('#reward-description').fill('上臂式，门诊一楼服务台领取')
    await form.locator('#reward-pointsCost').fill('300')
    await form.locator('#reward-stock').fill('abc')
    await form.getByRole('button', { name: '创建奖品' }).click()
    await form.getByText('请填写不小于 0 的整数').waitFor()
    await admin.screenshot({ path: join(ARTIFACTS_DIR, 'points-03-reward-form.png') })
    await form.locator('#reward-stock').fill('5')
    await form.getByRole('button', { name: '创建奖品' }).click()
    await admin.getByText('已创建奖品“电子血压计”，库存 5').waitFor()
    const row = admin.getByTestId('reward-row').filter({ hasText: '电子血压计' })
    await expect(row.getByTestId('reward-stock').textContent()).resolves.toBe('5 / 5')

    await row.getByRole('button', { name: '补货' }).click()
    await admin.getByTestId('restock-form').locator('input').fill('3')
    await admin.getByTestId('restock-form').getByRole('button', { name: '确认' }).click()
    await admin.getByText('“电子血压计”补货 3 件，当前库存 8').waitFor()
    await expect(row.getByTestId('reward-stock').textContent()).resolves.toBe('8 / 8')
    await shot(admin, 'points-04-rewards')

    const list = StaffRewardsResponse.parse(
      (await h.request('GET', '/api/v1/staff/rewards', { token: adminToken })).body,
    )
    rewardId = list.rewards.find((r) => r.name === '电子血压计')!.id
  })

  it('checks off the code the patient got by redeeming the reward in the mini-program', async () => {
    const redeemed = await h.request('POST', `/api/v1/me/rewards/${rewardId}/redeem`, {
      token: wang.token,
      body: { requestId: 'e2e-redeem-0001' },
    })
    expect(redeemed.status).toBe(201)
    const r = RedeemRewardResponse.parse(redeemed.body)
    expect(r.status).toBe('issued')
    redemptionId = r.id
    code = r.code!

    await nav(admin, '兑换核销')
    const box = admin.locator('#redemption-code-input')
    // a wrong code first: the format is checked before any request
    await box.fill('12345')
    await box.press('Enter')
    await admin.getByText(/兑换码为 10 位字母和数字/).waitFor()
    // as a scanner or a hurried typist enters it: lower case, in two groups, then Enter
    await box.fill(`${code.slice(0, 5).toLowerCase()} ${code.slice(5).toLowerCase()}`)
    await box.press('Enter')
    const card = admin.getByTestId('redemption-card')
    await card.waitFor()
    await expect(card.getByTestId('redemption-patient').textContent()).resolves.toBe('王*英')
    await expect(card.textContent()).resolves.toContain('电子血压计')
    await expect(card.getAttribute('data-status')).resolves.toBe('issued')
    await shot(admin, 'points-05-checkoff-card')

    await card.getByRole('button', { name: '核销' }).click()
    await admin.getByText(/^已核销：电子血压计（王\*英）/).waitFor()
    await expect(card.getAttribute('data-status')).resolves.toBe('fulfilled')
    await expect(card.textContent()).resolves.toContain('不能重复领取')
    await admin.getByTestId('redemption-row').filter({ hasText: '已核销' }).first().waitFor()
    await shot(admin, 'points-06-checked-off')

    const mine = Redemption.parse(
      (await h.request('GET', `/api/v1/me/redemptions/${redemptionId}`, { token: wang.token })).body,
    )
    expect(mine.status).toBe('fulfilled')

    // scanning the same code again shows it was claimed, with nothing to press
    await box.fill(code)
    await box.press('Enter')
    await card.getByText(/已于 .* 核销/).waitFor()
    await expect(card.getByRole('button', { name: '核销' }).count()).resolves.toBe(0)
  })

  it('shows the points liability', async () => {
    await nav(admin, '积分负债')
    await admin.getByTestId('liability-tiles').waitFor()
    // 800 granted, 300 spent on the reward
    await expect(admin.getByTestId('liability-outstanding').textContent()).resolves.toBe('500')
    await shot(admin, 'points-07-liability')
  })

  it('refunds a paid membership order in part, then in full, and the membership ends', async () => {
    const created = await h.request('POST', '/api/v1/me/membership/orders', {
      token: wang.token,
      body: { planCode: 'monthly', requestId: 'e2e-order-0001' },
    })
    expect(created.status).toBe(201)
    const { order, payParams } = CreateOrderResponse.parse(created.body)
    const paid = await fetch(`${h.paySim!.url}/_sim/pay/${order.outTradeNo}/pay`, {
      method: 'POST',
      body: JSON.stringify(payParams),
    })
    expect(((await paid.json()) as { notify?: { status: number } }).notify?.status).toBe(204)
    const membership = async () =>
      MembershipStatus.parse((await h.request('GET', '/api/v1/me/membership', { token: wang.token })).body)
    expect((await membership()).active).toBe(true)

    await nav(admin, '订单与退款')
    const row = admin.getByTestId('order-row').filter({ hasText: order.outTradeNo })
    await row.waitFor()
    await expect(row.textContent()).resolves.toMatch(/王秀英.*月度会员.*¥29\.90.*已支付/)
    await shot(admin, 'points-08-orders')
    await row.getByRole('link', { name: order.outTradeNo }).click()
    await admin.getByTestId('order-card').waitFor()
    const notify = admin.getByTestId('notify-row').first()
    await expect(notify.textContent()).resolves.toMatch(/支付成功.*签名有效.*已确认支付并开通会员/)

    // part of it: ¥10.00; the patient keeps the membership
    const form = admin.getByTestId('refund-form')
    await form.getByRole('button', { name: '部分退款' }).click()
    await form.locator('#refund-amount').fill('30')
    await form.locator('#refund-reason').fill('患者申请部分退款')
    await form.getByRole('button', { name: '退款…' }).click()
    await form.getByText('最多可退 ¥29.90').waitFor()
    await form.locator('#refund-amount').fill('10')
    await form.getByRole('button', { name: '退款…' }).click()
    const dialog = admin.getByRole('dialog')
    await expect(dialog.textContent()).resolves.toContain('会员资格和积分保持不变')
    await dialog.getByRole('button', { name: '确认退款 ¥10.00' }).click()
    await admin.getByText(/^已提交退款 ¥10\.00/).waitFor()
    await admin.locator('[data-testid="refund-row"][data-status="SUCCESS"]').waitFor({ timeout: 20_000 })
    expect((await membership()).active).toBe(true)

    // the rest: the confirmation says what she loses
    const full = admin.getByTestId('refund-form')
    await full.locator('#refund-reason').fill('患者不再需要会员服务')
    await full.getByRole('button', { name: '退款…' }).click()
    await expect(admin.getByTestId('refund-losses').textContent()).resolves.toContain(
      '「月度会员」资格立即终止',
    )
    // the dialog is fixed to the viewport: a viewport shot shows it as staff see it
    await admin.screenshot({ path: join(ARTIFACTS_DIR, 'points-09-refund-confirm.png') })
    await admin.getByRole('dialog').getByRole('button', { name: '确认退款 ¥19.90' }).click()
    await admin.getByText(/^已提交退款 ¥19\.90/).waitFor()
    await admin.getByTestId('order-status').filter({ hasText: '已全额退款' }).waitFor({ timeout: 20_000 })
    await expect(admin.locator('[data-testid="refund-row"][data-status="SUCCESS"]').count()).resolves.toBe(2)
    await expect(admin.getByTestId('refund-form').count()).resolves.toBe(0)
    await shot(admin, 'points-10-refunded')
    expect((await membership()).active).toBe(false)
  })

  it('shows points and membership on the patient detail and adjusts the points', async () => {
    await admin.goto(`${h.url}/console/#/patients/${wang.id}`)
    const card = admin.getByTestId('patient-loyalty')
    await card.waitFor()
    await card.getByTestId('ledger-row').first().waitFor()
    const before = Number((await card.getByTestId('points-balance').textContent())!.replace(/,/g, ''))
    await expect(card.getByTestId('patient-membership').textContent()).resolves.toContain('未开通')

    await card.getByRole('button', { name: '积分调整' }).click()
    await card.getByRole('button', { name: '扣减' }).click()
    await card.locator('#adjust-amount').fill('50')
    await card.getByRole('button', { name: '确认调整' }).click()
    await card.getByText('请填写调整原因（至少 2 个字）').waitFor()
    await card.locator('#adjust-reason').fill('重复签到更正')
    await card.getByRole('button', { name: '确认调整' }).click()
    await card.getByText(`已扣减 50 积分，当前余额 ${before - 50}`).waitFor()
    await card.getByTestId('ledger-row').filter({ hasText: '重复签到更正' }).waitFor()
    await card.screenshot({ path: join(ARTIFACTS_DIR, 'points-11-patient-card.png') })
    await shot(admin, 'points-12-patient-detail')
  })

  it('edits a membership plan: the price entered in ¥ is saved in fen', async () => {
    await nav(admin, '会员方案')
    const row = admin.getByTestId('membership-plan-row').filter({ hasText: '月度会员' })
    await row.getByRole('button', { name: '编辑' }).click()
    const form = admin.getByTestId('membership-plan-form')
    await form.locator('#plan-price').fill('39.9')
    await form.locator('#plan-consults').fill('4')
    await admin.screenshot({ path: join(ARTIFACTS_DIR, 'points-13-plan-form.png') })
    await form.getByRole('button', { name: '保存修改' }).click()
    await admin.getByText('已保存“月度会员”，之后的购买按新条款执行').waitFor()
    await expect(row.textContent()).resolves.toMatch(/¥39\.90.*护士咨询 4 次/)
    await shot(admin, 'points-14-plans')
    const plans = (await h.request('GET', '/api/v1/staff/membership/plans', { token: adminToken })).body as {
      plans: { code: string; priceFen: number }[]
    }
    expect(plans.plans.find((p) => p.code === 'monthly')?.priceFen).toBe(3990)
  })

  it('shows each role the pages its routes allow', async () => {
    const menu = async (username: string): Promise<string[]> => {
      const page = await browser.newPage()
      await login(page, username)
      return page.locator('.sidebar .nav-item').allTextContents()
    }
    const LOYALTY = ['兑换核销', '奖品管理', '积分规则', '积分负债', '订单与退款', '会员方案']
    const shown = (labels: string[]) => LOYALTY.filter((l) => labels.includes(l))
    expect(shown(await menu('nurse.li'))).toEqual(['兑换核销', '奖品管理'])
    expect(shown(await menu('headnurse.wang'))).toEqual(['兑换核销', '奖品管理', '订单与退款', '会员方案'])
    expect(shown(await menu('marketing.zhao'))).toEqual([
      '兑换核销',
      '奖品管理',
      '积分规则',
      '积分负债',
      '会员方案',
    ])
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
