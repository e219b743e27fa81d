import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import FollowupPlanPage from '../../src/pkg-followup/plan/index'
import FollowupStepPage from '../../src/pkg-followup/step/index'
import { setSimUser } from '../../src/platform/simulator'
import { __setRouterParams } from '../__mocks__/taro'
import { fail, fakeApi, logIn, me, member, ok, patient, SIM_BASE, simulatedConfig } from '../fake-api'
import {
  followup,
  laterStep,
  LATER_STEP_ID,
  Q_STEP_ID,
  questionnaireStep,
  REMINDER_STEP_ID,
  step,
  SUBSCRIBE_TEMPLATES,
} from '../followup-fixtures'
import { taro } from '../taro-mock'

const click = (el: Element | null) => fireEvent.click(el!)
/** The element once it is rendered. */
const present = (container: HTMLElement, selector: string) =>
  waitFor(() => {
    const el = container.querySelector(selector)
    if (!el) throw new Error(`${selector} is not rendered`)
    return el
  })
const config = (templates: unknown = SUBSCRIBE_TEMPLATES) =>
  ok({ ...simulatedConfig, subscribeTemplates: templates })

describe('我的随访', () => {
  beforeEach(logIn)

  it('shows each plan with anchor, nurse and its steps with status badges', async () => {
    fakeApi({
      'GET /api/v1/client-config': config(),
      'GET /api/v1/me/followup': ok(
        followup([
          step({ status: 'done', doneAt: '2026-11-02T03:00:00.000Z' }),
          questionnaireStep({ status: 'missed' }),
          step({ id: '65f0c0ffee00000000500009', title: '已取消的提醒', status: 'cancelled' }),
          step({ id: '65f0c0ffee0000000050000a', title: '护士电话回访', kind: 'nurse_task' }),
          laterStep(),
        ]),
      ),
    })
    const { container } = render(<FollowupPlanPage />)
    await screen.findByText('骨科术后随访')
    expect(container.querySelector('.enrolment-anchor')?.textContent).toBe('2026年11月1日')
    expect(container.textContent).toContain('出院日')
    expect(container.querySelector('.enrolment-nurse')?.textContent).toBe('李娜')
    const rows = [...container.querySelectorAll('.step-row')]
    expect(
      rows.map((r) => [
        r.querySelector('.step-title')?.textContent,
        r.querySelector('.step-status')?.textContent,
      ]),
    ).toEqual([
      ['出院第 1 天：按时服药', '已完成'],
      ['护士电话回访', '待完成'],
      ['术后第 3 天伤口评估', '已错过'],
      ['康复期饮食指导', '未开始'],
    ])
    expect(rows[0]!.querySelector('.step-date-text')?.textContent).toBe('11月2日 09:00')
    // a nurse's call is not the patient's to open
    click(rows[1]!)
    expect(taro.navigateTo).not.toHaveBeenCalled()
    click(rows[2]!)
    expect(taro.navigateTo).toHaveBeenLastCalledWith({
      url: `/pkg-followup/questionnaire/index?step=${Q_STEP_ID}`,
    })
    click(rows[3]!)
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: `/pkg-followup/step/index?id=${LATER_STEP_ID}` })
  })

  it('shows an empty state without plans', async () => {
    fakeApi({
      'GET /api/v1/client-config': config(),
      'GET /api/v1/me/followup': ok({ patientId: '65f0c0ffee0000000000abcd', enrolments: [], next: [] }),
    })
    render(<FollowupPlanPage />)
    expect(await screen.findByText('暂无随访计划')).toBeTruthy()
  })

  it('开启随访提醒 asks for the two one-time reminders, records them, and is not offered again', async () => {
    setSimUser('demo')
    const sent = fakeApi({
      'GET /api/v1/client-config': config(),
      'GET /api/v1/me/followup': ok(followup()),
      [`GET ${SIM_BASE}/_sim/wx/templates`]: ok({
        templates: [
          { id: 'tmpl-followup-reminder', title: '随访提醒' },
          { id: 'tmpl-questionnaire-due', title: '问卷填写提醒' },
        ],
      }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [{ user: 'demo', openid: 'o-demo', unionid: 'u' }] }),
      [`POST ${SIM_BASE}/_sim/wx/subscribe`]: ok({ openid: 'o-demo', credits: [] }),
      'POST /api/v1/me/subscriptions': ok({ subscriptions: [] }),
    })
    const { container, unmount } = render(<FollowupPlanPage />)
    click(await present(container, '.enable-reminders'))
    expect(await screen.findByText('随访提醒')).toBeTruthy()
    expect(screen.getByText('问卷填写提醒')).toBeTruthy()
    click(container.querySelector('.subscribe-allow'))
    await waitFor(() => expect(container.querySelector('.enable-reminders')).toBeNull())
    expect(sent.find((r) => r.url === '/api/v1/me/subscriptions')?.data).toEqual({
      results: { 'tmpl-followup-reminder': 'accept', 'tmpl-questionnaire-due': 'accept' },
      scene: 'enrol',
      requestId: expect.stringMatching(/^sub-/) as unknown,
    })
    expect(taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已开启随访提醒' }))

    unmount()
    render(<FollowupPlanPage />)
    await screen.findByText('骨科术后随访')
    expect(document.querySelector('.enable-reminders')).toBeNull()
  })

  it('does not offer reminders when the deployment has only long-term templates', async () => {
    fakeApi({
      'GET /api/v1/client-config': config({ health_notice: SUBSCRIBE_TEMPLATES.health_notice }),
      'GET /api/v1/me/followup': ok(followup()),
    })
    const { container } = render(<FollowupPlanPage />)
    await screen.findByText('骨科术后随访')
    await waitFor(() => expect(taro.request).toHaveBeenCalledTimes(2))
    expect(container.querySelector('.enable-reminders')).toBeNull()
  })
})

