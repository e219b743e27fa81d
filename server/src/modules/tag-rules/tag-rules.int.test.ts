import {
  ErrorBody,
  formatRuleDate,
  PatientTagsResponse,
  RecordPatientEventResponse,
  TagRule,
  TagRulePreviewResponse,
  TagRuleRunResponse,
  TagRulesResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createLogger } from '../../logger'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { tagEventModel, tagGroupModel, tagModel } from '../tags/tag.model'
import { createTagRepo } from '../tags/tag.repo'
import { tagRulesNightlyJob } from './tag-rule.jobs'

const h = useStaffHarness()
const DAY = 86_400_000
const tok = {} as Record<'admin' | 'nurse' | 'head' | 'marketer', string>
const pid = {} as Record<'old' | 'young' | 'manual' | 'erased' | 'foreign', string>
const tag = {} as Record<'diabetes' | 'elderly' | 'lost', string>
const rule = {} as Record<'diabetes' | 'elderly' | 'lost', string>
let nurseId = ''

const code = (b: unknown) => ErrorBody.parse(b).error.code
const nightly = () =>
  tagRulesNightlyJob({
    db: h.db,
    tags: createTagRepo(h.db),
    clock: h.clock,
    timeZone: h.config.timezone,
    logger: createLogger('silent'),
  }).run()
const tagsOf = async (id: string) =>
  ((await patientModel(h.db).findById(id).lean())?.tags ?? []).map((t) => ({
    tagId: t.tagId,
    source: t.source,
    by: t.by.id,
    reason: t.reason,
  }))
const tagIdsOf = async (id: string) => (await tagsOf(id)).map((t) => t.tagId).sort()
const historyCount = () => tagEventModel(h.db).countDocuments()
const createRule = async (body: unknown, token = tok.marketer) => {
  const r = await h.request('POST', '/api/v1/staff/tag-rules', { token, body })
  expect(r.status).toBe(201)
  return TagRule.parse(r.body)
}
const recordEvent = async (patientId: string, body: unknown, token = tok.nurse) => {
  const r = await h.request('POST', `/api/v1/staff/patients/${patientId}/events`, { token, body })
  expect(r.status).toBe(201)
  return RecordPatientEventResponse.parse(r.body)
}
const daysAgo = (n: number) => new Date(h.clock.now().getTime() - n * DAY)

/** Staff tokens (again after the clock jumps ahead: they expire). */
const login = async () => {
  tok.admin = (await h.staffLogin('admin')).accessToken
  const nurse = await h.staffLogin('nurse.li')
  tok.nurse = nurse.accessToken
  nurseId = nurse.staff.id
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
}

beforeAll(async () => {
  await h.seedStaff()
  await login()

  const P = patientModel(h.db)
  const mk = async (o: Record<string, unknown>) =>
    (
      await P.create({
        accountId: new Types.ObjectId(),
        relation: 'self',
        assignedNurseId: new Types.ObjectId(nurseId),
        ...o,
      })
    )._id.toHexString()
  pid.old = await mk({ name: '张秀兰', birthYear: 1950, gender: 'female' })
  pid.young = await mk({ name: '李明', birthYear: 1995, gender: 'male' })
  pid.manual = await mk({ name: '王建国', birthYear: 1955, gender: 'male' })
  pid.erased = await mk({ name: null, birthYear: 1940, erasedAt: new Date() })
  pid.foreign = await mk({ name: '赵六', birthYear: 1990, assignedNurseId: null })

  const groupId = (await tagGroupModel(h.db).create({ name: '疾病', kind: 'disease' }))._id
  for (const [k, name] of [
    ['diabetes', '糖尿病'],
    ['elderly', '老年'],
    ['lost', '失访高风险'],
  ] as const)
    tag[k] = (await tagModel(h.db).create({ groupId, name }))._id.toHexString()
  // a nurse tagged this patient by hand before any rule existed
  await createTagRepo(h.db).assign(pid.manual, {
    tagId: tag.diabetes,
    source: 'manual',
    reason: '门诊确诊',
    by: { kind: 'staff', id: nurseId },
    at: h.clock.now(),
  })
})

