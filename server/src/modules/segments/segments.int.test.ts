import {
  AppError,
  ErrorBody,
  evaluateSegment,
  formatSegmentExpression,
  parseSegmentExpression,
  SegmentPreviewResponse,
  SegmentsResponse,
  segmentSubjectFromDocument,
  TagGroupsResponse,
  type SegmentPatientDocument,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { Prng, randomPatientDocument, randomSegmentExpr } from '../../../../shared/src/segments/random'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createAuditLog } from '../audit/audit.repo'
import { patientModel } from '../patients/patient.model'
import { createTagRepo } from '../tags/tag.repo'
import { createSegmentRepo } from './segment.repo'
import { createSegmentService, type ResolvedSegment } from './segment.service'

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

// Keep this block last: it adds patients, which would change the counts expected above.
describe('resolving segments for campaigns (count and ids)', () => {
  const service = () =>
    createSegmentService({
      segments: createSegmentRepo(h.db),
      tags: createTagRepo(h.db),
      audit: createAuditLog(h.db, h.clock),
      clock: h.clock,
      timeZone: h.config.timezone,
    })
  const collect = async (r: ResolvedSegment, batchSize?: number) => {
    const batches: string[][] = []
    for await (const b of r.ids(batchSize === undefined ? undefined : { batchSize })) batches.push(b)
    return batches
  }
  const tagNames = ['糖尿病', '高血压', '退订']
  const rng = new Prng(4242)

  beforeAll(async () => {
    // Varied stored shapes (absent/null fields, odd consents, tiers), some erased.
    const year = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: h.config.timezone, year: 'numeric' }).format(
        h.clock.now(),
      ),
    )
    const ids = [...tagNames.map((n) => tagIds[n]!), 'ffffffffffffffffffffffff']
    await patientModel(h.db).collection.insertMany(
      Array.from({ length: 80 }, () => ({
        ...randomPatientDocument(rng, ids, year),
        accountId: new Types.ObjectId(),
        ...(rng.chance(0.1) ? { erasedAt: new Date() } : {}),
      })),
    )
  })

  it('materialises exactly the live patients the in-memory evaluator selects, and counts them', async () => {
    const all = await patientModel(h.db).find({}).lean()
    const ctx = {
      now: h.clock.now(),
      timeZone: h.config.timezone,
      tagIdsByName: new Map(tagNames.map((n) => [n, tagIds[n]!])),
    }
    const year = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: ctx.timeZone, year: 'numeric' }).format(ctx.now),
    )
    const fixed = ['糖尿病', '糖尿病 AND age>=60', '(高血压 OR 糖尿病) AND NOT 退订', 'consent:marketing']
    const random = Array.from({ length: 40 }, () =>
      formatSegmentExpression(randomSegmentExpr(rng, { maxDepth: 3, tagNames, year })),
    ).filter((e) => !e.includes('未知标签'))
    let nonEmpty = 0
    for (const text of [...fixed, ...random]) {
      const r = await service().resolve(text)
      const expr = parseSegmentExpression(r.expression)
      const expected = all
        .filter(
          (d) =>
            d.erasedAt == null &&
            evaluateSegment(expr, segmentSubjectFromDocument(d as SegmentPatientDocument), ctx),
        )
        .map((d) => d._id.toHexString())
        .sort()
      const got = (await collect(r)).flat().sort()
      expect({ text, ids: got }).toEqual({ text, ids: expected })
      expect(await r.count()).toBe(expected.length)
      if (expected.length > 0) nonEmpty++
    }
    expect(nonEmpty).toBeGreaterThan(fixed.length)
  })

  it('streams in batches of the requested size, each id once, and agrees with preview', async () => {
    const r = await service().resolve('糖尿病 or 高血压')
    expect(r.expression).toBe('糖尿病 OR 高血压')
    const batches = await collect(r, 3)
    expect(batches.length).toBeGreaterThan(1)
    expect(batches.every((b) => b.length >= 1 && b.length <= 3)).toBe(true)
    expect(batches.slice(0, -1).every((b) => b.length === 3)).toBe(true)
    const ids = batches.flat()
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true)
    expect(await r.count()).toBe(ids.length)
    expect(await count('糖尿病 or 高血压')).toBe(ids.length)
  })

  it('rejects what preview rejects, with SEGMENT_INVALID', async () => {
    for (const bad of ['糖尿病 AND (age>=60', '痛风']) {
      const e = await service()
        .resolve(bad)
        .then(
          () => null,
          (err: unknown) => err,
        )
      expect(e).toBeInstanceOf(AppError)
      expect((e as AppError).code).toBe('SEGMENT_INVALID')
    }
  })
})
