import { ErrorBody, SegmentPreviewResponse, SegmentsResponse, TagGroupsResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { patientModel } from '../patients/patient.model'

const h = useStaffHarness()
let marketer = ''
let admin = ''
const tagIds: Record<string, string> = {}

const preview = (expression: string, token = marketer) =>
  h.request('POST', '/api/v1/staff/segments/preview', { token, body: { expression } })
const count = async (expression: string): Promise<number> => {
  const r = await preview(expression)
  expect(r.status).toBe(200)
  return SegmentPreviewResponse.parse(r.body).count
}

beforeAll(async () => {
  await h.seedStaff()
  marketer = (await h.staffLogin('marketing.zhao')).accessToken
  admin = (await h.staffLogin('admin')).accessToken
  const g = TagGroupsResponse.parse(
    (
      await h.request('POST', '/api/v1/staff/tag-groups', {
        token: admin,
        body: { name: '疾病', kind: 'disease' },
      })
    ).body,
  )
  const groupId = g.groups[0]!.id
  for (const name of ['糖尿病', '高血压', '退订']) {
    const r = TagGroupsResponse.parse(
      (await h.request('POST', `/api/v1/staff/tag-groups/${groupId}/tags`, { token: admin, body: { name } }))
        .body,
    )
    tagIds[name] = r.groups[0]!.tags.find((t) => t.name === name)!.id
  }
  const year = new Date().getFullYear()
  const P = patientModel(h.db)
  const make = (name: string, age: number | null, tags: string[], extra: Record<string, unknown> = {}) =>
    P.create({
      accountId: new Types.ObjectId(),
      relation: 'self',
      name,
      gender: 'female',
      birthYear: age === null ? null : year - age,
      tags: tags.map((t) => ({
        tagId: tagIds[t],
        source: 'manual',
        reason: 'seed',
        by: { kind: 'system', id: null },
        at: new Date(),
      })),
      ...extra,
    })
  await make('王秀英', 68, ['糖尿病'])
  await make('李桂兰', 72, ['糖尿病', '高血压'])
  await make('张伟', 45, ['糖尿病'], { gender: 'male' })
  await make('赵敏', 30, ['高血压'])
  await make('孙丽', null, ['糖尿病', '退订'])
  await make('已注销', 70, ['糖尿病'], { erasedAt: new Date(), name: null })
})

describe('segment preview (F8)', () => {
  it('counts what the expression selects, live, excluding erased patients', async () => {
    expect(await count('糖尿病')).toBe(4)
    expect(await count('糖尿病 AND age>=60')).toBe(2)
    expect(await count('糖尿病 AND (age>=60 OR gender:male) AND NOT 退订')).toBe(3)
    expect(await count('NOT age>=60')).toBe(3) // unknown age counts as "not 60+"
    expect(await count('高血压 或 糖尿病')).toBe(5)
  })

  it('returns the canonical expression and a masked sample with tag names', async () => {
    const r = SegmentPreviewResponse.parse((await preview('糖尿病  and   age >= 70')).body)
    expect(r.expression).toBe('糖尿病 AND age>=70')
    expect(r.sample).toEqual([expect.objectContaining({ name: '李*兰', tags: ['糖尿病', '高血压'] })])
  })

  it('points at the problem: syntax errors and unknown tags give 400 SEGMENT_INVALID with a position', async () => {
    const bad = await preview('糖尿病 AND (age>=60')
    expect(bad.status).toBe(400)
    const e = ErrorBody.parse(bad.body).error
    expect(e.code).toBe('SEGMENT_INVALID')
    const d = e.details as { position: unknown; message: unknown }
    expect(typeof d.position).toBe('number')
    expect(typeof d.message === 'string' && d.message.length > 0).toBe(true)
    const unknown = ErrorBody.parse((await preview('糖尿病 AND 痛风')).body).error
    expect(unknown.code).toBe('SEGMENT_INVALID')
    expect(unknown.details).toMatchObject({ position: 8, length: 2 })
  })

  it('is for planners: nurses are refused', async () => {
    const nurse = (await h.staffLogin('nurse.li')).accessToken
    expect((await preview('糖尿病', nurse)).status).toBe(403)
  })
})

describe('saved segments', () => {
  it('saves valid segments in canonical form, once per name', async () => {
    const s = await h.request('POST', '/api/v1/staff/segments', {
      token: marketer,
      body: { name: '老年糖尿病', expression: '糖尿病 and age>=60' },
    })
    expect(s.status).toBe(201)
    expect(SegmentsResponse.parse(s.body).segments).toEqual([
      expect.objectContaining({ name: '老年糖尿病', expression: '糖尿病 AND age>=60' }),
    ])
    const dup = await h.request('POST', '/api/v1/staff/segments', {
      token: admin,
      body: { name: '老年糖尿病', expression: '高血压' },
    })
    expect(ErrorBody.parse(dup.body).error.code).toBe('SEGMENT_NAME_TAKEN')
    const invalid = await h.request('POST', '/api/v1/staff/segments', {
      token: admin,
      body: { name: 'x', expression: '痛风' },
    })
    expect(ErrorBody.parse(invalid.body).error.code).toBe('SEGMENT_INVALID')
    const list = SegmentsResponse.parse(
      (await h.request('GET', '/api/v1/staff/segments', { token: admin })).body,
    )
    expect(list.segments.map((x) => x.name)).toEqual(['老年糖尿病'])
  })
})
