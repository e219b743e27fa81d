import type { ServiceTodayResponse, Staff, TodayItem } from '@careloop/shared'
import type { WecomInboundMessage } from './callback-xml'
import { utf8Bytes, WECOM_TEXT_MAX_BYTES } from './command-format'
import {
  COMPLETE_USAGE_TEXT,
  createNurseHandler,
  LIST_EXPIRED_TEXT,
  REPEAT_SAFE_TIMEOUT_TEXT,
} from './commands'
import {
  COMPLETE_HINT,
  ENROL_USAGE_TEXT,
  formatEnrol,
  formatToday,
  TODAY_EMPTY_TEXT,
} from './followup-format'
import { ServerCallError, type ServerClient } from './server-client'

const NOW = new Date('2026-03-02T02:00:00.000Z') // 10:00 in Shanghai
const clock = { now: () => NOW }
const lina: Staff = {
  id: '0123456789abcdef01234567',
  username: 'nurse.li',
  name: '李娜',
  role: 'nurse',
  wecomUserId: 'LiNa',
  active: true,
  createdAt: '2026-01-01T00:00:00.000Z',
}
const nurse = { id: lina.id, name: '李娜', role: 'nurse' }
const greeting = '李娜护士，您好。\n'
const notUsed = () => Promise.reject(new Error('not used here'))

const bound = (over: Partial<ServerClient>) => {
  const s: ServerClient = {
    staffByWecomUserId: () => Promise.resolve(lina),
    forwardEvent: notUsed,
    nurseCommunities: notUsed,
    nursePendingSends: notUsed,
    patientTag: notUsed,
    nurseToday: notUsed,
    nurseComplete: notUsed,
    nurseEnrol: notUsed,
    ...over,
  }
  return async (content: string) =>
    (await createNurseHandler(
      s,
      { warn: jest.fn() },
      clock,
    )({ msgType: 'text', fromUserName: 'LiNa', content } as WecomInboundMessage))!.slice(greeting.length)
}
const refused = (status: number | null, code: string | null) => () =>
  Promise.reject(new ServerCallError(status, 'refused', code))

const item = (n: number, over: Partial<TodayItem> = {}): TodayItem => ({
  n,
  ref: `a1b2c${n}`,
  type: 'task',
  id: `${'a'.repeat(23)}${n}`,
  kind: 'missed',
  urgent: false,
  title: '漏访：术后问卷',
  patient: { id: 'f'.repeat(24), name: '张三' },
  dueAt: '2026-03-02T01:00:00.000Z',
  dueAtLocal: '2026-03-02 09:00',
  overdue: false,
  ...over,
})

const today = (items: TodayItem[], more = 0): ServiceTodayResponse => ({
  nurse,
  date: '2026-03-02',
  items,
  more,
})

describe('今日随访', () => {
  it('lists urgent tasks, missed steps and due steps, numbered, with how to mark one done', async () => {
    const nurseToday = jest.fn(() =>
      Promise.resolve(
        today([
          item(1, {
            kind: 'red_flag',
            urgent: true,
            title: '红旗症状：伤口渗液',
            dueAtLocal: '2026-03-02 09:30',
            dueAt: '2026-03-02T01:30:00.000Z',
          }),
          item(2, {
            overdue: true,
            dueAt: '2026-03-01T10:00:00.000Z',
            dueAtLocal: '2026-03-01 18:00',
            patient: { id: 'e'.repeat(24), name: '李四' },
          }),
          item(3, {
            type: 'step',
            kind: 'questionnaire',
            title: '术后问卷',
            dueAt: '2026-03-02T02:30:00.000Z',
            dueAtLocal: '2026-03-02 10:30',
          }),
        ]),
      ),
    )
    const reply = await bound({ nurseToday })('今日随访')
    expect(nurseToday).toHaveBeenCalledWith('LiNa')
    expect(reply).toBe(
      [
        '今日随访（3月2日，共 3 项，紧急 1 项）：',
        '1. 【紧急】张三 · 红旗预警：红旗症状：伤口渗液 · 今天 09:30',
        '2. 【逾期】李四 · 漏访：术后问卷 · 昨天 18:00',
        '3. 张三 · 问卷「术后问卷」待患者完成 · 今天 10:30',
        COMPLETE_HINT,
      ].join('\n'),
    )
  })

  it('says when there is nothing, and keeps a long list within one WeCom message', async () => {
    expect(await bound({ nurseToday: () => Promise.resolve(today([])) })('随访')).toBe(TODAY_EMPTY_TEXT)
    const many = Array.from({ length: 30 }, (_, i) =>
      item(i + 1, { title: `漏访：${'很长的随访步骤名称'.repeat(3)}` }),
    )
    const text = formatToday(today(many, 12), NOW, 1000)
    expect(utf8Bytes(text)).toBeLessThanOrEqual(1000)
    expect(text).toMatch(/…还有 \d+ 项/)
    expect(text).toContain('共 42 项')
    expect(text.endsWith(COMPLETE_HINT)).toBe(true)
    const reply = await bound({ nurseToday: () => Promise.resolve(today(many, 12)) })('jr')
    expect(utf8Bytes(greeting + reply)).toBeLessThanOrEqual(WECOM_TEXT_MAX_BYTES)
  })
})

