import { existsSync } from 'node:fs'
import { CampaignStatsResponse, InboxResponse } from '@careloop/shared'
import type { Locator, Page } from 'playwright-core'
import { DEFAULT_CONSOLE_DIR, DEFAULT_H5_DIR } from '../../server/src/app'
import { createLogger } from '../../server/src/logger'
import { createCampaignsModule } from '../../server/src/modules/campaigns/campaign.module'
import { createContentModule } from '../../server/src/modules/content/content.module'
import { patientModel } from '../../server/src/modules/patients/patient.model'
import type { PushModule } from '../../server/src/modules/push/push.module'
import { tagGroupModel, tagModel } from '../../server/src/modules/tags/tag.model'
import { DEMO_STAFF_PASSWORD } from '../../server/src/modules/staff/staff-bootstrap.service'
import { launchBrowser } from '../src/e2e/browser'
import { seedTaggedPatients } from '../src/harness/campaign-fixture'
import { articleIn } from '../src/harness/content-fixture'
import { acceptTemplate, consentedPatient, pushWorkerFor, type TestPatient } from '../src/harness/push-kit'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Issue 7 tried as new users would, in the staff console (Chromium) against the real server, the push
 * worker and the WeChat simulator: the marketer writes an article, sees 「根治」 refused and highlighted
 * on 提交审核, fixes it; the head nurse approves it clinically and the admin for compliance. The
 * marketer builds a weekly campaign to 糖尿病 AND age>=60 (live count), the head nurse approves it
 * after the audience count and the preview per channel; the run's progress bar moves while it sends,
 * then the funnel shows targeted → … → converted with skips and fallbacks by reason; the patient finds
 * the message in the h5 message centre. Screenshots: artifacts/e2e/campaigns-*.png.
 */
jest.setTimeout(180_000)

// quiet hours off: the run must go out whatever the hour the test runs at
const h = useStaffHarness({ env: { PUSH_QUIET_HOURS: 'off' } })
let browser: ReturnType<typeof launchBrowser>
let marketer: Page
let head: Page
let admin: Page
let push: PushModule

const ARTICLE = '控制血糖的五个好习惯'
const HEALTH_NOTICE = 'tmpl-health-notice'
const BULK = 12
let articleId = ''
let campaignId = ''
const real: Record<string, TestPatient & { user: string }> = {}
let diabetes = ''

/** A patient as the mini-program creates them: WeChat login, consents, profile; tagged 糖尿病 if asked. */
const patient = async (
  user: string,
  profile: { name: string; gender: 'male' | 'female'; birthYear: number },
  o: { marketing: boolean; tag: string | null },
): Promise<TestPatient & { user: string }> => {
  const p = await consentedPatient(h, user, { marketing: o.marketing })
  expect((await h.request('PUT', '/api/v1/me', { token: p.token, body: profile })).status).toBe(200)
  if (o.tag) {
    const at = h.clock.now()
    const by = { kind: 'system', id: null }
    await patientModel(h.db).updateOne(
      { _id: p.patientId },
      { $push: { tags: { tagId: o.tag, source: 'manual', reason: 'e2e', by, at } } },
    )
  }
  return { ...p, user }
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

/** Full-page screenshots from the top, once transitions (0.6 s bars) have finished. */
const shot = async (page: Page, name: string): Promise<void> => {
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.waitForTimeout(700)
  await browser.screenshot(page, name)
}

/** `YYYY-MM-DD HH:mm` parts of an instant in the hospital's zone, and its weekday (0 = Sunday). */
const shanghai = (d: Date) => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Shanghai',
      hour12: false,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!)
  return { weekday, time: `${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}` }
}

const funnelCounts = async (page: Page): Promise<Record<string, number>> =>
  Object.fromEntries(
    await page
      .getByTestId('funnel-step')
      .evaluateAll((rows) =>
        rows.map((r) => [r.getAttribute('data-step'), Number(r.getAttribute('data-count'))]),
      ),
  ) as Record<string, number>

/** Waits for the campaign's state chip to read `label` (pages re-read the campaign after a change). */
const stateIs = (page: Page, label: string): Promise<void> =>
  page
    .getByTestId('campaign-state')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .waitFor()

