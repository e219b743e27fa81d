import { ErrorBody, PatientTagsResponse, TagGroupsResponse } from '@careloop/shared'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { tagEventModel } from './tag.model'
import { createTagRepo } from './tag.repo'

const h = useStaffHarness()
const tok = {} as Record<'admin' | 'nurse' | 'head' | 'marketer', string>
let patientId = ''
let otherPatientId = ''
let diabetes = ''

const code = (b: unknown) => ErrorBody.parse(b).error.code

beforeAll(async () => {
  await h.seedStaff()
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.nurse = (await h.staffLogin('nurse.li')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  patientId = (await h.login('tag-patient')).patient.id
  otherPatientId = (await h.login('tag-other')).patient.id
  const nurse = (await h.staffLogin('nurse.li')).staff.id
  await h.request('PUT', `/api/v1/staff/patients/${patientId}/nurse`, {
    token: tok.admin,
    body: { nurseId: nurse },
  })
})

describe('tag groups and tags (F6)', () => {
  it('admins and marketers create groups and tags; names are unique; nurses may not', async () => {
    const g = await h.request('POST', '/api/v1/staff/tag-groups', {
      token: tok.marketer,
      body: { name: '疾病', kind: 'disease' },
    })
    expect(g.status).toBe(201)
    const group = TagGroupsResponse.parse(g.body).groups.find((x) => x.name === '疾病')!
    const t = await h.request('POST', `/api/v1/staff/tag-groups/${group.id}/tags`, {
      token: tok.admin,
      body: { name: '糖尿病', description: '2 型糖尿病' },
    })
    expect(t.status).toBe(201)
    diabetes = TagGroupsResponse.parse(t.body).groups.find((x) => x.id === group.id)!.tags[0]!.id
    const dup = await h.request('POST', `/api/v1/staff/tag-groups/${group.id}/tags`, {
      token: tok.admin,
      body: { name: '糖尿病' },
    })
    expect([dup.status, code(dup.body)]).toEqual([409, 'TAG_NAME_TAKEN'])
    const nurse = await h.request('POST', '/api/v1/staff/tag-groups', {
      token: tok.nurse,
      body: { name: '阶段', kind: 'stage' },
    })
    expect(nurse.status).toBe(403)
    const missing = await h.request('POST', '/api/v1/staff/tag-groups/000000000000000000000000/tags', {
      token: tok.admin,
      body: { name: '高血压' },
    })
    expect(code(missing.body)).toBe('TAG_GROUP_NOT_FOUND')
    const list = TagGroupsResponse.parse(
      (await h.request('GET', '/api/v1/staff/tag-groups', { token: tok.nurse })).body,
    )
    expect(list.groups.flatMap((x) => x.tags.map((y) => y.name))).toContain('糖尿病')
  })
})

describe('tagging patients', () => {
  it('a nurse tags her patient with a reason; retries add nothing; the history keeps who, when, why', async () => {
    const body = { tagId: diabetes, reason: '门诊诊断 E11' }
    const first = await h.request('POST', `/api/v1/staff/patients/${patientId}/tags`, {
      token: tok.nurse,
      body,
    })
    expect(first.status).toBe(200)
    const again = await h.request('POST', `/api/v1/staff/patients/${patientId}/tags`, {
      token: tok.nurse,
      body: { ...body, reason: '重复提交' },
    })
    const tags = PatientTagsResponse.parse(again.body).tags
    expect(tags).toHaveLength(1)
    expect(tags[0]).toMatchObject({
      name: '糖尿病',
      groupName: '疾病',
      source: 'manual',
      reason: '门诊诊断 E11',
    })
    expect(tags[0]!.by).toMatchObject({ kind: 'staff', name: '李娜' })
    const stored = await patientModel(h.db).findById(patientId).lean()
    expect(stored?.tags.map((t) => t.tagId)).toEqual([diabetes])
    expect(await tagEventModel(h.db).countDocuments({ action: 'assign' })).toBe(1)
    expect(await auditModel(h.db).countDocuments({ action: 'patient.tag', patientId: stored!._id })).toBe(1)
  })

  it('concurrent taggings of one tag add it once', async () => {
    const rs = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.request('POST', `/api/v1/staff/patients/${otherPatientId}/tags`, {
          token: tok.head,
          body: { tagId: diabetes, reason: '并发' },
        }),
      ),
    )
    expect(rs.every((r) => r.status === 200)).toBe(true)
    expect((await patientModel(h.db).findById(otherPatientId).lean())?.tags).toHaveLength(1)
  })

  it('scope and roles: another nurse’s patient is 404; marketers cannot tag; unknown tags are refused', async () => {
    const foreign = await h.request('POST', `/api/v1/staff/patients/${otherPatientId}/tags`, {
      token: tok.nurse,
      body: { tagId: diabetes, reason: 'x' },
    })
    expect([foreign.status, code(foreign.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    const m = await h.request('POST', `/api/v1/staff/patients/${patientId}/tags`, {
      token: tok.marketer,
      body: { tagId: diabetes, reason: 'x' },
    })
    expect(m.status).toBe(403)
    const unknown = await h.request('POST', `/api/v1/staff/patients/${patientId}/tags`, {
      token: tok.nurse,
      body: { tagId: '000000000000000000000000', reason: 'x' },
    })
    expect(code(unknown.body)).toBe('TAG_NOT_FOUND')
  })

  it('untagging needs a reason, is idempotent and recorded', async () => {
    const path = `/api/v1/staff/patients/${patientId}/tags/${diabetes}?reason=${encodeURIComponent('复核后排除')}`
    expect(
      PatientTagsResponse.parse((await h.request('DELETE', path, { token: tok.nurse })).body).tags,
    ).toEqual([])
    expect((await h.request('DELETE', path, { token: tok.nurse })).status).toBe(200)
    const ev = await tagEventModel(h.db).find({ action: 'unassign' }).lean()
    expect(ev.map((e) => [e.reason, e.by?.id])).toEqual([['复核后排除', expect.any(String)]])
  })

  it('a guarded removal only removes the tag while the same actor still holds it', async () => {
    const repo = createTagRepo(h.db)
    const at = new Date()
    const rule = { source: 'rule' as const, byId: 'rule:000000000000000000000001' }
    await repo.assign(otherPatientId, {
      tagId: diabetes,
      source: 'manual',
      reason: '护士复核',
      by: { kind: 'staff', id: 'nurse' },
      at,
    })
    const e = {
      source: 'rule' as const,
      reason: '规则不再成立',
      by: { kind: 'system' as const, id: rule.byId },
      at,
    }
    // the rule did not apply this one (a nurse did): it stays
    expect(await repo.unassign(otherPatientId, diabetes, e, rule)).toBe(false)
    expect((await repo.patientTags(otherPatientId)).map((t) => t.source)).toEqual(['manual'])
    await repo.unassign(otherPatientId, diabetes, {
      ...e,
      source: 'manual',
      by: { kind: 'staff', id: 'nurse' },
    })
    await repo.assign(otherPatientId, { tagId: diabetes, ...e })
    expect(await repo.unassign(otherPatientId, diabetes, e, rule)).toBe(true)
    expect(await repo.patientTags(otherPatientId)).toEqual([])
  })
})
