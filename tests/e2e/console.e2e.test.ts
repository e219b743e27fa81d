import { existsSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { GroupSopItemResponse, PrivacyPolicy, TagGroupsResponse } from '@careloop/shared'
import { DEFAULT_CONSOLE_DIR } from '../../server/src/app'
import { DEMO_STAFF_PASSWORD } from '../../server/src/modules/staff/staff-bootstrap.service'
import { isCjkFamily, launchBrowser, renderedFonts } from '../src/e2e/browser'
import { createSimGroup } from '../src/harness/community-fixture'
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
/** 张建国: the rules test records a diabetes diagnosis for him. */
let zhangId = ''

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
/** The page's tab labels, once its tabs have rendered (a read right after navigation can see none). */
const tabLabels = async (page: Page): Promise<string[]> => {
  await page.locator('.tabs .tab').first().waitFor()
  return page.locator('.tabs .tab').allTextContents()
}
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

/** Waits until the segment builder's live count settles on `text` (e.g. 3位, or — for an invalid expression). */
const settledCount = (page: Page, text: string) =>
  page.waitForFunction((t) => {
    const el = document.querySelector('[data-testid="segment-count"]')
    return el?.getAttribute('data-pending') === 'false' && el.textContent === t
  }, text)

/** A hook of the WeCom simulator (a nurse or a patient acting in the WeCom client). */
const simHook = async <T>(name: string, body: unknown): Promise<T> => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, { method: 'POST', body: JSON.stringify(body) })
  const out = (await r.json()) as T
  if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${JSON.stringify(out)}`)
  return out
}

/** `YYYY-MM-DDTHH:mm` in the hospital's zone (what the datetime-local input holds). */
const hospitalLocal = (d: Date): string =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(d)
    .replace(' ', 'T')
const daysInMonth = (month: string): number => {
  const [y = 0, m = 0] = month.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

/** Full-page screenshots from the top (the sticky header would otherwise sit mid-page). */
const shotFromTop = async (page: Page, name: string): Promise<void> => {
  await page.evaluate(() => window.scrollTo(0, 0))
  await browser.screenshot(page, name)
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
  zhangId = await createPatient('console-zhang', {
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
    expect(await navLabels(admin)).toEqual([
      '患者管理',
      '待办任务',
      '随访方案',
      '问卷管理',
      '随访统计',
      '标签管理',
      '人群分群',
      '病友社群',
      '消息推送',
      '健康科普',
      '营销活动',
      '兑换核销',
      '奖品管理',
      '积分规则',
      '积分负债',
      '订单与退款',
      '会员方案',
      '员工管理',
      '审计日志',
      '系统状态',
    ])
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
    expect(await navLabels(nurse)).toEqual([
      '患者管理',
      '待办任务',
      '随访方案',
      '问卷管理',
      '随访统计',
      '标签管理',
      '病友社群',
      '健康科普',
      '兑换核销',
      '奖品管理',
      '系统状态',
    ])
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
    // tags: she may look and import, not write rules; segments are not hers
    await nav(nurse, '标签管理')
    expect(await tabLabels(nurse)).toEqual(['分组与标签', '批量导入'])
    await nurse.goto(`${h.url}/console/#/tags?tab=rules`)
    await nurse.getByText('无权使用此功能').waitFor()
    await nurse.goto(`${h.url}/console/#/segments`)
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

  it('the head nurse assigns from the nurse directory and sees names unmasked', async () => {
    const head = await browser.newPage()
    await login(head, 'headnurse.wang')
    expect(await navLabels(head)).toEqual([
      '患者管理',
      '待办任务',
      '随访方案',
      '问卷管理',
      '随访统计',
      '标签管理',
      '人群分群',
      '病友社群',
      '消息推送',
      '健康科普',
      '营销活动',
      '兑换核销',
      '奖品管理',
      '订单与退款',
      '会员方案',
      '系统状态',
    ])
    await waitForCount(rows(head), 3)
    await rows(head).filter({ hasText: '张建国' }).click()
    await head.getByTestId('patient-card').waitFor()
    // she may not list every staff account, but she may list the nurses (GET /api/v1/staff/nurses)
    const options = await head.locator('#assign-nurse option').allTextContents()
    expect(options).toEqual(
      expect.arrayContaining(['未分配', '李娜（nurse.li）', '王护士长（headnurse.wang）']),
    )
    expect(options.join()).not.toContain('marketing.zhao')
    await head.locator('#assign-nurse').selectOption({ label: '王护士长（headnurse.wang）' })
    await head.getByRole('button', { name: '保存分配' }).click()
    await head.getByText('已分配给', { exact: false }).waitFor()
    await browser.screenshot(head, 'console-09-patient-detail-head-nurse')
    await nav(head, '标签管理')
    expect(await tabLabels(head)).toEqual(['分组与标签', '自动规则', '批量导入'])
  })

  it('the marketer sees masked names, no hospital ids and no detail links', async () => {
    const marketer = await browser.newPage()
    await login(marketer, 'marketing.zhao')
    expect(await navLabels(marketer)).toEqual([
      '患者管理',
      '问卷管理',
      '随访统计',
      '标签管理',
      '人群分群',
      '病友社群',
      '消息推送',
      '健康科普',
      '营销活动',
      '兑换核销',
      '奖品管理',
      '积分规则',
      '积分负债',
      '会员方案',
      '系统状态',
    ])
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
    await nav(marketer, '标签管理')
    expect(await tabLabels(marketer)).toEqual(['分组与标签', '自动规则'])
    await marketer.getByRole('button', { name: '+ 新建分组' }).waitFor()
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

  it('admin creates a tag group and tags; the server rejects bad names inline', async () => {
    await nav(admin, '标签管理')
    await admin.getByText('还没有标签分组').waitFor()
    await admin.getByRole('button', { name: '+ 新建分组' }).click()
    await admin.locator('#group-name').fill('慢病')
    await admin.locator('#group-kind').selectOption({ label: '疾病' })
    await admin.getByRole('button', { name: '创建分组' }).click()
    await admin.getByText('已创建分组“慢病”').waitFor()
    const group = admin.getByTestId('tag-group').filter({ hasText: '慢病' })
    await expect(group.locator('.kind-badge').textContent()).resolves.toBe('疾病')

    const addTag = async (name: string, description = '') => {
      await group.getByLabel('新标签名称').fill(name)
      await group.getByLabel('说明（选填）').fill(description)
      await group.getByRole('button', { name: '添加标签' }).click()
    }
    await addTag('2型糖尿病')
    await group.getByText('名称不能以数字开头').waitFor()
    await shotFromTop(admin, 'console-14-tag-name-error')
    await addTag('糖尿病', '确诊 2 型糖尿病')
    await admin.getByText('已创建标签“糖尿病”').waitFor()
    await addTag('高血压')
    await admin.getByText('已创建标签“高血压”').waitFor()
    await waitForCount(group.getByTestId('tag-item'), 2)
    await addTag('糖尿病')
    await group.getByText('已存在名为“糖尿病”的标签（标签名在所有分组中唯一）').waitFor()
    await group.getByLabel('新标签名称').fill('')
    await shotFromTop(admin, 'console-15-tags')
  })

  it('admin tags 王秀英 with a reason, sees who, when and why, and removes a tag with a reason', async () => {
    await nav(admin, '患者管理')
    await rows(admin).filter({ hasText: '王秀英' }).click()
    const card = admin.getByTestId('patient-tags')
    await card.getByText('暂无标签').waitFor()
    await card.getByRole('button', { name: '添加', exact: true }).click()
    await card.getByText('请选择标签').last().waitFor()
    await card.locator('#patient-tag-reason-error').waitFor()

    const tag = async (name: string, reason: string) => {
      await card.locator('#patient-tag').selectOption({ label: name })
      await card.locator('#patient-tag-reason').fill(reason)
      await card.getByRole('button', { name: '添加', exact: true }).click()
      await card.getByText(`已添加标签“${name}”`).waitFor()
    }
    await tag('糖尿病', '门诊确诊 2 型糖尿病')
    await tag('高血压', '血压 150/95 mmHg')
    const row = card.locator('[data-testid="patient-tag-row"][data-tag="糖尿病"]')
    const text = (await row.textContent()) ?? ''
    for (const part of ['慢病', '手动', '门诊确诊 2 型糖尿病', '系统管理员']) expect(text).toContain(part)
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/)

    // removing needs a reason too
    await card.locator('[data-testid="patient-tag-row"][data-tag="高血压"]').getByText('移除').click()
    await card.getByRole('button', { name: '确认移除' }).click()
    await card.getByText('请填写移除原因').waitFor()
    await card.locator('#untag-reason').fill('复诊血压正常，排除诊断')
    await card.getByRole('button', { name: '确认移除' }).click()
    await card.getByText('已移除标签“高血压”').waitFor()
    await waitForCount(card.getByTestId('patient-tag-row'), 1)
    await shotFromTop(admin, 'console-16-patient-tags')

    // the tags are the server's: a reload shows the same
    await admin.reload()
    await card.locator('[data-testid="patient-tag-row"][data-tag="糖尿病"]').waitFor()
    await waitForCount(card.getByTestId('patient-tag-row'), 1)
  })

  it('the segment builder counts live, shows a masked sample, points at errors and saves', async () => {
    await nav(admin, '人群分群')
    const input = admin.locator('#segment-expression')
    // chips insert at the cursor
    await admin.getByTestId('segment-tag-chips').getByRole('button', { name: '糖尿病' }).click()
    await admin.getByRole('button', { name: 'AND', exact: true }).click()
    await admin.getByRole('button', { name: 'age>=60' }).click()
    await expect(input.inputValue()).resolves.toBe('糖尿病 AND age>=60')
    await settledCount(admin, '1位')
    await expect(admin.getByTestId('segment-sample').textContent()).resolves.toContain('王*英')
    await expect(admin.getByTestId('segment-sample').textContent()).resolves.not.toContain('王秀英')

    // a wider expression: everyone aged 50 or more
    await input.fill('age>=50')
    await settledCount(admin, '3位')
    await input.fill('糖尿病 AND age>=60')
    await settledCount(admin, '1位')
    await shotFromTop(admin, 'console-17-segments')

    // a syntax error: the offending AND is underlined at its position
    await input.fill('糖尿病 AND AND')
    const error = admin.getByTestId('segment-error')
    await error.waitFor()
    await expect(error.getAttribute('data-position')).resolves.toBe('8')
    await expect(error.getAttribute('data-length')).resolves.toBe('3')
    await expect(error.textContent()).resolves.toContain('第 9 个字符')
    await expect(admin.getByTestId('expr-mark').textContent()).resolves.toBe('AND')
    await settledCount(admin, '—')
    await shotFromTop(admin, 'console-18-segment-error')

    // an unknown tag, after leading spaces (the server trims; the mark still sits on the name)
    await input.fill('  不存在的标签 OR age>=60')
    await admin.waitForFunction(
      () => document.querySelector('[data-testid="segment-error"]')?.getAttribute('data-position') === '2',
    )
    await expect(error.textContent()).resolves.toContain('标签“不存在的标签”不存在')
    await expect(admin.getByTestId('expr-mark').textContent()).resolves.toBe('不存在的标签')

    // save, then load it back from the list
    await input.fill('糖尿病 AND age>=60')
    await error.waitFor({ state: 'detached' })
    await admin.locator('#segment-name').fill('老年糖尿病')
    await admin.getByRole('button', { name: '保存分群' }).click()
    await admin.getByText('已保存分群“老年糖尿病”').waitFor()
    await input.fill('')
    await admin.getByTestId('saved-segment').filter({ hasText: '老年糖尿病' }).click()
    await expect(input.inputValue()).resolves.toBe('糖尿病 AND age>=60')
    await settledCount(admin, '1位')
    await admin.locator('#segment-name').fill('老年糖尿病')
    await admin.getByRole('button', { name: '保存分群' }).click()
    await admin.getByText('已有同名分群，请换一个名称').waitFor()
    await shotFromTop(admin, 'console-19-segment-saved')
  })

  it('admin builds an auto-tag rule with a live preview, saves, runs and disables it', async () => {
    // a diabetes diagnosis for 张建国 (76), recorded as the HIS would
    const { accessToken } = await h.staffLogin('admin')
    const ev = await h.request('POST', `/api/v1/staff/patients/${zhangId}/events`, {
      token: accessToken,
      body: {
        kind: 'diagnosis',
        code: 'E11.9',
        at: new Date(h.clock.now().getTime() - 86_400_000).toISOString(),
      },
    })
    expect(ev.status).toBe(201)

    await nav(admin, '标签管理')
    await admin.locator('.tabs .tab', { hasText: '自动规则' }).click()
    await admin.getByText('还没有自动打标签规则').waitFor()
    await admin.getByRole('button', { name: '+ 新建规则' }).click()
    const editor = admin.getByTestId('rule-editor')
    await editor.locator('#rule-name').fill('老年糖尿病')
    await editor.locator('#rule-tag').selectOption({ label: '糖尿病' })
    // the first condition starts as "diagnosis code E11"; add age ≥ 60
    await editor.getByRole('button', { name: '+ 添加条件' }).click()
    await waitForCount(editor.getByTestId('rule-atom'), 2)
    await admin.waitForFunction(() => {
      const el = document.querySelector('[data-testid="rule-count"]')
      return el?.getAttribute('data-pending') === 'false' && el.textContent === '1位'
    })
    const preview = editor.getByTestId('rule-preview')
    await expect(preview.textContent()).resolves.toContain(
      '同时满足：有诊断记录（编码以 E11 开头）；年龄 ≥ 60',
    )
    await expect(editor.getByTestId('rule-sample').textContent()).resolves.toContain('张*国')
    await expect(editor.getByTestId('rule-sample').textContent()).resolves.toContain('E11.9')
    await shotFromTop(admin, 'console-20-rule-editor')

    // a bad number is caught on its input, and nothing is previewed
    const days = editor.getByTestId('rule-atom').first().getByLabel('时间范围（天，选填）')
    await days.fill('0')
    await editor.getByText('请填写 1–3650 的整数天数').waitFor()
    await expect(editor.getByTestId('rule-count').textContent()).resolves.toBe('—')
    await days.fill('')

    await editor.getByRole('button', { name: '创建规则' }).click()
    await admin.getByText('已创建规则“老年糖尿病”', { exact: false }).waitFor()
    const row = admin.locator('[data-testid="rule-row"][data-name="老年糖尿病"]')
    await expect(row.textContent()).resolves.toContain('启用')
    await row.getByRole('button', { name: '立即执行' }).click()
    await admin.getByText('规则“老年糖尿病”已执行：当前符合 1 位患者，新增 1 个标签，移除 0 个标签').waitFor()
    await shotFromTop(admin, 'console-21-rules')

    // the tag shows on 张建国 with source 规则 and the reason naming the diagnosis
    const tags = await h.request('GET', `/api/v1/staff/patients/${zhangId}/tags`, { token: accessToken })
    expect(JSON.stringify(tags.body)).toContain('E11.9')

    await row.getByRole('button', { name: '停用' }).click()
    await admin.getByText('已停用规则“老年糖尿病”', { exact: false }).waitFor()
    await expect(row.locator('.state').textContent()).resolves.toBe('停用')
  })

  it('admin imports tags from a CSV file: dry run with a per-line report, then applies', async () => {
    await admin.locator('.tabs .tab', { hasText: '批量导入' }).click()
    const form = admin.getByTestId('tag-import')
    const csv = '患者,标签,操作\nZY20260003,高血压,添加\nZY20269999,高血压,\nZY20260001,不存在的标签,添加\n'
    await form.locator('#import-file').setInputFiles({
      name: '慢病名单.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\ufeff${csv}`, 'utf8'),
    })
    await form.getByText('已读取文件 慢病名单.csv', { exact: false }).waitFor()
    await expect(form.locator('#import-csv').inputValue()).resolves.toContain('ZY20260003,高血压,添加')
    await expect(form.getByRole('button', { name: '确认导入' }).isDisabled()).resolves.toBe(true)

    await form.getByRole('button', { name: '预检（不修改数据）' }).click()
    await form.getByText('请填写导入原因', { exact: false }).waitFor()
    await form.locator('#import-reason').fill('11 月慢病门诊名单')
    await form.getByRole('button', { name: '预检（不修改数据）' }).click()
    const report = admin.getByTestId('import-report')
    await admin.locator('[data-testid="import-report"][data-dry-run="true"]').waitFor()
    const statuses = await report
      .getByTestId('import-row')
      .evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.status))
    expect(statuses).toEqual(['added', 'error', 'error'])
    await expect(report.textContent()).resolves.toContain('将添加')
    await expect(report.textContent()).resolves.toContain('未知标签「不存在的标签」')
    await shotFromTop(admin, 'console-22-import-dry-run')

    await form.getByRole('button', { name: '确认导入' }).click()
    await admin.locator('[data-testid="import-report"][data-dry-run="false"]').waitFor()
    await expect(report.getByTestId('import-row').first().textContent()).resolves.toContain('已添加')
    await admin.getByText('导入完成：添加 1 个、移除 0 个标签', { exact: false }).waitFor()
    await shotFromTop(admin, 'console-23-import-done')
  })

  it('admin links a WeCom customer group as a community and sees its statistics', async () => {
    // in WeCom: the nurse LiNa creates two customer groups and invites 陈美华 (by her WeChat unionid)
    await simHook('seed', {
      members: [
        { userid: 'LiNa', name: '李娜' },
        { userid: 'WangFang', name: '王芳' },
      ],
    })
    const chen = await simHook<{ external_userid: string }>('customers/add', {
      userid: 'LiNa',
      name: '陈美华',
      unionid: h.sim.identity('console-chen').unionid,
    })
    const chatId = await createSimGroup(h, 'LiNa', '糖友之家 · 内分泌科')
    await createSimGroup(h, 'LiNa', '高血压病友群')
    await simHook('groups/join', { chat_id: chatId, external_userid: chen.external_userid, invitor: 'LiNa' })

    await nav(admin, '病友社群')
    await admin.getByText('还没有病友社群').waitFor()
    await admin.getByRole('button', { name: '+ 新建社群' }).click()
    const form = admin.getByTestId('community-form')
    // nothing filled: each field says what it needs
    await form.getByRole('button', { name: '创建社群' }).click()
    await form.getByText('请填写社群名称').waitFor()
    await form.getByText('请选择一个企业微信客户群').waitFor()
    await form.getByText('请先选择群主护士，再选择她的客户群。').waitFor()

    await form.locator('#community-name').fill('糖友之家')
    await form.locator('#community-tag').selectOption({ label: '糖尿病' })
    await form.locator('#community-owner').selectOption({ label: '李娜 · 护士（企业微信 LiNa）' })
    const picker = form.getByTestId('wecom-group-picker')
    await waitForCount(picker.getByTestId('wecom-group'), 2)
    await expect(picker.textContent()).resolves.toContain('群主护士先在企业微信中创建客户群')
    await picker.locator('[data-testid="wecom-group"][data-name="糖友之家 · 内分泌科"]').click()
    await form.locator('#community-description').fill('内分泌科护士每周分享控糖知识，解答用药与饮食问题。')
    await shotFromTop(admin, 'console-24-community-form')

    await form.getByRole('button', { name: '创建社群' }).click()
    await admin.getByText('已创建社群“糖友之家”', { exact: false }).waitFor()
    const row = admin.locator('[data-testid="community-row"][data-name="糖友之家"]')
    const text = (await row.textContent()) ?? ''
    // LiNa and 陈美华 are in the group; 陈美华 is linked to her profile by her unionid
    for (const part of ['糖尿病', '李娜', '2 / 200 人', '糖友之家 · 内分泌科', '运营中'])
      expect(text).toContain(part)
    await expect(row.locator('td.num').textContent()).resolves.toBe('1')
    await expect(admin.getByTestId('communities-summary').textContent()).resolves.toContain('已关联患者档案1')
    await shotFromTop(admin, 'console-25-communities')

    // the group is taken now: the picker shows it as linked
    await admin.getByRole('button', { name: '+ 新建社群' }).click()
    await form.locator('#community-owner').selectOption({ label: '李娜 · 护士（企业微信 LiNa）' })
    const taken = form.locator('[data-testid="wecom-group"][data-name="糖友之家 · 内分泌科"]')
    await taken.getByText('已关联社群').waitFor()
    await expect(taken.locator('input').isDisabled()).resolves.toBe(true)
    await form.getByRole('button', { name: '取消' }).click()
  })

  it('the community detail shows members, and schedules group content within the monthly cap', async () => {
    await admin.locator('[data-testid="community-row"][data-name="糖友之家"]').click()
    await admin.getByTestId('community-card').waitFor()
    await expect(admin.getByTestId('stat-linked').textContent()).resolves.toBe('1')
    const member = admin.getByTestId('member-row').filter({ hasText: '陈美华' })
    await expect(member.textContent()).resolves.toContain('成员邀请')
    await expect(member.getByRole('link', { name: '陈美华' }).getAttribute('href')).resolves.toMatch(
      /^#\/patients\/[0-9a-f]{24}$/,
    )

    // the quota of the month the send time falls in shows before scheduling
    const sendAt = hospitalLocal(new Date(h.clock.now().getTime() + 2 * 3_600_000))
    const month = sendAt.slice(0, 7)
    const cap = daysInMonth(month)
    const sop = admin.getByTestId('group-sop')
    await sop.locator('#sop-send-at').fill(sendAt)
    const quota = admin.locator(`[data-testid="sop-quota"][data-month="${month}"]`)
    await expect(quota.textContent()).resolves.toContain(`已用 0 / 上限 ${cap}`)
    await sop.getByRole('button', { name: '加入排期' }).click()
    await sop.getByText('请填写群发内容').waitFor()
    const message = '【控糖小课堂】本周四 15:00 护士在群内讲解胰岛素注射的常见误区，欢迎提前准备问题。'
    await sop.locator('#sop-text').fill(message)
    await expect(sop.getByTestId('sop-bytes').textContent()).resolves.toContain(
      `${Buffer.byteLength(message)} / 4,000 字节`,
    )
    await sop.locator('#sop-confirm-hours').selectOption({ label: '生成任务后 12 小时内' })
    await sop.getByRole('button', { name: '加入排期' }).click()
    await sop.getByText('已加入排期', { exact: false }).waitFor()
    const first = sop.getByTestId('sop-row').filter({ hasText: '控糖小课堂' })
    await expect(first.textContent()).resolves.toContain('待发送')
    await expect(first.textContent()).resolves.toContain('生成任务后 12 小时')
    await expect(first.textContent()).resolves.toContain(sendAt.replace('T', ' '))
    await admin.waitForFunction(
      ([m, c]) =>
        document
          .querySelector(`[data-testid="sop-quota"][data-month="${m}"]`)
          ?.textContent?.includes(`已用 1 / 上限 ${c}`),
      [month, cap] as const,
    )

    // over 4000 bytes: the counter turns red and nothing is scheduled
    await sop.locator('#sop-text').fill('控'.repeat(1400))
    await expect(sop.getByTestId('sop-bytes').textContent()).resolves.toContain('4,200 / 4,000 字节')
    await expect(sop.getByRole('button', { name: '加入排期' }).isDisabled()).resolves.toBe(true)

    // a second item, cancelled: its quota comes back
    await sop.locator('#sop-text').fill('复诊提醒：请本月未复诊的病友预约内分泌科门诊。')
    await sop.getByRole('button', { name: '加入排期' }).click()
    await waitForCount(sop.getByTestId('sop-row'), 2)
    await admin.waitForFunction(
      ([m, c]) =>
        document
          .querySelector(`[data-testid="sop-quota"][data-month="${m}"]`)
          ?.textContent?.includes(`已用 2 / 上限 ${c}`),
      [month, cap] as const,
    )
    const second = sop.getByTestId('sop-row').filter({ hasText: '复诊提醒' })
    await second.getByRole('button', { name: '取消', exact: true }).click()
    await second.getByRole('button', { name: '取消排期' }).click()
    await sop.getByText('释放 1 次群发额度', { exact: false }).waitFor()
    await sop.locator('[data-testid="sop-row"][data-status="CANCELLED"]').getByText('已取消').waitFor()
    await admin.waitForFunction(
      ([m, c]) =>
        document
          .querySelector(`[data-testid="sop-quota"][data-month="${m}"]`)
          ?.textContent?.includes(`已用 1 / 上限 ${c}`),
      [month, cap] as const,
    )
    await shotFromTop(admin, 'console-26-community-detail')

    // the month filled up (by the API): the form says so and will not schedule
    const { accessToken } = await h.staffLogin('admin')
    const communityId = /#\/communities\/([0-9a-f]{24})/.exec(admin.url())![1]!
    for (let i = 1; i < cap; i++) {
      const r = await h.request('POST', `/api/v1/staff/communities/${communityId}/sop`, {
        token: accessToken,
        body: { text: `每日控糖提示 ${i}`, sendAt },
      })
      expect(GroupSopItemResponse.safeParse(r.body).success).toBe(true)
    }
    await admin.reload()
    await sop.locator('#sop-send-at').fill(sendAt)
    await expect(quota.textContent()).resolves.toContain(`已用 ${cap} / 上限 ${cap}`)
    await sop.getByText('向该群的群发已达企业微信上限', { exact: false }).waitFor()
    await expect(sop.getByRole('button', { name: '加入排期' }).isDisabled()).resolves.toBe(true)
    // the long schedule shows its first rows, upcoming first
    await waitForCount(sop.getByTestId('sop-row'), 10)
    await sop.getByRole('button', { name: `显示全部 ${cap + 1} 条（${cap} 条未完成）` }).waitFor()
    await expect(sop.getByTestId('sop-row').first().textContent()).resolves.toContain('控糖小课堂')
    await shotFromTop(admin, 'console-27-sop-cap-reached')
  })

  it('the marketer sees community statistics but no members or schedule', async () => {
    const marketer = await browser.newPage()
    await login(marketer, 'marketing.zhao')
    await nav(marketer, '病友社群')
    await marketer.locator('[data-testid="community-row"][data-name="糖友之家"]').click()
    await marketer.getByTestId('community-stats').waitFor()
    await marketer.getByText('成员名单不对运营专员开放').waitFor()
    await expect(marketer.getByTestId('group-sop').count()).resolves.toBe(0)
    await expect(marketer.locator('body').textContent()).resolves.not.toContain('陈美华')
    await expect(marketer.getByRole('button', { name: '编辑' }).count()).resolves.toBe(0)
  })

  it('records a diagnosis on the patient detail and reports the tag a rule added', async () => {
    // a rule: an I10 diagnosis → 高血压
    const { accessToken } = await h.staffLogin('admin')
    const groups = TagGroupsResponse.parse(
      (await h.request('GET', '/api/v1/staff/tag-groups', { token: accessToken })).body,
    )
    const hypertension = groups.groups.flatMap((g) => g.tags).find((t) => t.name === '高血压')!
    const rule = await h.request('POST', '/api/v1/staff/tag-rules', {
      token: accessToken,
      body: {
        name: '高血压确诊',
        tagId: hypertension.id,
        condition: { all: [{ event: 'diagnosis', codePrefix: 'I10' }] },
      },
    })
    expect(rule.status).toBe(201)

    await nav(admin, '患者管理')
    await rows(admin).filter({ hasText: '张建国' }).click()
    const card = admin.getByTestId('patient-events')
    // the diabetes diagnosis recorded for the rules test is listed
    await card
      .locator('[data-testid="event-row"][data-kind="diagnosis"]')
      .filter({ hasText: 'E11.9' })
      .waitFor()
    await expect(card.textContent()).resolves.toContain('系统管理员（我）')

    // a malformed code is caught on the field
    await card.locator('#event-kind').selectOption({ label: '诊断' })
    await card.locator('#event-code').fill('110')
    await card.getByRole('button', { name: '记录', exact: true }).click()
    await card.getByText('ICD-10 编码格式不正确', { exact: false }).waitFor()

    // lower case is accepted as typed (the code is normalised to I10)
    await card.locator('#event-code').fill('i10')
    await card.locator('#event-note').fill('门诊血压 160/100 mmHg，确诊原发性高血压')
    await card.getByRole('button', { name: '记录', exact: true }).click()
    const outcome = card.getByTestId('event-outcome')
    await outcome.waitFor()
    await expect(outcome.textContent()).resolves.toContain('已记录诊断 I10')
    await expect(outcome.textContent()).resolves.toContain('已自动打上：高血压')
    await card.locator('[data-testid="event-row"]').filter({ hasText: 'I10' }).waitFor()
    // the tags card refreshed: 高血压 from the rule
    const tag = admin.locator('[data-testid="patient-tag-row"][data-tag="高血压"]')
    await tag.waitFor()
    await expect(tag.textContent()).resolves.toContain('规则')
    await card.scrollIntoViewIfNeeded()
    await shotFromTop(admin, 'console-28-patient-events')
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
