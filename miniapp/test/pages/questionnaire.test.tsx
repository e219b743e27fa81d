import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { SubmitAnswerRequest } from '@careloop/shared'

import { setSimUser } from '../../src/platform/simulator'
import QuestionnairePage from '../../src/pkg-followup/questionnaire/index'
import { __setRouterParams } from '../__mocks__/taro'
import {
  fail,
  fakeApi,
  logIn,
  me,
  ok,
  patient,
  SELF_ID,
  SIM_BASE,
  simulatedConfig,
  type Reply,
} from '../fake-api'
import {
  answer,
  followup,
  Q_ID,
  Q_STEP_ID,
  questionnaire,
  questionnaireStep,
  SUBSCRIBE_TEMPLATES,
} from '../followup-fixtures'

const SUBMIT = `POST /api/v1/me/questionnaires/${Q_ID}/answers`

function routes(extra: Record<string, Reply | ((req: { data?: unknown }) => Reply)> = {}) {
  return fakeApi({
    'GET /api/v1/client-config': ok({ ...simulatedConfig, subscribeTemplates: SUBSCRIBE_TEMPLATES }),
    'GET /api/v1/me': ok(me(patient('张三'))),
    'GET /api/v1/me/followup': ok(followup()),
    [`GET /api/v1/me/questionnaires/${Q_ID}`]: ok(questionnaire),
    ...extra,
  })
}

const q = (container: HTMLElement, key: string) => container.querySelector(`.q-${key}`)!
const click = (el: Element | null) => fireEvent.click(el!)
/** The element once it is rendered. */
const present = (container: HTMLElement, selector: string) =>
  waitFor(() => {
    const el = container.querySelector(selector)
    if (!el) throw new Error(`${selector} is not rendered`)
    return el
  })

/** Answers every question validly (temperature as typed). */
function fillAll(container: HTMLElement, temp = '37.2') {
  click(q(container, 'wound').querySelector('.option-dry'))
  click(q(container, 'symptoms').querySelector('.option-pain'))
  fireEvent.change(q(container, 'temp').querySelector('input')!, { target: { value: temp } })
  click(q(container, 'pain').querySelector('.scale-3'))
  fireEvent.change(q(container, 'note').querySelector('textarea')!, { target: { value: '  伤口有点痒 ' } })
}

async function open() {
  const view = render(<QuestionnairePage />)
  await screen.findByText('伤口情况如何？')
  return view
}

