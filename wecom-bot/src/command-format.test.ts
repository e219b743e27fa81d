import {
  Community,
  PendingGroupSend,
  ServiceNurseCommunitiesResponse,
  ServicePatientTagResponse,
  ServicePendingSendsResponse,
  type BotPatient,
} from '@careloop/shared'
import {
  CONFIRM_HINT,
  describePatient,
  fitList,
  formatCommunities,
  formatHospitalTime,
  formatPendingSends,
  formatTagResult,
  previewText,
  truncateBytes,
  utf8Bytes,
  WECOM_TEXT_MAX_BYTES,
} from './command-format'

const LINA = { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: '李娜', role: 'nurse' }
const WANG = { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: '王芳', wecomUserId: 'WangFang' }

const community = (
  n: number,
  over: Partial<Community> = {},
  stats: Partial<Community['stats']> = {},
): Community =>
  Community.parse({
    id: String(n).padStart(24, 'c'),
    name: `糖友之家${n}群`,
    description: null,
    diseaseTag: { id: 'dddddddddddddddddddddddd', name: '糖尿病' },
    ownerNurse: { id: LINA.id, name: '李娜', wecomUserId: 'LiNa' },
    chatId: `wrchat${n}`,
    groupName: null,
    groupOwnerUserId: 'LiNa',
    capacity: 200,
    status: 'active',
    lastSyncedAt: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    stats: {
      membersNow: 45,
      customersNow: 44,
      patientsLinked: 30,
      joined7d: 3,
      left7d: 1,
      joined30d: 10,
      left30d: 2,
      capacity: 200,
      capacityUsePercent: 23,
      full: false,
      sendsThisMonth: { month: '2026-11', used: 2, cap: 30, remaining: 28 },
      pendingSends: 0,
      ...stats,
    },
    ...over,
  })

// 2026-11-23 10:00 in Asia/Shanghai (UTC+8)
const NOW = new Date('2026-11-23T02:00:00.000Z')

const send = (n: number, deadline: string, deadlineLocal: string, over: Partial<PendingGroupSend> = {}) =>
  PendingGroupSend.parse({
    itemId: String(n).padStart(24, 'e'),
    communityId: String(n).padStart(24, 'c'),
    communityName: `糖友之家${n}群`,
    chatId: `wrchat${n}`,
    text: '各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，欢迎参加。',
    msgid: `msg${n}`,
    ownerNurse: { id: LINA.id, name: '李娜' },
    taskCreatedAt: '2026-11-22T01:00:00.000Z',
    deadline,
    deadlineLocal,
    overdue: false,
    escalatedAt: null,
    ...over,
  })

const patient = (over: Partial<BotPatient> = {}): BotPatient => ({
  id: 'ffffffffffffffffffffffff',
  name: '张三',
  phone: '138****1234',
  gender: 'female',
  birthYear: 1956,
  ...over,
})

describe('byte limits', () => {
  it('truncates on a character boundary and marks the cut', () => {
    expect(truncateBytes('abc', 3)).toBe('abc')
    const cut = truncateBytes('一二三四五', 10)
    expect(cut).toBe('一二…')
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(10)
  })

  it('fits a list, saying how many items were left out, and keeps the foot', () => {
    const items = Array.from({ length: 50 }, (_, i) => `${i + 1}. ${'项'.repeat(20)}`)
    const text = fitList({ head: ['头'], items, foot: ['尾'], maxBytes: 500 })
    expect(utf8Bytes(text)).toBeLessThanOrEqual(500)
    const lines = text.split('\n')
    expect(lines[0]).toBe('头')
    expect(lines.at(-1)).toBe('尾')
    const shown = lines.length - 3
    expect(shown).toBeGreaterThan(0)
    expect(lines.at(-2)).toBe(`…还有 ${50 - shown} 项`)
    expect(fitList({ head: ['头'], items: ['1', '2'], maxBytes: 500 })).toBe('头\n1\n2')
  })
})