describe('managing rules', () => {
  it('creates rules with a Chinese description; refuses bad conditions, unknown tags, taken names and nurses', async () => {
    const created = await createRule({
      name: '糖尿病自动标签',
      tagId: tag.diabetes,
      condition: { all: [{ event: 'diagnosis', codePrefix: 'E11' }] },
    })
    rule.diabetes = created.id
    expect(created).toMatchObject({
      tagName: '糖尿病',
      enabled: true,
      description: '同时满足：有诊断记录（编码以 E11 开头）',
    })

    const bad = await h.request('POST', '/api/v1/staff/tag-rules', {
      token: tok.admin,
      body: {
        name: '坏规则',
        tagId: tag.diabetes,
        condition: {
          any: [
            { attr: 'age', op: '>=', value: 60 },
            { event: 'diagnosis', codePrefix: 'E11%' },
          ],
        },
      },
    })
    expect([bad.status, code(bad.body)]).toEqual([400, 'VALIDATION_FAILED'])
    const details = ErrorBody.parse(bad.body).error.details as { path: string; message: string }[]
    expect(details.map((d) => d.path)).toEqual(['condition.any.1.codePrefix'])
    expect(details[0]!.message).toMatch(/codePrefix/)
    const unknownTag = await h.request('POST', '/api/v1/staff/tag-rules', {
      token: tok.admin,
      body: {
        name: '无标签',
        tagId: new Types.ObjectId().toHexString(),
        condition: { any: [{ event: 'visit' }] },
      },
    })
    expect([unknownTag.status, code(unknownTag.body)]).toEqual([404, 'TAG_NOT_FOUND'])
    const taken = await h.request('POST', '/api/v1/staff/tag-rules', {
      token: tok.head,
      body: { name: '糖尿病自动标签', tagId: tag.diabetes, condition: { any: [{ event: 'visit' }] } },
    })
    expect([taken.status, code(taken.body)]).toEqual([409, 'TAG_RULE_NAME_TAKEN'])
    const nurse = await h.request('POST', '/api/v1/staff/tag-rules', {
      token: tok.nurse,
      body: { name: '护士规则', tagId: tag.diabetes, condition: { any: [{ event: 'visit' }] } },
    })
    expect(nurse.status).toBe(403)
    const missing = await h.request('PUT', `/api/v1/staff/tag-rules/${new Types.ObjectId().toHexString()}`, {
      token: tok.admin,
      body: { enabled: false },
    })
    expect([missing.status, code(missing.body)]).toEqual([404, 'TAG_RULE_NOT_FOUND'])

    const list = TagRulesResponse.parse(
      (await h.request('GET', '/api/v1/staff/tag-rules', { token: tok.head })).body,
    )
    expect(list.rules.map((r) => r.name)).toEqual(['糖尿病自动标签'])
    expect(
      await auditModel(h.db).countDocuments({ action: 'tag_rule.create', 'detail.ruleId': rule.diabetes }),
    ).toBe(1)
  })
})

describe('applying rules when an event is recorded', () => {
  it('tags the patient at once, with the rule and the data in the reason', async () => {
    const at = daysAgo(20)
    const r = await recordEvent(pid.old, { kind: 'diagnosis', code: 'E11.9', at: at.toISOString() })
    const because = `规则「糖尿病自动标签」：诊断 E11.9（${formatRuleDate(at, h.config.timezone)}）`
    expect(r.tagChanges).toEqual([
      { tagId: tag.diabetes, tagName: '糖尿病', ruleId: rule.diabetes, action: 'added', reason: because },
    ])
    const view = PatientTagsResponse.parse(
      (await h.request('GET', `/api/v1/staff/patients/${pid.old}/tags`, { token: tok.nurse })).body,
    )
    expect(view.tags).toEqual([
      expect.objectContaining({
        name: '糖尿病',
        source: 'rule',
        reason: because,
        by: { kind: 'system', id: `rule:${rule.diabetes}`, name: null },
      }),
    ])
    const history = await tagEventModel(h.db)
      .find({ patientId: new Types.ObjectId(pid.old) })
      .lean()
    expect(history.map((e) => [e.action, e.source, e.by?.id])).toEqual([
      ['assign', 'rule', `rule:${rule.diabetes}`],
    ])
  })

  it('leaves a manual tag manual, and other codes do not match', async () => {
    const r = await recordEvent(pid.manual, {
      kind: 'diagnosis',
      code: 'E11.2',
      at: daysAgo(3).toISOString(),
    })
    expect(r.tagChanges).toEqual([])
    expect(await tagsOf(pid.manual)).toEqual([
      { tagId: tag.diabetes, source: 'manual', by: nurseId, reason: '门诊确诊' },
    ])
    const hypertension = await recordEvent(pid.young, {
      kind: 'diagnosis',
      code: 'I10',
      at: daysAgo(3).toISOString(),
    })
    expect(hypertension.tagChanges).toEqual([])
  })
})

