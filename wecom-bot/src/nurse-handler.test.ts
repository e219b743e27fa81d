import type { Staff } from '@careloop/shared'
import type { WecomInboundMessage } from './callback-xml'
import { formatCommunities } from './command-format'
import {
  BUSY_TEXT,
  createNurseHandler,
  HELP_TEXT,
  NOT_BOUND_TEXT,
  SERVER_DOWN_TEXT,
  SERVER_ERROR_TEXT,
  TAG_TIMEOUT_TEXT,
} from './commands'
import { ServerCallError, type ServerClient } from './server-client'

const lina: Staff = {
  id: '0123456789abcdef01234567',
  username: 'nurse.li',
  name: '李娜',
  role: 'nurse',
  wecomUserId: 'LiNa',
  active: true,
  createdAt: '2026-11-01T00:00:00.000Z',
}

const text = (from: string, content: string): WecomInboundMessage =>
  ({ msgType: 'text', fromUserName: from, content }) as WecomInboundMessage

const notUsed = () => Promise.reject(new Error('not used here'))
const server = (impl: ServerClient['staffByWecomUserId']): ServerClient & { calls: string[] } => {
  const calls: string[] = []
  return {
    calls,
    staffByWecomUserId: (u) => {
      calls.push(u)
      return impl(u)
    },
    forwardEvent: notUsed,
    nurseCommunities: notUsed,
    nursePendingSends: notUsed,
    patientTag: notUsed,
    nurseToday: notUsed,
    nurseComplete: notUsed,
    nurseEnrol: notUsed,
  }
}

describe('createNurseHandler', () => {
  it('identifies the nurse by her WeCom userid and greets her by name', async () => {
    const s = server((u) => Promise.resolve(u === 'LiNa' ? lina : null))
    const reply = await createNurseHandler(s)(text('LiNa', '帮助'))
    expect(reply).toBe(`李娜护士，您好。\n${HELP_TEXT}`)
    expect(s.calls).toEqual(['LiNa'])
  })

  it('refuses a WeCom member who is not bound to an active staff account', async () => {
    const reply = await createNurseHandler(server(() => Promise.resolve(null)))(text('Stranger', '帮助'))
    expect(reply).toBe(NOT_BOUND_TEXT('Stranger'))
    expect(reply).toContain('员工管理')
  })

  it('answers politely when the server is down, and ignores non-text messages', async () => {
    const warn = jest.fn()
    const handler = createNurseHandler(
      server(() => Promise.reject(new Error('ECONNREFUSED'))),
      { warn },
    )
    expect(await handler(text('LiNa', '帮助'))).toBe(SERVER_DOWN_TEXT)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(await handler({ msgType: 'event', fromUserName: 'LiNa' } as WecomInboundMessage)).toBeNull()
  })
})