describe('formatHospitalTime', () => {
  it.each([
    ['2026-11-23T10:00:00.000Z', '2026-11-23 18:00', '今天 18:00'],
    ['2026-11-24T01:00:00.000Z', '2026-11-24 09:00', '明天 09:00'],
    ['2026-11-22T09:30:00.000Z', '2026-11-22 17:30', '昨天 17:30'],
    ['2026-11-26T01:05:00.000Z', '2026-11-26 09:05', '11月26日 09:05'],
    ['2027-01-03T01:00:00.000Z', '2027-01-03 09:00', '2027年1月3日 09:00'],
  ])('%s (%s) → %s', (at, local, expected) => {
    expect(formatHospitalTime(at, local, NOW)).toBe(expected)
  })

  it("uses the hospital's date, not UTC's (01:00 local is still the previous day in UTC)", () => {
    const now = new Date('2026-11-23T17:30:00.000Z') // 2026-11-24 01:30 in Shanghai
    expect(formatHospitalTime('2026-11-24T10:00:00.000Z', '2026-11-24 18:00', now)).toBe('今天 18:00')
    // the same instants for a hospital in UTC−5: 2026-11-23 12:30 → 2026-11-24 05:00 is tomorrow
    expect(formatHospitalTime('2026-11-24T10:00:00.000Z', '2026-11-24 05:00', now)).toBe('明天 05:00')
  })

  it('shows an unexpected local string as it is', () => {
    expect(formatHospitalTime('2026-11-24T10:00:00.000Z', 'soon', NOW)).toBe('soon')
  })
})

describe('previewText', () => {
  it('keeps the first 30 characters on one line', () => {
    expect(previewText('短消息\n第二行')).toBe('短消息 第二行')
    expect(previewText('字'.repeat(31))).toBe(`${'字'.repeat(30)}…`)
    expect(previewText('字'.repeat(30))).toBe('字'.repeat(30))
  })
})

describe('formatTagResult', () => {
  const asked = { action: 'tag' as const, patient: '张三', tag: '糖尿病', reason: '门诊确诊' }
  const done = (over: object) =>
    ServicePatientTagResponse.parse({
      outcome: 'done',
      action: 'tag',
      changed: true,
      patient: patient(),
      tag: { id: 'dddddddddddddddddddddddd', name: '糖尿病' },
      ...over,
    })

  it('says what was done, to whom, and why', () => {
    expect(formatTagResult(done({}), asked)).toBe(
      '已给 张三（女，1956年生，138****1234） 打上「糖尿病」标签。\n原因：门诊确诊',
    )
    expect(formatTagResult(done({ changed: false }), asked)).toBe(
      '张三（女，1956年生，138****1234） 已有「糖尿病」标签，未重复添加（保留原来的原因）。',
    )
    const un = { ...asked, action: 'untag' as const, reason: undefined }
    expect(formatTagResult(done({ action: 'untag' }), un)).toBe(
      '已去掉 张三（女，1956年生，138****1234） 的「糖尿病」标签。',
    )
    expect(formatTagResult(done({ action: 'untag', changed: false }), un)).toBe(
      '张三（女，1956年生，138****1234） 没有「糖尿病」标签，无需去掉。',
    )
  })

  it('lists ambiguous candidates by number and shows how to retry with a phone tail', () => {
    const res = ServicePatientTagResponse.parse({
      outcome: 'ambiguous',
      candidates: [patient(), patient({ id: 'f'.repeat(23) + 'e', phone: '139****5678', birthYear: 1970 })],
      total: 2,
    })
    expect(formatTagResult(res, asked)).toBe(
      [
        '「张三」匹配到 2 位您负责的患者，请说得更具体些：',
        '1. 张三（女，1956年生，138****1234）',
        '2. 张三（女，1970年生，139****5678）',
        '请用手机尾号（4 位）、完整手机号或住院号代替姓名重试，例如：',
        '标签 1234 糖尿病 门诊确诊',
      ].join('\n'),
    )
  })

  it('says when more candidates exist than the server listed, and fits the limit', () => {
    const candidates = Array.from({ length: 10 }, (_, i) =>
      patient({ id: String(i).padStart(24, 'f'), name: `张${'三'.repeat(30)}`, phone: null, gender: null }),
    )
    const res = ServicePatientTagResponse.parse({ outcome: 'ambiguous', candidates, total: 37 })
    const text = formatTagResult(res, { ...asked, action: 'untag' }, 600)
    expect(utf8Bytes(text)).toBeLessThanOrEqual(600)
    expect(text).toMatch(/…还有 \d+ 项/)
    expect(text).toContain('去标签 1234 糖尿病 门诊确诊')
    expect(formatTagResult(res, asked)).toContain('（另有 27 位未列出）')
  })

  it('describes a patient with missing facts', () => {
    expect(describePatient(patient({ name: null, gender: null, birthYear: null, phone: null }))).toBe(
      '（未填姓名）',
    )
  })
})