describe('the nightly run', () => {
  it('adds tags of new rules, skips erased patients, and a second run changes nothing', async () => {
    rule.elderly = (
      await createRule({
        name: '老年',
        tagId: tag.elderly,
        condition: { all: [{ attr: 'age', op: '>=', value: 65 }] },
      })
    ).id
    // nothing happens before the run
    expect(await tagIdsOf(pid.old)).toEqual([tag.diabetes])
    await nightly()
    expect(await tagIdsOf(pid.old)).toEqual([tag.diabetes, tag.elderly].sort())
    expect(await tagIdsOf(pid.manual)).toEqual([tag.diabetes, tag.elderly].sort())
    expect(await tagIdsOf(pid.young)).toEqual([])
    expect(await tagIdsOf(pid.erased)).toEqual([])
    const age = Number(formatRuleDate(h.clock.now(), h.config.timezone).slice(0, 4)) - 1950
    expect((await tagsOf(pid.old)).find((t) => t.tagId === tag.elderly)?.reason).toBe(
      `规则「老年」：年龄 ${age} 岁（≥ 65）`,
    )

    const before = await historyCount()
    await nightly()
    expect(await historyCount()).toBe(before)
    expect(await auditModel(h.db).countDocuments({ action: 'tag_rule.nightly' })).toBe(2)
  })

  it('removes the tags of a rule that stops holding, never the manual ones', async () => {
    const r = await h.request('PUT', `/api/v1/staff/tag-rules/${rule.diabetes}`, {
      token: tok.admin,
      body: { condition: { all: [{ event: 'diagnosis', codePrefix: 'E10' }] } },
    })
    expect(r.status).toBe(200)
    expect(TagRule.parse(r.body).description).toBe('同时满足：有诊断记录（编码以 E10 开头）')
    await nightly()
    expect(await tagIdsOf(pid.old)).toEqual([tag.elderly])
    expect((await tagsOf(pid.manual)).find((t) => t.tagId === tag.diabetes)).toMatchObject({
      source: 'manual',
    })
    const removal = await tagEventModel(h.db)
      .findOne({ patientId: new Types.ObjectId(pid.old), action: 'unassign' })
      .lean()
    expect(removal).toMatchObject({
      tagId: tag.diabetes,
      source: 'rule',
      reason: '规则「糖尿病自动标签」不再成立',
      by: { kind: 'system', id: `rule:${rule.diabetes}` },
    })
  })

  it('a disabled rule loses its tags at the next run, and gets them back when enabled', async () => {
    await h.request('PUT', `/api/v1/staff/tag-rules/${rule.elderly}`, {
      token: tok.head,
      body: { enabled: false },
    })
    expect(await tagIdsOf(pid.old)).toEqual([tag.elderly])
    await nightly()
    expect(await tagIdsOf(pid.old)).toEqual([])
    expect(await tagIdsOf(pid.manual)).toEqual([tag.diabetes])
    const last = await tagEventModel(h.db).findOne({ action: 'unassign', tagId: tag.elderly }).lean()
    expect(last?.reason).toBe('规则「老年」已停用')
    await h.request('PUT', `/api/v1/staff/tag-rules/${rule.elderly}`, {
      token: tok.head,
      body: { enabled: true },
    })
    await nightly()
    expect(await tagIdsOf(pid.old)).toEqual([tag.elderly])
  })

  it('"no visit in 90 days": counts from the last visit, or from registration when there is none', async () => {
    rule.lost = (
      await createRule({
        name: '失访高风险',
        tagId: tag.lost,
        condition: { all: [{ noEvent: 'visit', days: 90 }] },
      })
    ).id
    await recordEvent(pid.young, { kind: 'visit', at: daysAgo(10).toISOString() })
    // everyone registered today: nobody is lost yet
    await nightly()
    for (const id of [pid.old, pid.young, pid.manual]) expect(await tagIdsOf(id)).not.toContain(tag.lost)

    h.clock.advance(100 * DAY)
    await login()
    await nightly()
    for (const id of [pid.old, pid.young, pid.manual, pid.foreign])
      expect(await tagIdsOf(id)).toContain(tag.lost)
    expect((await tagsOf(pid.young)).find((t) => t.tagId === tag.lost)?.reason).toBe(
      `规则「失访高风险」：最近一次就诊在 ${formatRuleDate(daysAgo(110), h.config.timezone)}，已超过 90 天`,
    )

    // a visit takes the tag back at once
    const visit = await recordEvent(pid.young, { kind: 'visit', at: daysAgo(1).toISOString() })
    expect(visit.tagChanges).toEqual([
      {
        tagId: tag.lost,
        tagName: '失访高风险',
        ruleId: rule.lost,
        action: 'removed',
        reason: '规则「失访高风险」不再成立',
      },
    ])
    expect(await tagIdsOf(pid.young)).not.toContain(tag.lost)
  })
})

