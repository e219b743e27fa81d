import { existsSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { PrivacyPolicy } from '@careloop/shared'
import { DEFAULT_CONSOLE_DIR } from '../../server/src/app'
import { DEMO_STAFF_PASSWORD } from '../../server/src/modules/staff/staff-bootstrap.service'
import { isCjkFamily, launchBrowser, renderedFonts } from '../src/e2e/browser'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * The staff console in a real browser against the real server: login per role, navigation by role,
 * patients masked per role, staff management, nurse assignment, the audit log, and a 401 sending the
 * user back to login. Screenshots land in artifacts/e2e/console-*.png.
 */
jest.setTimeout(30_000)

const h = useStaffHarness()
let browser: ReturnType<typeof launchBrowser>
let admin: Page

/** 王秀英's resident ID number (a valid GB 11643 sample) and how staff see it. */
const WANG_ID = '11010519491231002X'
const WANG_ID_MASKED = '1101**********002X'

const NEW_NURSE = { username: 'nurse.chen', name: '陈晓燕', password: 'chen-pass-2026' }

/** A patient as the mini-program would create her: login, consent to care, profile, phone. */
const createPatient = async (
  user: string,
  profile: {
    name: string
    gender: 'male' | 'female'
    birthYear: number
    hospitalPatientId: string
    idNumber?: string
  },
  phone?: string,
): Promise<string> => {
  const { accessToken: token, patient } = await h.login(user)
  const policy = PrivacyPolicy.parse((await h.request('GET', '/api/v1/privacy-policy', { token })).body)
  const consent = await h.request('POST', '/api/v1/me/consents', {
    token,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
  expect(consent.status).toBe(200)
  expect((await h.request('PUT', '/api/v1/me', { token, body: profile })).status).toBe(200)
  if (phone) {
    const r = await h.request('POST', '/api/v1/me/phone', { token, body: { code: h.sim.phoneCode(phone) } })
    expect(r.status).toBe(200)
  }
  return patient.id
}

const login = async (page: Page, username: string, password = DEMO_STAFF_PASSWORD): Promise<void> => {
  await page.goto(`${h.url}/console/`)
  await page.locator('#login-username').fill(username)
  await page.locator('#login-password').fill(password)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.getByTestId('current-staff').waitFor({ timeout: 15_000 })
}

const nav = (page: Page, label: string): Promise<void> =>
  page.locator('.sidebar .nav-item', { hasText: label }).click()
const navLabels = (page: Page): Promise<string[]> => page.locator('.sidebar .nav-item').allTextContents()
const rows = (page: Page): Locator => page.getByTestId('patient-row')

/** Waits until the locator matches exactly n elements (tables keep old rows while reloading). */
const waitForCount = async (loc: Locator, n: number, timeout = 10_000): Promise<void> => {
  const end = Date.now() + timeout
  for (;;) {
    const c = await loc.count()
    if (c === n) return
    if (Date.now() > end) throw new Error(`expected ${n} matches of ${loc.toString()}, found ${c}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_CONSOLE_DIR}/index.html`))
    throw new Error('the console is not built; run npm run build:console (npm test does)')
  await h.seedStaff()
  await createPatient(
    'console-wang',
    { name: '王秀英', gender: 'female', birthYear: 1956, hospitalPatientId: 'ZY20260001', idNumber: WANG_ID },
    '13812345678',
  )
  await createPatient('console-zhang', {
    name: '张建国',
    gender: 'male',
    birthYear: 1950,
    hospitalPatientId: 'ZY20260002',
  })
  await createPatient('console-chen', {
    name: '陈美华',
    gender: 'female',
    birthYear: 1968,
    hospitalPatientId: 'ZY20260003',
  })
  browser = launchBrowser()
  admin = await browser.newPage()
}, 60_000)
afterAll(() => browser?.close())

describe('staff console', () => {
  it('shows the login page with live health and the demo accounts (simulated mode)', async () => {
    const page = await browser.newPage()
    await page.goto(`${h.url}/console/`)
    await page.getByText('员工登录').waitFor()
    await page.getByText('运行正常').waitFor({ timeout: 15_000 })
    await page.getByText('已连接').waitFor()
    await expect(page.getByText('本地模拟器', { exact: true }).count()).resolves.toBe(1)
    await expect(page.getByTestId('demo-accounts').textContent()).resolves.toContain('careloop-demo-2026')
    const fonts = await renderedFonts(page, '.brand-name')
    expect(fonts.some((f) => isCjkFamily(f.familyName))).toBe(true)
    await browser.screenshot(page, 'console-01-login')

    // empty fields are caught inline, a wrong password gets the Chinese message
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.getByText('请输入账号', { exact: true }).waitFor()
    await page.locator('#login-username').fill('admin')
    await page.locator('#login-password').fill('wrong-password')
    await page.getByRole('button', { name: '登录', exact: true }).click()
    await page.getByText('账号或密码错误').waitFor()
    await browser.screenshot(page, 'console-02-login-error')
  })

  it('admin sees every page, all patients with masked phones, and pages through them', async () => {
    await login(admin, 'admin')
    expect(await navLabels(admin)).toEqual(['患者管理', '员工管理', '审计日志', '系统状态'])
    await expect(admin.getByTestId('current-staff').textContent()).resolves.toContain('系统管理员')
    await waitForCount(rows(admin), 3)
    const wang = rows(admin).filter({ hasText: '王秀英' })
    await expect(wang.textContent()).resolves.toContain('138****5678')
    await expect(wang.textContent()).resolves.toContain('ZY20260001')
    await expect(wang.getByTestId('patient-id-number').textContent()).resolves.toBe(WANG_ID_MASKED)
    await expect(
      rows(admin).filter({ hasText: '张建国' }).getByTestId('patient-id-number').textContent(),
    ).resolves.toBe('—')
    await expect(admin.locator('body').textContent()).resolves.not.toContain('13812345678')
    await expect(admin.locator('body').textContent()).resolves.not.toContain(WANG_ID)
    await expect(admin.getByLabel('搜索患者').getAttribute('placeholder')).resolves.toBe(
      '姓名 / 住院号 / 完整手机号 / 身份证号',
    )
    await browser.screenshot(admin, 'console-03-patients-admin')

    // search by the full phone number (blind index) and by hospital id
    await admin.getByLabel('搜索患者').fill('13812345678')
    await admin.getByRole('button', { name: '搜索' }).click()
    await admin.waitForURL(/q=13812345678/)
    await waitForCount(rows(admin), 1)
    // and by the full ID number (blind index too)
    await admin.getByLabel('搜索患者').fill(WANG_ID)
    await admin.getByRole('button', { name: '搜索' }).click()
    await admin.waitForURL(new RegExp(`q=${WANG_ID}`))
    await waitForCount(rows(admin), 1)
    await expect(rows(admin).first().textContent()).resolves.toContain('王秀英')
    await admin.getByLabel('搜索患者').fill('不存在的人')
    await admin.getByRole('button', { name: '搜索' }).click()
    await admin.getByText('没有找到与“不存在的人”匹配的患者').waitFor()
    await admin.getByRole('button', { name: '清除' }).click()
    await waitForCount(rows(admin), 3)
  })

  it('admin creates a nurse; server validation errors show on the fields', async () => {
    await nav(admin, '员工管理')
    await admin.getByTestId('staff-row').first().waitFor()
    expect(await admin.getByTestId('staff-row').count()).toBe(4)
    await browser.screenshot(admin, 'console-04-staff')

    await admin.getByRole('button', { name: '+ 新建员工' }).click()
    const form = admin.getByTestId('staff-form')
    await form.locator('#staff-username').fill('Bad Name')
    await form.locator('#staff-name').fill(NEW_NURSE.name)
    await form.locator('#staff-password').fill('short')
    await form.getByRole('button', { name: '创建账号' }).click()
    await form.locator('#staff-password-error').waitFor()
    await expect(form.locator('#staff-password-error').textContent()).resolves.toContain('10')
    await expect(form.locator('#staff-username-error').textContent()).resolves.toContain('小写字母')
    await browser.screenshot(admin, 'console-05-staff-form-errors')

    await form.locator('#staff-username').fill(NEW_NURSE.username)
    await form.locator('#staff-password').fill(NEW_NURSE.password)
    await form.locator('#staff-role').selectOption('nurse')
    await form.getByRole('button', { name: '创建账号' }).click()
    await admin.getByText(`已创建账号 ${NEW_NURSE.username}（护士）`).waitFor()
    await admin.getByTestId('staff-row').filter({ hasText: NEW_NURSE.name }).waitFor()

    // a taken username is reported on the username field
    await admin.getByRole('button', { name: '+ 新建员工' }).click()
    await form.locator('#staff-username').fill(NEW_NURSE.username)
    await form.locator('#staff-name').fill('重名')
    await form.locator('#staff-password').fill(NEW_NURSE.password)
    await form.getByRole('button', { name: '创建账号' }).click()
    await admin.getByText('该账号已被使用，请换一个').waitFor()
    await form.getByRole('button', { name: '取消' }).click()
  })

  it('admin assigns 王秀英 to the new nurse from the patient detail', async () => {
    await nav(admin, '患者管理')
    await rows(admin).filter({ hasText: '王秀英' }).click()
    await admin.getByTestId('patient-card').waitFor()
    await expect(admin.getByTestId('patient-card').textContent()).resolves.toContain(
      `身份证号${WANG_ID_MASKED}`,
    )
    await expect(admin.getByTestId('consents').textContent()).resolves.toContain('诊疗提醒：已同意')
    await expect(admin.getByTestId('consents').textContent()).resolves.toContain('营销：未同意')
    await admin.locator('#assign-nurse').selectOption({ label: `${NEW_NURSE.name}（${NEW_NURSE.username}）` })
    await admin.getByRole('button', { name: '保存分配' }).click()
    await admin.getByText(`已分配给 ${NEW_NURSE.name}`).waitFor()
    await expect(admin.getByTestId('patient-card').textContent()).resolves.toContain(NEW_NURSE.name)
    await browser.screenshot(admin, 'console-06-patient-detail-admin')
  })

  it('the new nurse sees only her patient and no admin pages', async () => {
    const nurse = await browser.newPage()
    await login(nurse, NEW_NURSE.username, NEW_NURSE.password)
    expect(await navLabels(nurse)).toEqual(['患者管理', '系统状态'])
    await waitForCount(rows(nurse), 1)
    await expect(rows(nurse).first().textContent()).resolves.toContain('王秀英')
    await expect(rows(nurse).first().textContent()).resolves.toContain(`${NEW_NURSE.name}（我）`)
    await browser.screenshot(nurse, 'console-07-patients-nurse')

    await rows(nurse).first().click()
    await nurse.getByTestId('patient-card').waitFor()
    await expect(nurse.locator('#assign-nurse').count()).resolves.toBe(0)
    await browser.screenshot(nurse, 'console-08-patient-detail-nurse')

    await nurse.goto(`${h.url}/console/#/staff`)
    await nurse.getByText('无权访问此页面').waitFor()

    // admin deactivates her: her next call answers 401 and the console returns to login
    await nav(admin, '员工管理')
    await admin.getByTestId('staff-row').filter({ hasText: NEW_NURSE.name }).getByText('编辑').click()
    await admin.getByTestId('staff-form').getByRole('checkbox').uncheck()
    await admin.getByRole('button', { name: '保存修改' }).click()
    await admin.getByText(`已保存 ${NEW_NURSE.name} 的修改`).waitFor()
    await nav(nurse, '患者管理')
    await nurse.getByText('登录已过期或账号已被停用，请重新登录').waitFor()
    await nurse.locator('#login-username').waitFor()
    await browser.screenshot(nurse, 'console-13-session-ended')
  })

  it('the head nurse assigns by nurse id (she may not list staff) and sees names unmasked', async () => {
    const head = await browser.newPage()
    await login(head, 'headnurse.wang')
    expect(await navLabels(head)).toEqual(['患者管理', '系统状态'])
    await waitForCount(rows(head), 3)
    await rows(head).filter({ hasText: '张建国' }).click()
    await head.getByTestId('patient-card').waitFor()
    await head.getByText('护士名单仅管理员可查看', { exact: false }).waitFor()
    await head.locator('#assign-nurse').fill('0123456789abcdef01234567')
    await head.getByRole('button', { name: '保存分配' }).click()
    await head.getByText('未找到该护士账号，或该账号不是在职护士').waitFor()
    await browser.screenshot(head, 'console-09-patient-detail-head-nurse')
  })

  it('the marketer sees masked names, no hospital ids and no detail links', async () => {
    const marketer = await browser.newPage()
    await login(marketer, 'marketing.zhao')
    expect(await navLabels(marketer)).toEqual(['患者管理', '系统状态'])
    await waitForCount(rows(marketer), 3)
    const text = (await marketer.getByTestId('patients-table').textContent()) ?? ''
    expect(text).toContain('王*英')
    expect(text).not.toContain('王秀英')
    expect(text).not.toContain('ZY20260001')
    expect(text).not.toContain(WANG_ID_MASKED)
    expect(text).toContain('身份证号')
    expect(text).toContain('138****5678')
    await expect(marketer.getByTestId('patients-table').locator('a').count()).resolves.toBe(0)
    await rows(marketer).first().click()
    expect(marketer.url()).not.toMatch(/#\/patients\//)
    await browser.screenshot(marketer, 'console-10-patients-marketer')
  })

  it("admin's audit log shows the nurse's patient.list, filters and pages with 加载更多", async () => {
    await nav(admin, '审计日志')
    await admin.getByTestId('audit-row').first().waitFor()
    const nurseList = admin
      .getByTestId('audit-row')
      .filter({ hasText: NEW_NURSE.name })
      .filter({ hasText: 'patient.list' })
    await nurseList.first().waitFor()
    await expect(nurseList.first().textContent()).resolves.toContain('护士')
    await browser.screenshot(admin, 'console-11-audit')

    await admin.locator('#audit-action').fill('patient.read')
    await admin.getByRole('button', { name: '查询' }).click()
    await admin.locator('[data-testid="audit-row"][data-action="patient.list"]').first().waitFor({
      state: 'detached',
    })
    // the old rows are gone; wait for the filtered result to render before reading it
    await admin.locator('[data-testid="audit-row"][data-action="patient.read"]').first().waitFor()
    const actions = await admin.getByTestId('audit-row').evaluateAll((rs) => rs.map((r) => r.dataset.action))
    expect(actions.length).toBeGreaterThan(0)
    expect(new Set(actions)).toEqual(new Set(['patient.read']))

    await admin.locator('#audit-patient').fill('not-an-id')
    await admin.getByRole('button', { name: '查询' }).click()
    await admin.getByText('患者 ID 应为 24 位字母数字').waitFor()
  })

  it('pages back through a long audit log with 加载更多', async () => {
    // 60 more list calls as the marketer: more than one page of 50
    const { accessToken } = await h.staffLogin('marketing.zhao')
    for (let i = 0; i < 60; i++) {
      h.clock.advance(1000)
      await h.request('GET', '/api/v1/staff/patients', { token: accessToken })
    }
    await admin.getByRole('button', { name: '重置' }).click()
    await admin.getByRole('button', { name: '加载更多' }).waitFor()
    expect(await admin.getByTestId('audit-row').count()).toBe(50)
    await admin.getByRole('button', { name: '加载更多' }).click()
    await admin.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length > 50)
    const ids = await admin.getByTestId('audit-row').evaluateAll((rs) => rs.map((r) => r.dataset.id))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('the status page keeps the live health cards, and 退出 returns to login', async () => {
    await nav(admin, '系统状态')
    await admin.getByText('MongoDB 读写正常').waitFor({ timeout: 15_000 })
    await expect(admin.getByText('本地模拟器', { exact: true }).count()).resolves.toBe(1)
    await browser.screenshot(admin, 'console-12-status')
    await admin.getByRole('button', { name: '退出' }).click()
    await admin.getByText('员工登录').waitFor()
    expect(await admin.evaluate(() => sessionStorage.length)).toBe(0)
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