describe('formatCommunities', () => {
  it("lists the nurse's communities with members/capacity, 7-day joins/leaves and pending sends", () => {
    const res = ServiceNurseCommunitiesResponse.parse({
      nurse: LINA,
      communities: [
        community(1, {}, { pendingSends: 2 }),
        community(2, { capacity: 50 }, { membersNow: 50, capacity: 50, full: true }),
      ],
    })
    expect(formatCommunities(res)).toBe(
      [
        '您负责的社群（共 2 个）：',
        '1. 糖友之家1群（糖尿病）',
        '   人数 45/200 · 近7天 入群 3 退群 1 · 待确认群发 2',
        '2. 糖友之家2群（糖尿病）',
        '   人数 50/50（已满） · 近7天 入群 3 退群 1',
        '有 2 条群发待您确认，发送「待发」查看。',
      ].join('\n'),
    )
  })

  it("names the owner of communities that are not the nurse's own (head nurse)", () => {
    const res = ServiceNurseCommunitiesResponse.parse({
      nurse: { ...LINA, role: 'head_nurse' },
      communities: [community(1, { ownerNurse: WANG })],
    })
    expect(formatCommunities(res).split('\n').slice(0, 2)).toEqual([
      '社群（共 1 个）：',
      '1. 糖友之家1群（糖尿病） · 负责人 王芳',
    ])
  })

  it('says so when there are none, and cuts a long list to the WeCom limit', () => {
    expect(
      formatCommunities(ServiceNurseCommunitiesResponse.parse({ nurse: LINA, communities: [] })),
    ).toContain('没有负责的社群')
    const many = ServiceNurseCommunitiesResponse.parse({
      nurse: LINA,
      communities: Array.from({ length: 40 }, (_, i) =>
        community(i + 1, { name: `${'很长的群名'.repeat(7)}${i}` }),
      ),
    })
    const text = formatCommunities(many)
    expect(utf8Bytes(text)).toBeLessThanOrEqual(WECOM_TEXT_MAX_BYTES)
    expect(text).toMatch(/\n…还有 \d+ 项$/)
  })
})

describe('formatPendingSends', () => {
  it('lists sends by deadline with preview, group and hospital-time deadline, overdue marked', () => {
    const res = ServicePendingSendsResponse.parse({
      nurse: LINA,
      sends: [
        send(2, '2026-11-24T01:00:00.000Z', '2026-11-24 09:00'),
        send(1, '2026-11-23T01:00:00.000Z', '2026-11-23 09:00', { overdue: true, text: '短通知' }),
        send(3, '2026-11-28T10:00:00.000Z', '2026-11-28 18:00'),
      ],
    })
    expect(formatPendingSends(res, NOW)).toBe(
      [
        '待您确认的群发（共 3 条，1 条已逾期）：',
        '1. 【已逾期】糖友之家1群 · 截止 今天 09:00',
        '   「短通知」',
        '2. 糖友之家2群 · 截止 明天 09:00',
        '   「各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，…」',
        '3. 糖友之家3群 · 截止 11月28日 18:00',
        '   「各位糖友：本周六上午九点在门诊三楼有免费血糖检测和饮食讲座，…」',
        CONFIRM_HINT,
      ].join('\n'),
    )
  })

  it('says so when nothing waits, and cuts a long list to the limit keeping the hint', () => {
    expect(formatPendingSends(ServicePendingSendsResponse.parse({ nurse: LINA, sends: [] }), NOW)).toBe(
      '目前没有待您确认的群发。',
    )
    const many = ServicePendingSendsResponse.parse({
      nurse: LINA,
      sends: Array.from({ length: 40 }, (_, i) =>
        send(i + 1, '2026-11-24T01:00:00.000Z', '2026-11-24 09:00'),
      ),
    })
    const text = formatPendingSends(many, NOW, 1500)
    expect(utf8Bytes(text)).toBeLessThanOrEqual(1500)
    expect(text).toMatch(/\n…还有 \d+ 项\n/)
    expect(text.endsWith(CONFIRM_HINT)).toBe(true)
  })
})