describe('questionnaire page', () => {
  beforeEach(() => {
    logIn()
    __setRouterParams({ step: Q_STEP_ID })
  })

  it('renders the five question types of the step’s questionnaire', async () => {
    routes()
    const { container } = await open()
    expect(container.querySelector('.questionnaire-title')?.textContent).toBe('术后伤口评估')
    expect(container.querySelector('.questionnaire-meta')?.textContent).toBe('骨科术后随访')
    const types = [...container.querySelectorAll('.question-type')].map((t) => t.textContent)
    expect(types).toEqual(['单选', '多选', '数值', '量表', '文本'])
    expect(q(container, 'temp').textContent).toContain('可填写范围：35–42℃')
    expect(q(container, 'pain').querySelectorAll('.scale-point')).toHaveLength(11)
    expect(q(container, 'pain').textContent).toContain('剧痛')
    expect(q(container, 'note').textContent).toContain('选填')
  })

  it('marks every unanswered required question and sends nothing', async () => {
    const sent = routes()
    const { container } = await open()
    click(container.querySelector('.questionnaire-submit'))
    expect(await screen.findByText('还有 4 道题需要检查，请查看标红的题目')).toBeTruthy()
    expect(q(container, 'wound').querySelector('.question-error')?.textContent).toBe('请选择一项')
    expect(q(container, 'symptoms').querySelector('.question-error')?.textContent).toBe('请至少选择一项')
    expect(q(container, 'temp').querySelector('.question-error')?.textContent).toBe('请填写数值')
    expect(q(container, 'pain').querySelector('.question-error')?.textContent).toBe('请选择一项')
    expect(q(container, 'note').className).not.toContain('has-error')
    expect(sent.some((r) => r.method === 'POST')).toBe(false)

    // answering a question takes its error away
    click(q(container, 'wound').querySelector('.option-dry'))
    expect(q(container, 'wound').querySelector('.question-error')).toBeNull()
  })

  it('checks numbers as the server does: range and step', async () => {
    const sent = routes()
    const { container } = await open()
    fillAll(container, '42.5')
    click(container.querySelector('.questionnaire-submit'))
    expect(q(container, 'temp').querySelector('.question-error')?.textContent).toBe('不能大于 42℃')
    fillAll(container, '37.25')
    click(container.querySelector('.questionnaire-submit'))
    expect(q(container, 'temp').querySelector('.question-error')?.textContent).toBe('请按 0.1 的间隔填写')
    fillAll(container, 'abc')
    click(container.querySelector('.questionnaire-submit'))
    expect(q(container, 'temp').querySelector('.question-error')?.textContent).toBe('请输入数字')
    expect(sent.some((r) => r.method === 'POST')).toBe(false)
  })

  it('submits the answers for the step’s profile and shows the score, without a nurse notice', async () => {
    const sent = routes({ [SUBMIT]: { status: 201, data: { ...answer(), duplicate: false } } })
    const { container } = await open()
    fillAll(container)
    click(container.querySelector('.questionnaire-submit'))
    await screen.findByText('感谢您的填写')

    const body = sent.find((r) => r.method === 'POST')!.data as SubmitAnswerRequest
    expect(body).toEqual({
      patientId: SELF_ID,
      stepId: Q_STEP_ID,
      requestId: expect.stringMatching(/^qa-[\w-]{8,}$/) as unknown,
      answers: { wound: 'dry', symptoms: ['pain'], temp: 37.2, pain: 3, note: '伤口有点痒' },
    })
    expect(container.querySelector('.result-score-value')?.textContent).toBe('7')
    expect(container.querySelector('.result-band')?.textContent).toBe('需关注')
    expect(container.querySelector('.red-flag-notice')).toBeNull()
    expect(container.querySelector('.question')).toBeNull()
  })

  it('when a red flag fired, says calmly that the nurse has been told', async () => {
    routes({
      [SUBMIT]: {
        status: 201,
        data: { ...answer({ notice: '您的回答已转给护士，护士会尽快与您联系。' }), duplicate: false },
      },
    })
    const { container } = await open()
    fillAll(container)
    click(q(container, 'wound').querySelector('.option-oozing'))
    click(container.querySelector('.questionnaire-submit'))
    const notice = await screen.findByText('已通知您的护士')
    expect(notice.closest('.red-flag-notice')?.textContent).toContain('护士会尽快与您联系')
  })

  it('retries a lost submission with the same request id', async () => {
    let calls = 0
    const sent = routes({
      [SUBMIT]: () =>
        ++calls === 1
          ? { networkError: 'request:fail timeout' }
          : { status: 201, data: { ...answer(), duplicate: true } },
    })
    const { container } = await open()
    fillAll(container)
    click(container.querySelector('.questionnaire-submit'))
    expect(await screen.findByText('网络连接失败，请检查网络后重试')).toBeTruthy()
    click(container.querySelector('.questionnaire-submit'))
    await screen.findByText('感谢您的填写')
    const ids = sent.filter((r) => r.method === 'POST').map((r) => (r.data as SubmitAnswerRequest).requestId)
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])
  })

  it('shows the questions the server refused at their place', async () => {
    routes({
      [SUBMIT]: fail(400, 'QUESTIONNAIRE_ANSWER_INVALID', 'Invalid answers: temp: must be at most 42℃', [
        {
          questionKey: 'temp',
          path: 'answers.temp',
          problem: 'out_of_range',
          message: 'must be at most 42℃',
        },
      ]),
    })
    const { container } = await open()
    fillAll(container)
    click(container.querySelector('.questionnaire-submit'))
    expect(await screen.findByText('有题目填写不正确，请查看标红的题目')).toBeTruthy()
    expect(q(container, 'temp').querySelector('.question-error')?.textContent).toBe('超出可填写的范围')
  })

  it('shows the earlier answer when the step was answered already', async () => {
    routes({
      'GET /api/v1/me/followup': ok(followup([questionnaireStep({ status: 'done' })])),
      [`GET /api/v1/me/answers?patientId=${SELF_ID}`]: ok({ answers: [answer({ score: 4, band: null })] }),
    })
    const { container } = render(<QuestionnairePage />)
    await screen.findByText('感谢您的填写')
    expect(container.querySelector('.result-score-value')?.textContent).toBe('4')
    expect(container.querySelector('.question')).toBeNull()
  })

  it('提醒我下次随访 asks for the one-time reminders in the tap and records the answer', async () => {
    const sent = routes({
      [SUBMIT]: { status: 201, data: { ...answer(), duplicate: false } },
      [`GET ${SIM_BASE}/_sim/wx/templates`]: ok({ templates: [] }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [{ user: 'demo', openid: 'o-demo', unionid: 'u' }] }),
      [`POST ${SIM_BASE}/_sim/wx/subscribe`]: ok({ openid: 'o-demo', credits: [] }),
      'POST /api/v1/me/subscriptions': ok({ subscriptions: [] }),
    })
    setSimUser('demo')
    const { container } = await open()
    fillAll(container)
    click(container.querySelector('.questionnaire-submit'))
    await screen.findByText('感谢您的填写')

    click(await present(container, '.remind-next'))
    // the simulator's sheet: one-time templates only, each allowed by default; 拒绝 one of them
    await screen.findByText('向您发送以下通知')
    const rows = [...container.querySelectorAll('.subscribe-row')].map((r) => r.className)
    expect(rows).toEqual([
      'subscribe-row subscribe-row-tmpl-questionnaire-due',
      'subscribe-row subscribe-row-tmpl-followup-reminder',
    ])
    click(container.querySelector('.subscribe-row-tmpl-followup-reminder .subscribe-toggle'))
    click(container.querySelector('.subscribe-allow'))

    await waitFor(() => expect(container.querySelector('.remind-next')).toBeNull())
    const decisions = { 'tmpl-questionnaire-due': 'accept', 'tmpl-followup-reminder': 'reject' }
    expect(sent.find((r) => r.url === `${SIM_BASE}/_sim/wx/subscribe`)?.data).toEqual({
      openid: 'o-demo',
      decisions,
    })
    expect(sent.find((r) => r.url === '/api/v1/me/subscriptions')?.data).toEqual({
      results: decisions,
      scene: 'questionnaire',
      requestId: expect.stringMatching(/^sub-/) as unknown,
    })
  })
})
