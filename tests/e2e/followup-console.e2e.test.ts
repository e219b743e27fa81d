import { existsSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { PrivacyPolicy } from '@careloop/shared'
import { DEFAULT_CONSOLE_DIR } from '../../server/src/app'
import { DEMO_STAFF_PASSWORD } from '../../server/src/modules/staff/staff-bootstrap.service'
import { isCjkFamily, launchBrowser, renderedFonts } from '../src/e2e/browser'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * The follow-up pages of the staff console in a real browser against the real server: the head
 * nurse builds and publishes a questionnaire with a red-flag rule, builds the 术后随访 plan (D+1 提醒,
 * D+3 问卷, D+7 宣教), enrols 王秀英 with her surgery date and sees the steps; the patient's red-flag
 * answer becomes an urgent task; 随访统计, 消息推送 and the 模拟时钟 of 系统状态.
 * Screenshots land in artifacts/e2e/followup-*.png.
 */
jest.setTimeout(60_000)

const h = useStaffHarness()
let browser: ReturnType<typeof launchBrowser>
let head: Page
let wang = { id: '', token: '' }
let questionnaireId = ''

const DAY = 86_400_000

/** A patient as the mini-program would create her: login, consent to care, profile. */
const createPatient = async (
  user: string,
  profile: { name: string; gender: 'male' | 'female'; birthYear: number; hospitalPatientId: string },
): Promise<{ id: string; token: string }> => {
  const { accessToken: token, patient } = await h.login(user)
  const policy = PrivacyPolicy.parse((await h.request('GET', '/api/v1/privacy-policy', { token })).body)
  const consent = await h.request('POST', '/api/v1/me/consents', {
    token,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
  expect(consent.status).toBe(200)
  expect((await h.request('PUT', '/api/v1/me', { token, body: profile })).status).toBe(200)
  return { id: patient.id, token }
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
/** An input whose id holds dots (steps.0.title): CSS `#a.b` would read as classes. */
const byId = (page: Page, id: string): Locator => page.locator(`[id="${id}"]`)

/** Full-page screenshots from the top (the sticky header would otherwise sit mid-page). */
const shot = async (page: Page, name: string): Promise<void> => {
  await page.evaluate(() => window.scrollTo(0, 0))
  await browser.screenshot(page, name)
}

/** `YYYY-MM-DD` of a day `days` from today in the hospital's zone. */
const hospitalDay = (days: number): string =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + days * DAY))

const simNow = async (base: string): Promise<number> => {
  const r = await fetch(`${base}/_sim/clock`)
  const body = (await r.json()) as { now: string }
  return Date.parse(body.now)
}

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_CONSOLE_DIR}/index.html`))
    throw new Error('the console is not built; run npm run build:console (npm test does)')
  await h.seedStaff()
  wang = await createPatient('followup-wang', {
    name: '王秀英',
    gender: 'female',
    birthYear: 1956,
    hospitalPatientId: 'ZY20260001',
  })
  browser = launchBrowser()
  head = await browser.newPage()
  await login(head, 'headnurse.wang')
}, 60_000)
afterAll(() => browser?.close())

describe('follow-up console', () => {
  it('shows the follow-up pages in the head nurse navigation, in Chinese', async () => {
    const labels = await head.locator('.sidebar .nav-item').allTextContents()
    expect(labels).toEqual(
      expect.arrayContaining(['待办任务', '随访方案', '问卷管理', '随访统计', '消息推送']),
    )
    expect(await head.locator('.sidebar .nav-section').allTextContents()).toEqual(
      expect.arrayContaining(['工作台', '随访管理', '患者运营']),
    )
    const fonts = await renderedFonts(head, '.sidebar')
    expect(fonts.some((f) => isCjkFamily(f.familyName))).toBe(true)
  })

  it('builds a questionnaire with a red-flag rule, shows errors on the fields, and publishes it', async () => {
    await nav(head, '问卷管理')
    await head.getByTestId('questionnaires-table').waitFor()
    await head.getByRole('link', { name: '+ 新建问卷' }).click()
    await head.getByTestId('questionnaire-form').waitFor()

    // nothing filled in: the shared checks mark the title and the question before any request
    await head.getByRole('button', { name: '保存并发布' }).click()
    await head.locator('.field-invalid #title').waitFor()
    await expect(head.locator('.question-card-invalid').count()).resolves.toBe(1)

    await head.locator('#title').fill('术后第3天随访问卷')
    await byId(head, 'questions.0.text').fill('伤口有无渗液？')
    await byId(head, 'questions.0.options.0.label').fill('无')
    await byId(head, 'questions.0.options.0.score').fill('0')
    await byId(head, 'questions.0.options.1.label').fill('较多')
    await byId(head, 'questions.0.options.1.score').fill('5')
    await head.getByRole('button', { name: '+ 数值题' }).click()
    await byId(head, 'questions.1.text').fill('今天最高体温')
    await byId(head, 'questions.1.min').fill('34')
    await byId(head, 'questions.1.max').fill('43')
    await byId(head, 'questions.1.unit').fill('℃')

    await head.getByRole('button', { name: '+ 添加预警规则' }).click()
    await byId(head, 'redFlags.0.questionKey').selectOption({ label: '第 1 题：伤口有无渗液？' })
    await byId(head, 'redFlags.0.value').selectOption({ label: '较多' })
    await byId(head, 'redFlags.0.label').fill('伤口渗液')
    await head.getByRole('button', { name: '+ 添加分段' }).click()
    await byId(head, 'scoring.bands.0.min').fill('0')
    await byId(head, 'scoring.bands.0.max').fill('4')
    await byId(head, 'scoring.bands.0.label').fill('恢复良好')

    await head.getByRole('button', { name: '保存并发布' }).click()
    await head.getByText(/已发布“术后第3天随访问卷”/).waitFor()
    questionnaireId = /#\/questionnaires\/([0-9a-f]{24})/.exec(head.url())?.[1] ?? ''
    expect(questionnaireId).toMatch(/^[0-9a-f]{24}$/)
    await expect(head.locator('.page-header').textContent()).resolves.toContain('已发布')
    await shot(head, 'followup-01-questionnaire-builder')

    await nav(head, '问卷管理')
    await head.getByTestId('questionnaire-row').filter({ hasText: '术后第3天随访问卷' }).waitFor()
    await expect(head.getByTestId('questionnaire-row').first().textContent()).resolves.toContain('发布 v1')
    await shot(head, 'followup-02-questionnaires')
  })

  it('builds the 术后随访 plan: D+1 提醒, D+3 问卷, D+7 宣教, with thresholds', async () => {
    await nav(head, '随访方案')
    await head.getByTestId('plans-table').waitFor()
    await head.getByRole('link', { name: '+ 新建方案' }).click()
    await head.getByTestId('plan-form').waitFor()
    await head.locator('#name').fill('术后随访')
    await head.locator('#anchor').selectOption('surgery')
    await head.locator('#description').fill('外科术后患者，出院后一周内随访')

    await byId(head, 'steps.0.offsetDays').fill('1')
    await byId(head, 'steps.0.kind').selectOption('reminder')
    await byId(head, 'steps.0.title').fill('术后第1天伤口护理提醒')
    await byId(head, 'steps.0.body').fill('保持伤口干燥，如有渗液请及时联系护士')

    await head.getByRole('button', { name: '+ 添加步骤' }).click()
    await byId(head, 'steps.1.offsetDays').fill('3')
    await byId(head, 'steps.1.kind').selectOption('questionnaire')
    await byId(head, 'steps.1.title').fill('术后第3天问卷')
    await byId(head, 'steps.1.questionnaireId').selectOption(questionnaireId)

    await head.getByRole('button', { name: '+ 添加步骤' }).click()
    await byId(head, 'steps.2.offsetDays').fill('7')
    await byId(head, 'steps.2.kind').selectOption('content')
    await byId(head, 'steps.2.link').fill('not a link')
    await byId(head, 'thresholds.bpSystolic.max').fill('140')
    await byId(head, 'thresholds.glucose.min').fill('9')
    await byId(head, 'thresholds.glucose.max').fill('7')
    await head.locator('[id="thresholds.noReadingDays"]').fill('3')

    // the third step has no title, its link is no URL, the glucose range is upside down
    await head.getByRole('button', { name: '创建方案' }).click()
    await head.locator('[id="steps.2.title-error"]').waitFor()
    await expect(head.locator('[id="steps.2.link-error"]').textContent()).resolves.toContain('http')
    await expect(head.getByTestId('plan-thresholds').textContent()).resolves.toContain('最小值不能大于最大值')
    await shot(head, 'followup-03-plan-errors')

    await byId(head, 'steps.2.title').fill('术后康复宣教')
    await byId(head, 'steps.2.link').fill('https://example.org/rehab')
    await byId(head, 'thresholds.glucose.min').fill('3.9')
    await byId(head, 'thresholds.glucose.max').fill('10')
    await head.getByRole('button', { name: '创建方案' }).click()
    await head.getByText('已创建随访方案“术后随访”（3 个步骤）').waitFor()
    await expect(head.locator('.page-header h1').textContent()).resolves.toBe('术后随访')
    await shot(head, 'followup-04-plan-builder')

    await nav(head, '随访方案')
    const row = head.getByTestId('plan-row').filter({ hasText: '术后随访' })
    await row.waitFor()
    const text = (await row.textContent()) ?? ''
    for (const s of ['手术日', 'D+1 提醒', 'D+3 问卷', 'D+7 宣教']) expect(text).toContain(s)
    await shot(head, 'followup-05-plans')
  })

  it('enrols 王秀英 with her surgery date and shows the steps; pause and resume', async () => {
    await head.goto(`${h.url}/console/#/patients/${wang.id}`)
    const card = head.getByTestId('patient-followup')
    await card.getByText('尚未入组随访方案').waitFor()
    await card.getByRole('button', { name: '+ 入组' }).click()
    await head.locator('#enrol-plan').selectOption({ label: '术后随访（手术日起，3 步）' })
    const surgery = hospitalDay(-2)
    await head.locator('#enrol-anchor').fill(surgery)
    await head.getByRole('button', { name: '确认入组' }).click()
    await card.getByText(`已入组“术后随访”，手术日 ${surgery}，共 3 个步骤`).waitFor()

    const enrolment = card.getByTestId('enrolment').filter({ hasText: '术后随访' })
    const steps = enrolment.getByTestId('step')
    await steps.nth(2).waitFor()
    expect(await steps.count()).toBe(3)
    const rows = await steps.allTextContents()
    expect(rows[0]).toContain('D+1')
    expect(rows[0]).toContain('术后第1天伤口护理提醒')
    expect(rows[0]).toContain('待完成') // due yesterday, its 2-day window still open
    expect(rows[1]).toContain('D+3')
    expect(rows[1]).toContain('问卷')
    expect(rows[1]).toContain('未到期')
    expect(rows[2]).toContain('D+7')
    expect(rows[2]).toContain('宣教')
    await expect(enrolment.textContent()).resolves.toContain('进行中')

    await enrolment.getByRole('button', { name: '暂停' }).click()
    await enrolment.locator('.enrol-paused').waitFor()
    await enrolment.getByRole('button', { name: '恢复' }).click()
    await enrolment.locator('.enrol-active').waitFor()
    await shot(head, 'followup-06-patient-followup')
  })

  it("the patient's red-flag answer shows on her detail and becomes an urgent task, completed with a note", async () => {
    const r = await h.request('POST', `/api/v1/me/questionnaires/${questionnaireId}/answers`, {
      token: wang.token,
      body: { patientId: wang.id, requestId: 'e2e-answer-0001', answers: { q1: 'o2', q2: 37.6 } },
    })
    expect(r.status).toBe(201)

    // the detail page is open already (previous test): load it afresh
    await head.reload()
    const answers = head.getByTestId('patient-answers')
    await answers.getByTestId('answer').first().waitFor()
    await expect(answers.getByTestId('answer-red-flags').textContent()).resolves.toContain('伤口渗液')
    await expect(answers.locator('.answer-item-flagged').textContent()).resolves.toContain('较多')
    await head.getByTestId('patient-readings').getByText('暂无测量记录').waitFor()
    await shot(head, 'followup-07-patient-answers')

    await nav(head, '待办任务')
    const task = head.getByTestId('task-row').filter({ hasText: '伤口渗液' })
    await task.waitFor()
    await expect(task.locator('.badge-urgent').textContent()).resolves.toBe('紧急')
    await expect(head.getByTestId('task-row').first().textContent()).resolves.toContain('紧急')
    await expect(task.getByRole('link', { name: '王秀英' }).getAttribute('href')).resolves.toBe(
      `#/patients/${wang.id}`,
    )
    await shot(head, 'followup-08-tasks')
    await task.getByRole('button', { name: '完成' }).click()
    await task.getByLabel('处理记录').fill('已电话联系，明日门诊换药')
    await task.getByRole('button', { name: '确认完成' }).click()
    await head.getByText(/^已完成：.*伤口渗液/).waitFor()
    await head.getByRole('link', { name: '全部未完成' }).click()
    await head.getByTestId('tasks-table').waitFor()
    await expect(head.getByTestId('task-row').filter({ hasText: '伤口渗液' }).count()).resolves.toBe(0)

    // the questionnaire's statistics count her answer
    await head.goto(`${h.url}/console/#/questionnaires/${questionnaireId}/stats`)
    const summary = head.getByTestId('questionnaire-summary')
    await summary.waitFor()
    await expect(summary.textContent()).resolves.toMatch(/答卷数1.*平均得分5.*触发预警1/)
    const wound = head.getByTestId('question-stats').filter({ hasText: '伤口有无渗液？' })
    await expect(wound.locator('.bar-row').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^无0/),
      expect.stringMatching(/^较多1/),
    ])
    await shot(head, 'followup-09-questionnaire-stats')
  })

  it('shows 随访统计 and 消息推送 with the dead-letter filter', async () => {
    await nav(head, '随访统计')
    await head.getByTestId('rates-table').waitFor()
    await head.getByRole('button', { name: '按护士' }).click()
    await head.getByRole('columnheader', { name: '责任护士' }).waitFor()
    await shot(head, 'followup-10-rates')

    await nav(head, '消息推送')
    await head.getByTestId('push-stats').waitFor()
    await head.getByTestId('outbox-table').waitFor()
    await shot(head, 'followup-11-outbox')
    await head.locator('.tabs .tab', { hasText: '死信' }).click()
    await head.waitForURL(/#\/outbox\?status=dead/)
    await head.getByText('没有死信').waitFor()
  })

  it('系统状态 shows the simulator clock and moves it forward by one day', async () => {
    await nav(head, '系统状态')
    const card = head.getByTestId('sim-clock')
    await card.waitFor()
    await card
      .getByTestId('sim-clock-time')
      .filter({ hasText: /^\d{4}-\d{2}-\d{2} / })
      .waitFor()
    const before = await simNow(h.sim.url)
    const wecomBefore = await simNow(h.wecom.url)
    await card.getByRole('button', { name: '+1 天' }).click()
    await card.getByText('刚刚已拨快 1 天').waitFor()
    const moved = (await simNow(h.sim.url)) - before
    expect(moved).toBeGreaterThanOrEqual(DAY)
    expect(moved).toBeLessThan(DAY + 60_000)
    // the harness runs the WeCom simulator on its own clock: it was moved by the same day
    const wecomMoved = (await simNow(h.wecom.url)) - wecomBefore
    expect(wecomMoved).toBeGreaterThanOrEqual(DAY)
    expect(wecomMoved).toBeLessThan(DAY + 60_000)
    await expect(card.textContent()).resolves.toContain('比真实时间快 1 天')
    await shot(head, 'followup-12-sim-clock')
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