/** Polls until `read` answers `expected` (15 s), then asserts it. */
const eventually = async <T>(read: () => Promise<T>, expected: T): Promise<void> => {
  const until = Date.now() + 15_000
  let value = await read()
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 150))
    value = await read()
  }
  expect(value).toEqual(expected)
}

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_CONSOLE_DIR}/index.html`))
    throw new Error('the console is not built; run npm run build:console (npm test does)')
  if (!existsSync(`${DEFAULT_H5_DIR}/index.html`))
    throw new Error(`${DEFAULT_H5_DIR} is not built; run npm run build:miniapp (npm test does)`)
  await h.seedStaff()
  push = pushWorkerFor(h)

  const group = await tagGroupModel(h.db).create({ name: '慢病', kind: 'disease' })
  diabetes = (await tagModel(h.db).create({ groupId: group._id, name: '糖尿病' }))._id.toHexString()
  await tagModel(h.db).create({ groupId: group._id, name: '高血压' })

  const people: [string, string, 'male' | 'female', number][] = [
    ['li', '李建国', 'male', 1958],
    ['wang', '王桂兰', 'female', 1955],
    ['chen', '陈志强', 'male', 1961],
    ['liu', '刘秀珍', 'female', 1952],
    ['yang', '杨国华', 'male', 1949],
    ['huang', '黄丽', 'female', 1963],
    ['zhou', '周文', 'male', 1957],
    ['wu', '吴敏', 'female', 1960],
  ]
  const run = Date.now().toString(36)
  for (const [key, name, gender, birthYear] of people)
    real[key] = await patient(
      `e2e-camp-${key}-${run}`,
      { name, gender, birthYear },
      { marketing: true, tag: diabetes },
    )
  // in the segment without marketing consent (skipped), and a young diabetic outside it
  real.zhao = await patient(
    `e2e-camp-zhao-${run}`,
    { name: '赵淑芬', gender: 'female', birthYear: 1950 },
    { marketing: false, tag: diabetes },
  )
  real.sun = await patient(
    `e2e-camp-sun-${run}`,
    { name: '孙小雨', gender: 'female', birthYear: 1992 },
    { marketing: true, tag: diabetes },
  )
  await seedTaggedPatients(h, diabetes, BULK)
  // 王桂兰 accepted the health notice in the mini-program: hers goes out as a WeChat subscribe message
  await acceptTemplate(h, real.wang!, HEALTH_NOTICE)

  browser = launchBrowser()
  marketer = await browser.newPage()
  head = await browser.newPage()
  admin = await browser.newPage()
  await login(marketer, 'marketing.zhao')
  await login(head, 'headnurse.wang')
  await login(admin, 'admin')
}, 120_000)
afterAll(() => browser?.close())

describe('content library and campaigns in the console (issue 7)', () => {
  it('shows 内容与活动 in the marketer navigation', async () => {
    const sections = await marketer.locator('.sidebar .nav-section').allTextContents()
    expect(sections).toContain('内容与活动')
    const labels = await marketer.locator('.sidebar .nav-item').allTextContents()
    expect(labels).toEqual(expect.arrayContaining(['健康科普', '营销活动']))
  })

  it('the marketer writes an article: 「根治」 is refused and highlighted, the fixed one goes to review', async () => {
    const m = marketer
    await nav(m, '健康科普')
    await m.getByTestId('articles-table').waitFor()
    await m.getByRole('link', { name: '+ 写文章' }).click()
    await m.getByTestId('article-form').waitFor()

    await m.locator('#article-title').fill(ARTICLE)
    await m.locator('#article-summary').fill('饮食、运动、监测、用药与复诊，五个习惯帮您平稳控糖')
    await m.locator('#article-category').fill('糖尿病')
    await m.locator('.article-tags').getByRole('button', { name: '糖尿病' }).click()
    // the body through the toolbar: a heading, a paragraph, a list
    await m.locator('#article-body').click()
    await m.getByTestId('rte-h2').click()
    await m.keyboard.type('规律监测血糖')
    await m.keyboard.press('Enter')
    await m.keyboard.type('每天固定时间测量血糖并记在小程序里。坚持这五个习惯，可以根治糖尿病。')
    await m.keyboard.press('Enter')
    await m.getByTestId('rte-ul').click()
    await m.keyboard.type('少吃精米白面，多吃蔬菜')
    await m.keyboard.press('Enter')
    await m.keyboard.type('每天快走 30 分钟')
    await m.getByRole('button', { name: '使用默认免责声明' }).click()
    await expect(m.locator('#article-disclaimer').inputValue()).resolves.toContain('不能替代医生')

    await m.getByRole('button', { name: '提交审核' }).click()
    const note = m.getByTestId('claim-note')
    await note.waitFor()
    await expect(note.textContent()).resolves.toContain('「根治」')
    await expect(m.getByTestId('claim-context').textContent()).resolves.toContain('根治')
    // the phrase is highlighted in place in the editor (CSS Custom Highlight over the body's text)
    const highlighted: unknown = await m.evaluate(
      "[...(CSS.highlights.get('blocked-claim')?.values() ?? [])].map((r) => r.toString())",
    )
    expect(highlighted).toEqual(['根治'])
    // the draft was saved; only the submission was refused
    articleId = /#\/articles\/([0-9a-f]{24})\/edit/.exec(m.url())?.[1] ?? ''
    expect(articleId).toMatch(/^[0-9a-f]{24}$/)
    await shot(m, 'campaigns-01-article-blocked-claim')

    // fixed in the HTML source view
    await m.getByRole('button', { name: '</> 源码' }).click()
    const source = m.locator('textarea#article-body')
    const html = await source.inputValue()
    expect(html).toContain('<h2>规律监测血糖</h2>')
    expect(html).toContain('<ul><li>')
    await source.fill(html.replace('可以根治糖尿病', '有助于平稳控制血糖'))
    await m.getByRole('button', { name: '</> 源码' }).click()
    await m.getByRole('button', { name: '提交审核' }).click()
    await m.getByText(/已提交临床审核（v1）/).waitFor()
    await expect(m.getByTestId('article-status').first().textContent()).resolves.toBe('临床审核中')
    await expect(m.getByTestId('article-view').textContent()).resolves.toContain('有助于平稳控制血糖')
  })

  it('the head nurse approves it clinically, the admin for compliance: published with its review trail', async () => {
    await nav(head, '健康科普')
    await head.getByText('有 1 篇文章等待您临床审核').waitFor()
    await head.getByRole('link', { name: '查看待审核' }).click()
    await head.getByTestId('article-row').filter({ hasText: ARTICLE }).click()
    const panel = head.getByTestId('review-panel')
    await panel.waitFor()
    await expect(head.getByTestId('article-view').locator('h2').textContent()).resolves.toBe('规律监测血糖')
    await shot(head, 'campaigns-02-clinical-review')
    await head.locator('#review-comment').fill('内容准确，建议补充低血糖处理')
    await panel.getByRole('button', { name: '临床审核通过' }).click()
    await head.getByText('v1 临床审核通过，已转管理员合规审批').waitFor()
    await expect(head.getByTestId('article-status').first().textContent()).resolves.toBe('合规审核中')

    await admin.goto(`${h.url}/console/#/articles/${articleId}`)
    await admin.getByTestId('review-panel').getByRole('button', { name: '合规审批通过并发布' }).click()
    await admin.getByText('v1 合规审批通过，文章已发布').waitFor()
    await expect(admin.getByTestId('article-status').first().textContent()).resolves.toBe('已发布')
    const trail = await admin.getByTestId('review-trail').first().textContent()
    expect(trail).toMatch(/提交审核.*临床审核 通过.*王护士长.*补充低血糖处理.*合规审批 通过/)
    await admin.getByTestId('article-stats').waitFor()
    await shot(admin, 'campaigns-03-article-published')

    await nav(admin, '健康科普')
    const row = admin.getByTestId('article-row').filter({ hasText: ARTICLE })
    await expect(row.getByTestId('article-status').textContent()).resolves.toBe('已发布')
    await shot(admin, 'campaigns-04-articles')
  })

  it('the marketer builds a weekly campaign to 糖尿病 AND age>=60 with a live count and submits it', async () => {
    const m = marketer
    await nav(m, '营销活动')
    await m.getByTestId('campaigns-table').waitFor()
    await m.getByRole('link', { name: '+ 新建活动' }).click()
    await m.getByTestId('campaign-form').waitFor()
    await m.locator('#campaign-name').fill('糖尿病患者每周控糖科普')

    // a typo first: the count stops and the error is placed; then the real expression
    const count = m.getByTestId('campaign-audience-count')
    await m.locator('#campaign-expression').fill('糖尿病 AND')
    await m.getByTestId('segment-error').waitFor()
    await m.locator('#campaign-expression').fill('糖尿病 AND age>=60')
    await m.locator('[data-testid="campaign-audience-count"][data-pending="false"]').waitFor()
    // 8 consenting patients, one without marketing consent, 12 more: 21 (the 33-year-old is not in it)
    await expect(count.textContent()).resolves.toBe(`${9 + BULK}位`)

    await m.getByTestId('article-picker').getByText(ARTICLE).click()
    // channels: subscribe first, the message centre as fallback (the defaults)
    await expect(m.getByTestId('campaign-channels').textContent()).resolves.toMatch(
      /1微信订阅消息.*2小程序消息中心/,
    )

    // 周期: the helper writes the cron (每周一 09:00 → 0 9 * * 1), then this week's slot two minutes ahead
    await m.getByTestId('campaign-delivery-panel').getByText('周期', { exact: true }).click()
    await expect(m.getByTestId('cron-expression').textContent()).resolves.toBe('0 9 * * 1')
    await expect(m.getByTestId('cron-helper').textContent()).resolves.toContain('每周一 09:00')
    const slot = new Date(Math.ceil(h.clock.now().getTime() / 60_000) * 60_000 + 2 * 60_000)
    const local = shanghai(slot)
    await m.locator('#cron-weekday').selectOption(String(local.weekday))
    await m.locator('#cron-time').fill(local.time)
    const [hh, mm] = local.time.split(':').map(Number) as [number, number]
    await expect(m.getByTestId('cron-expression').textContent()).resolves.toBe(
      `${mm} ${hh} * * ${local.weekday}`,
    )
    await m.getByRole('checkbox', { name: '统计转化' }).check()
    await m.locator('#campaign-goal').selectOption('article_read')
    await shot(m, 'campaigns-05-campaign-editor')

    await m.getByRole('button', { name: '提交审批' }).click()
    await m.getByText(/已提交审批/).waitFor()
    campaignId = /#\/campaigns\/([0-9a-f]{24})$/.exec(m.url())?.[1] ?? ''
    expect(campaignId).toMatch(/^[0-9a-f]{24}$/)
    await stateIs(m, '待审批')
    // a marketer may not approve: the approval page is a preview for her
    await expect(m.getByRole('link', { name: '查看审批预览' }).count()).resolves.toBe(1)
  })

  it('the head nurse sees the audience count and the message per channel, and approves', async () => {
    await nav(head, '营销活动')
    await head.getByText('有 1 个活动等待您审批').waitFor()
    await head.getByTestId('campaign-row').filter({ hasText: '糖尿病患者每周控糖科普' }).click()
    await head.getByRole('link', { name: '预览并审批' }).click()
    const preview = head.getByTestId('campaign-preview')
    await preview.waitFor()
    await expect(head.getByTestId('preview-audience-count').textContent()).resolves.toBe(`${9 + BULK}位`)
    await expect(head.getByTestId('preview-inbox').textContent()).resolves.toContain(ARTICLE)
    await expect(head.getByTestId('preview-subscribe').textContent()).resolves.toContain(ARTICLE)
    await shot(head, 'campaigns-06-approval')

    await head.getByTestId('campaign-decision').getByRole('button', { name: '批准活动' }).click()
    await head.getByText('已批准：活动将按计划发送').waitFor()
    await stateIs(head, '已批准')
    await expect(head.getByTestId('campaign-approvals').textContent()).resolves.toMatch(
      /提交审批.*审批通过.*王护士长/,
    )
  })

  it('the run: a live progress bar while it sends, then the funnel with skips and fallbacks by reason', async () => {
    // the slot comes: the worker's tick creates the run and puts one message per patient in the outbox
    h.clock.advance(3 * 60_000)
    const campaigns = createCampaignsModule({
      config: h.config,
      clock: h.clock,
      db: h.db,
      logger: createLogger('silent'),
      push: push.port,
      content: createContentModule({ clock: h.clock, db: h.db, logger: createLogger('silent') }).port,
      owner: 'e2e-campaigns',
    })
    expect(await campaigns.runner.tick()).toMatchObject({ runsCreated: 1, rowsCreated: 9 + BULK })

    // the open detail page notices the run and shows it sending, then part of it sent
    const progress = head.getByTestId('run-progress')
    await head.locator('[data-testid="run-progress"][data-live="true"]').waitFor({ timeout: 15_000 })
    await expect(head.getByTestId('run-progress-label').textContent()).resolves.toBe(
      `正在发送：0 / ${9 + BULK} 条`,
    )
    await push.worker.dispatchClaimed(await push.worker.claimBatch(8))
    await head
      .getByTestId('run-progress-label')
      .filter({ hasText: `正在发送：8 / ${9 + BULK} 条` })
      .waitFor()
    // the totals follow the live run
    await head
      .getByTestId('campaign-totals')
      .filter({ hasText: /已送达\s*8/ })
      .waitFor()
    await shot(head, 'campaigns-07-run-sending')

    await push.worker.dispatchDue()
    await head.locator('[data-testid="run-progress"][data-live="false"]').waitFor({ timeout: 15_000 })
    await expect(progress.textContent()).resolves.toContain(`发送完成：${9 + BULK} 条已处理`)

    // the patients: five read the message-centre message, four open the article from it, three read it through
    const stats = async () =>
      CampaignStatsResponse.parse(
        (
          await h.request('GET', `/api/v1/staff/campaigns/${campaignId}/stats`, {
            token: (await h.staffLogin('admin')).accessToken,
          })
        ).body,
      )
    const runId = (await stats()).runs[0]!.run.id
    for (const key of ['chen', 'liu', 'yang', 'huang', 'zhou']) {
      const p = real[key]!
      const inbox = InboxResponse.parse((await h.request('GET', '/api/v1/me/inbox', { token: p.token })).body)
      const msg = inbox.messages.find((x) => x.title === ARTICLE)!
      expect(msg.page).toBe(`pkg-content/article/index?id=${articleId}&campaignRunId=${runId}`)
      expect((await h.request('POST', `/api/v1/me/inbox/${msg.id}/read`, { token: p.token })).status).toBe(
        200,
      )
    }
    const read = async (key: string, completed: boolean) => {
      for (const event of ['open', 'close'] as const) {
        const r = await h.request('POST', `/api/v1/me/articles/${articleId}/reads`, {
          token: real[key]!.token,
          body: {
            readId: `e2e-read-${key}`,
            event,
            seconds: completed ? 45 : 8,
            completed,
            campaignRunId: runId,
          },
        })
        expect(r.status).toBe(200)
      }
    }
    await read('wang', true) // from the WeChat message
    await read('chen', true)
    await read('liu', true)
    await read('yang', false)

    await head.reload()
    await head.getByTestId('campaign-funnel').waitFor()
    await eventually(() => funnelCounts(head), {
      targeted: 9 + BULK,
      sent: 8 + BULK,
      delivered: 8 + BULK,
      opened: 6,
      clicked: 4,
      converted: 3,
    })
    const skipped = head.getByTestId('reason-bars').filter({ hasText: '跳过原因' })
    await expect(skipped.getByTestId('reason-row').first().textContent()).resolves.toMatch(
      /^未同意接收营销信息1/,
    )
    const fallbacks = head.getByTestId('reason-bars').filter({ hasText: '改用下一渠道' })
    // the seeded patients never opened the mini-program (no openid); the others gave no subscribe credit
    await expect(fallbacks.textContent()).resolves.toMatch(new RegExp(`未绑定微信${BULK}.*无订阅消息额度7`))
    await expect(head.getByTestId('delivered-by-channel').textContent()).resolves.toMatch(
      new RegExp(`微信订阅消息 ?1.*小程序消息中心 ?${7 + BULK}`),
    )
    await stateIs(head, '进行中')
    await shot(head, 'campaigns-08-run-funnel')

    await nav(marketer, '营销活动')
    const row = marketer.getByTestId('campaign-row').filter({ hasText: '糖尿病患者每周控糖科普' })
    await row
      .getByTestId('last-run')
      .filter({ hasText: `送达 ${8 + BULK} / ${9 + BULK} · 打开 6 · 转化 3` })
      .waitFor()
    await shot(marketer, 'campaigns-09-campaigns')
  })

  it('the patient finds the message in the h5 message centre and opens the article', async () => {
    const page = await browser.newPage({ mobile: true })
    const shown = (selector: string): Locator => page.locator(selector).locator('visible=true').first()
    await page.goto(`${h.url}/h5/`)
    await shown('.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(real.li!.user)
    await shown('.login-button').click()
    await shown('.greeting').waitFor({ timeout: 15_000 })
    await shown('.entry-messages').click()
    const row = shown(`.message-row:has-text("${ARTICLE}")`)
    await row.waitFor({ timeout: 15_000 })
    await page.waitForTimeout(400)
    await browser.screenshot(page, 'campaigns-10-h5-message-centre')
    await row.click()
    await shown('.article-title').waitFor({ timeout: 15_000 })
    await expect(shown('.article-title').textContent()).resolves.toBe(ARTICLE)
    await page.waitForTimeout(400)
    await browser.screenshot(page, 'campaigns-11-h5-article')
  })

  it('pause, resume and cancel from the detail page', async () => {
    await head.goto(`${h.url}/console/#/campaigns/${campaignId}`)
    await head.getByRole('button', { name: '暂停' }).click()
    await head.getByText('已暂停：未发出的消息暂缓发送').waitFor()
    await stateIs(head, '已暂停')
    await head.getByRole('button', { name: '恢复' }).click()
    await head.getByText('已恢复：暂缓的消息继续发送').waitFor()
    await head.getByRole('button', { name: '取消活动' }).click()
    await head.getByRole('dialog').getByRole('button', { name: '确认取消活动' }).click()
    await head.getByText('活动已取消，不再发送').waitFor()
    await stateIs(head, '已取消')
    // the run's statistics stay
    await expect(funnelCounts(head)).resolves.toMatchObject({ targeted: 9 + BULK, converted: 3 })
  })

  it('a rejected article comes back to its author as 已驳回 with the comment; the admin edits the blocked phrases', async () => {
    const tokens = {
      marketer: (await h.staffLogin('marketing.zhao')).accessToken,
      head: (await h.staffLogin('headnurse.wang')).accessToken,
      admin: (await h.staffLogin('admin')).accessToken,
    }
    const a = await articleIn(h, tokens, 'clinical_review', {
      title: '高血压患者的饮食建议',
      category: '高血压',
    })
    await head.goto(`${h.url}/console/#/articles/${a.id}`)
    const panel = head.getByTestId('review-panel')
    await panel.getByRole('button', { name: '驳回修改' }).click()
    await panel.getByText('驳回时请填写修改意见，作者会看到').waitFor()
    await head.locator('#review-comment').fill('请补充每日食盐不超过 5 克的建议')
    await panel.getByRole('button', { name: '驳回修改' }).click()
    await head.getByText('已驳回 v1，已生成草稿 v2 供作者修改').waitFor()

    await nav(marketer, '健康科普')
    const row = marketer.getByTestId('article-row').filter({ hasText: '高血压患者的饮食建议' })
    await expect(row.getByTestId('article-status').textContent()).resolves.toBe('已驳回')
    await row.click()
    await marketer.getByText(/v1 被临床审核驳回（王护士长）：请补充每日食盐不超过 5 克的建议/).waitFor()
    await expect(marketer.getByTestId('version-item').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^v2草稿基于 v1/),
      expect.stringMatching(/^v1已驳回/),
    ])
    await shot(marketer, 'campaigns-12-article-rejected')

    await nav(admin, '健康科普')
    await admin.getByRole('link', { name: '违规用语设置' }).click()
    const list = admin.getByTestId('blocked-claims')
    await list.getByRole('button', { name: '删除 根治' }).waitFor()
    await admin.locator('#claim-new').fill('包治百病')
    await admin.getByRole('button', { name: '添加' }).click()
    await admin.getByRole('button', { name: '保存设置' }).click()
    await admin.getByText(/已保存：9 个违规用语/).waitFor()
    await expect(list.textContent()).resolves.toContain('系统管理员')
    await shot(admin, 'campaigns-13-blocked-claims')
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