describe('running one rule now', () => {
  it('answers matched/added/removed and is idempotent', async () => {
    // take 失访高风险 off one patient by hand: the run puts it back
    await createTagRepo(h.db).unassign(pid.old, tag.lost, {
      source: 'manual',
      reason: '测试',
      by: { kind: 'staff', id: nurseId },
      at: h.clock.now(),
    })
    const run = async () => {
      const r = await h.request('POST', `/api/v1/staff/tag-rules/${rule.lost}/run`, { token: tok.marketer })
      expect(r.status).toBe(200)
      return TagRuleRunResponse.parse(r.body)
    }
    // old, manual, foreign (young visited yesterday)
    expect(await run()).toEqual({ matched: 3, added: 1, removed: 0 })
    expect(await run()).toEqual({ matched: 3, added: 0, removed: 0 })
    expect(
      await auditModel(h.db).countDocuments({ action: 'tag_rule.run', 'detail.ruleId': rule.lost }),
    ).toBe(2)

    await h.request('PUT', `/api/v1/staff/tag-rules/${rule.lost}`, {
      token: tok.admin,
      body: { enabled: false },
    })
    expect(await run()).toEqual({ matched: 0, added: 0, removed: 3 })
    expect(await run()).toEqual({ matched: 0, added: 0, removed: 0 })
    const missing = await h.request(
      'POST',
      `/api/v1/staff/tag-rules/${new Types.ObjectId().toHexString()}/run`,
      {
        token: tok.admin,
      },
    )
    expect([missing.status, code(missing.body)]).toEqual([404, 'TAG_RULE_NOT_FOUND'])
  })

  it('deleting a rule takes its tags back at the next run; deleting again is harmless', async () => {
    expect(await tagIdsOf(pid.old)).toContain(tag.elderly)
    const del = await h.request('DELETE', `/api/v1/staff/tag-rules/${rule.elderly}`, { token: tok.admin })
    expect(TagRulesResponse.parse(del.body).rules.map((r) => r.name)).not.toContain('老年')
    const again = await h.request('DELETE', `/api/v1/staff/tag-rules/${rule.elderly}`, { token: tok.admin })
    expect(again.status).toBe(200)
    expect(await auditModel(h.db).countDocuments({ action: 'tag_rule.delete' })).toBe(1)
    await nightly()
    expect(await tagIdsOf(pid.old)).not.toContain(tag.elderly)
    expect(await tagIdsOf(pid.manual)).toEqual([tag.diabetes])
    const last = await tagEventModel(h.db)
      .findOne({ action: 'unassign', tagId: tag.elderly, patientId: new Types.ObjectId(pid.old) })
      .sort({ at: -1, _id: -1 })
      .lean()
    expect(last?.reason).toBe(`规则 ${rule.elderly} 已删除`)
  })
})

describe('preview', () => {
  it('counts the patients a condition holds for now, with masked examples and why', async () => {
    const r = await h.request('POST', '/api/v1/staff/tag-rules/preview', {
      token: tok.marketer,
      body: {
        name: '老年男性',
        condition: {
          all: [
            { attr: 'age', op: '>=', value: 60 },
            { attr: 'gender', op: '=', value: 'male' },
          ],
        },
      },
    })
    expect(r.status).toBe(200)
    const p = TagRulePreviewResponse.parse(r.body)
    expect(p.count).toBe(1)
    expect(p.description).toBe('同时满足：年龄 ≥ 60；性别为男')
    const age = Number(formatRuleDate(h.clock.now(), h.config.timezone).slice(0, 4)) - 1955
    expect(p.sample).toEqual([
      {
        id: pid.manual,
        name: '王*国',
        gender: 'male',
        birthYear: 1955,
        because: `规则「老年男性」：年龄 ${age} 岁（≥ 60）；性别男`,
      },
    ])
    const any = TagRulePreviewResponse.parse(
      (
        await h.request('POST', '/api/v1/staff/tag-rules/preview', {
          token: tok.admin,
          body: { condition: { any: [{ event: 'diagnosis', codePrefix: 'e11' }] } },
        })
      ).body,
    )
    expect([any.count, any.sample.map((s) => s.id).sort()]).toEqual([2, [pid.old, pid.manual].sort()])
    expect(any.sample[0]!.because).toMatch(/^规则「预览」：诊断 E11/)
    expect(
      (
        await h.request('POST', '/api/v1/staff/tag-rules/preview', {
          token: tok.nurse,
          body: { condition: { any: [{ event: 'visit' }] } },
        })
      ).status,
    ).toBe(403)
    expect(await auditModel(h.db).countDocuments({ action: 'tag_rule.preview' })).toBe(2)
  })
})