describe('createNurseHandler: 标签, 群, 待发', () => {
  const NOW = new Date('2026-11-23T02:00:00.000Z') // 10:00 in Shanghai
  const clock = { now: () => NOW }
  const greeting = '李娜护士，您好。\n'
  const patient = {
    id: 'f'.repeat(24),
    name: '张三',
    phone: '138****1234',
    gender: 'female',
    birthYear: 1956,
  } as const
  const nurse = { id: lina.id, name: '李娜', role: 'nurse' }

  /** A bound nurse whose command calls are answered by `over`. */
  const bound = (over: Partial<ServerClient>) => {
    const s = { ...server(() => Promise.resolve(lina)), ...over }
    return (content: string) => createNurseHandler(s, { warn: jest.fn() }, clock)(text('LiNa', content))
  }
  const refused = (status: number | null, code: string | null) => () =>
    Promise.reject(new ServerCallError(status, 'refused', code))

  it('标签 sends the parsed request for the nurse and reports the result', async () => {
    const patientTag = jest.fn<
      ReturnType<ServerClient['patientTag']>,
      Parameters<ServerClient['patientTag']>
    >(() =>
      Promise.resolve({
        outcome: 'done',
        action: 'tag',
        changed: true,
        patient,
        tag: { id: 'd'.repeat(24), name: '糖尿病' },
      }),
    )
    const reply = await bound({ patientTag })('标签　张三，糖尿病 门诊确诊')
    expect(patientTag).toHaveBeenCalledWith('LiNa', {
      patient: '张三',
      tag: '糖尿病',
      action: 'tag',
      reason: '门诊确诊',
    })
    expect(reply).toBe(
      `${greeting}已给 张三（女，1956年生，138****1234） 打上「糖尿病」标签。\n原因：门诊确诊`,
    )
  })

  it('标签 without a reason leaves it to the server; 去标签 untags', async () => {
    const patientTag = jest.fn<
      ReturnType<ServerClient['patientTag']>,
      Parameters<ServerClient['patientTag']>
    >(() =>
      Promise.resolve({
        outcome: 'done',
        action: 'untag',
        changed: true,
        patient,
        tag: { id: 'd'.repeat(24), name: '糖尿病' },
      }),
    )
    await bound({ patientTag })('标签 1234 -糖尿病')
    expect(patientTag).toHaveBeenCalledWith('LiNa', { patient: '1234', tag: '糖尿病', action: 'untag' })
  })

  it('标签 refuses over-long fields before calling the server', async () => {
    const patientTag = jest.fn(notUsed)
    const reply = await bound({ patientTag })(`标签 张三 ${'很'.repeat(21)}`)
    expect(reply).toContain('<标签名>太长（最多 20 个字）')
    expect(patientTag).not.toHaveBeenCalled()
    expect(await bound({ patientTag })(`标签 张三 糖尿病 ${'因'.repeat(101)}`)).toContain(
      '[原因]太长（最多 100 个字）',
    )
  })

  it.each([
    ['PATIENT_NOT_FOUND', 404, '在您负责的患者中没有找到「张三」'],
    ['TAG_NOT_FOUND', 404, '没有名为「糖尿病」的标签'],
    ['FORBIDDEN', 403, '您的角色不能给患者打标签'],
    ['STAFF_NOT_FOUND', 404, '尚未绑定 CareLoop 员工账号'],
    ['VALIDATION_FAILED', 400, '打标签请这样写'],
    ['RATE_LIMITED', 429, BUSY_TEXT],
    ['TIMEOUT', null, TAG_TIMEOUT_TEXT],
    [null, null, SERVER_DOWN_TEXT],
    ['INTERNAL', 500, SERVER_DOWN_TEXT],
    ['AUTH_TOKEN_INVALID', 401, SERVER_DOWN_TEXT],
    ['BAD_RESPONSE', 200, SERVER_ERROR_TEXT],
  ])('标签 answers %s (%s) politely', async (code, status, expected) => {
    const reply = await bound({ patientTag: refused(status, code) })('标签 张三 糖尿病')
    expect(reply).toContain(expected)
    expect(reply!.startsWith(greeting)).toBe(true)
  })

  it('标签 with an ambiguous patient lists the candidates', async () => {
    const reply = await bound({
      patientTag: () =>
        Promise.resolve({
          outcome: 'ambiguous',
          candidates: [patient, { ...patient, id: 'e'.repeat(24), phone: '139****5678' }],
          total: 2,
        }),
    })('标签 张三 糖尿病')
    expect(reply).toContain('1. 张三（女，1956年生，138****1234）\n2. 张三（女，1956年生，139****5678）')
    expect(reply).toContain('标签 1234 糖尿病')
  })

  it('群 and 待发 answer from the server, within the WeCom limit including the greeting', async () => {
    const nurseCommunities = jest.fn(() => Promise.resolve({ nurse, communities: [] }))
    expect(await bound({ nurseCommunities })('群统计')).toBe(
      `${greeting}${formatCommunities({ nurse, communities: [] })}`,
    )
    expect(nurseCommunities).toHaveBeenCalledWith('LiNa')
    const sends = Array.from({ length: 60 }, (_, i) => ({
      itemId: String(i).padStart(24, 'e'),
      communityId: 'c'.repeat(24),
      communityName: '糖友之家',
      chatId: 'wrchat',
      text: '各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，欢迎参加。',
      msgid: `msg${i}`,
      ownerNurse: { id: lina.id, name: '李娜' },
      taskCreatedAt: '2026-11-22T01:00:00.000Z',
      deadline: '2026-11-23T10:00:00.000Z',
      deadlineLocal: '2026-11-23 18:00',
      overdue: false,
      escalatedAt: null,
    }))
    const reply = await bound({ nursePendingSends: () => Promise.resolve({ nurse, sends }) })('待群发')
    expect(new TextEncoder().encode(reply!).length).toBeLessThanOrEqual(2048)
    expect(reply).toContain('截止 今天 18:00')
    expect(reply).toMatch(/…还有 \d+ 项\n请在企业微信「客户群发」中确认发送/)
  })

  it('群 and 待发 degrade politely when the server fails, and a bug is no crash', async () => {
    expect(await bound({ nurseCommunities: refused(null, null) })('群')).toBe(
      `${greeting}${SERVER_DOWN_TEXT}`,
    )
    expect(await bound({ nursePendingSends: refused(503, 'NOT_READY') })('待发')).toBe(
      `${greeting}${SERVER_DOWN_TEXT}`,
    )
    expect(await bound({ nursePendingSends: refused(null, 'TIMEOUT') })('待发')).toBe(
      `${greeting}${SERVER_DOWN_TEXT}`,
    )
    expect(await bound({ nurseCommunities: () => Promise.reject(new TypeError('boom')) })('群')).toBe(
      `${greeting}${SERVER_ERROR_TEXT}`,
    )
  })
})