describe('完成', () => {
  it('sends the item (number or ref) and a note; reports done and already done', async () => {
    const nurseComplete = jest.fn<
      ReturnType<ServerClient['nurseComplete']>,
      Parameters<ServerClient['nurseComplete']>
    >((_u, body) =>
      Promise.resolve({
        nurse,
        alreadyDone: body.item === 'a1b2c3',
        type: 'task',
        ref: 'a1b2c3',
        title: '漏访：术后问卷',
        patient: { id: 'f'.repeat(24), name: '张三' },
      }),
    )
    const say = bound({ nurseComplete })
    expect(await say('完成 2 已电话联系')).toBe('已完成：张三 · 漏访：术后问卷。')
    expect(nurseComplete).toHaveBeenLastCalledWith('LiNa', { item: '2', note: '已电话联系' })
    expect(await say('完成 A1B2C3')).toBe('「漏访：术后问卷」（张三）已经标记完成，无需重复操作。')
    expect(nurseComplete).toHaveBeenLastCalledWith('LiNa', { item: 'a1b2c3' })
    expect(await say('完成')).toBe(COMPLETE_USAGE_TEXT)
  })

  it('explains an expired list, a wrong number, a cancelled task and a timeout (repeating is safe)', async () => {
    expect(await bound({ nurseComplete: refused(409, 'FOLLOWUP_LIST_EXPIRED') })('完成 1')).toBe(
      LIST_EXPIRED_TEXT,
    )
    expect(await bound({ nurseComplete: refused(404, 'TASK_NOT_FOUND') })('完成 9')).toBe(
      '今天的列表里没有第 9 项。发送「今日随访」查看最新列表。',
    )
    expect(await bound({ nurseComplete: refused(404, 'TASK_NOT_FOUND') })('完成 abcdef')).toContain(
      '任务号 abcdef',
    )
    expect(await bound({ nurseComplete: refused(409, 'TASK_NOT_OPEN') })('完成 1')).toContain('已取消')
    expect(await bound({ nurseComplete: refused(null, 'TIMEOUT') })('完成 1')).toBe(REPEAT_SAFE_TIMEOUT_TEXT)
  })
})

describe('入组', () => {
  const patient = {
    id: 'f'.repeat(24),
    name: '张三',
    phone: '138****1234',
    gender: 'female',
    birthYear: 1956,
  } as const

  it('enrols by patient and plan name, with an optional anchor date', async () => {
    const nurseEnrol = jest.fn<
      ReturnType<ServerClient['nurseEnrol']>,
      Parameters<ServerClient['nurseEnrol']>
    >(() =>
      Promise.resolve({
        outcome: 'done',
        created: true,
        patient,
        plan: { id: 'd'.repeat(24), name: '术后随访' },
        anchorDate: '2026-03-05',
        next: { title: '术后第1天提醒', dueAtLocal: '2026-03-06 09:00' },
      }),
    )
    const reply = await bound({ nurseEnrol })('入组 张三 术后随访 2026/3/5')
    expect(nurseEnrol).toHaveBeenCalledWith('LiNa', {
      patient: '张三',
      plan: '术后随访',
      anchorDate: '2026-03-05',
    })
    expect(reply).toBe(
      '已为 张三（女，1956年生，138****1234） 加入随访方案「术后随访」（基准日 2026-03-05）。\n下一步：术后第1天提醒，2026-03-06 09:00。',
    )
    expect(await bound({ nurseEnrol })('入组 张三')).toBe(ENROL_USAGE_TEXT)
    expect(await bound({ nurseEnrol })('入组 张三 术后随访 2026-02-30')).toContain('日期要是真实的日期')
  })

  it('asks to be more precise when several patients or plans match, and explains refusals', async () => {
    const ambiguous = formatEnrol(
      {
        outcome: 'ambiguous',
        field: 'patient',
        candidates: [{ id: 'f'.repeat(24), label: '张三 138****1234' }],
        total: 3,
      },
      { patient: '张三', plan: '术后随访', anchorDate: undefined },
    )
    expect(ambiguous).toContain('「张三」匹配到 3 位您负责的患者')
    expect(ambiguous).toContain('入组 1234 术后随访')
    expect(
      await bound({ nurseEnrol: refused(400, 'FOLLOWUP_ANCHOR_REQUIRED') })('入组 张三 术后随访'),
    ).toContain('入组 张三 术后随访 2026-03-05')
    expect(
      await bound({ nurseEnrol: refused(404, 'FOLLOWUP_PLAN_NOT_FOUND') })('入组 张三 出院随访'),
    ).toContain('没有名为「出院随访」的随访方案')
    expect(await bound({ nurseEnrol: refused(404, 'PATIENT_NOT_FOUND') })('入组 王五 术后随访')).toContain(
      '没有找到「王五」',
    )
  })
})