describe('随访任务 page', () => {
  beforeEach(logIn)

  it('acknowledges a due reminder with 我已完成', async () => {
    __setRouterParams({ id: REMINDER_STEP_ID })
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': ok(followup()),
      [`POST /api/v1/me/followup/steps/${REMINDER_STEP_ID}/done`]: ok({
        step: step({ status: 'done', doneAt: '2026-11-02T03:00:00.000Z' }),
        alreadyDone: false,
      }),
    })
    const { container } = render(<FollowupStepPage />)
    await screen.findByText('请按医嘱服药，并观察伤口情况。')
    expect(container.querySelector('.step-status')?.textContent).toBe('待完成')
    click(screen.getByText('我已完成'))
    await waitFor(() => expect(container.querySelector('.step-finished')).toBeTruthy())
    expect(container.querySelector('.step-status')?.textContent).toBe('已完成')
    expect(container.querySelector('.step-done')).toBeNull()
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('an article says 已阅读 and copies its link; a scheduled one is not open yet', async () => {
    __setRouterParams({ id: LATER_STEP_ID })
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': ok(followup([laterStep()])),
    })
    const { container } = render(<FollowupStepPage />)
    await screen.findByText('康复期饮食指导')
    expect(container.querySelector('.step-done')).toBeNull()
    expect(container.querySelector('.step-not-yet')?.textContent).toContain('12月1日 09:00')
    click(container.querySelector('.step-copy-link'))
    await waitFor(() =>
      expect(taro.setClipboardData).toHaveBeenCalledWith({ data: 'https://example.org/diet' }),
    )
  })

  it('finds the step of a family member the message was about', async () => {
    const mother = member('王桂兰')
    __setRouterParams({ id: REMINDER_STEP_ID })
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'), { others: [mother] })),
      'GET /api/v1/me/followup': ok(followup([])),
      [`GET /api/v1/me/followup?patientId=${mother.id}`]: ok(followup()),
    })
    const { container } = render(<FollowupStepPage />)
    await screen.findByText('出院第 1 天：按时服药')
    expect(container.querySelector('.step-profile')?.textContent).toBe('王桂兰')
  })

  it('sends a questionnaire step on to the questionnaire page', async () => {
    __setRouterParams({ id: Q_STEP_ID })
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': ok(followup()),
    })
    render(<FollowupStepPage />)
    await waitFor(() =>
      expect(taro.redirectTo).toHaveBeenCalledWith({
        url: `/pkg-followup/questionnaire/index?step=${Q_STEP_ID}`,
      }),
    )
  })

  it('says so when the step is not the account’s (or was cancelled away)', async () => {
    __setRouterParams({ id: '65f0c0ffee00000000599999' })
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': ok(followup()),
    })
    render(<FollowupStepPage />)
    expect(await screen.findByText('该随访任务不存在或已取消')).toBeTruthy()
  })

  it('shows the step as it is now when it closed meanwhile', async () => {
    __setRouterParams({ id: REMINDER_STEP_ID })
    let loads = 0
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': () => ok(followup([step({ status: ++loads === 1 ? 'due' : 'missed' })])),
      [`POST /api/v1/me/followup/steps/${REMINDER_STEP_ID}/done`]: fail(409, 'FOLLOWUP_STEP_STATE', 'closed'),
    })
    const { container } = render(<FollowupStepPage />)
    click(await screen.findByText('我已完成'))
    await waitFor(() => expect(container.querySelector('.step-missed')).toBeTruthy())
    expect(container.querySelector('.step-error')?.textContent).toBe(
      '该随访任务当前不能标记完成（未到时间或已结束）',
    )
  })
})
