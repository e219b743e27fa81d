import { resolve } from 'node:path'
import { Types } from 'mongoose'
import { Prng } from '../../shared/src/segments/random'
import { systemClock } from '../../server/src/clock'
import { openConnection, syncIndexes } from '../../server/src/db/connection'
import { resolveEngine } from '../../server/src/db/local-engine'
import { createAuditLog } from '../../server/src/modules/audit/audit.repo'
import { patientModel } from '../../server/src/modules/patients/patient.model'
import { createSegmentRepo } from '../../server/src/modules/segments/segment.repo'
import { createSegmentService } from '../../server/src/modules/segments/segment.service'
import { createTagRepo } from '../../server/src/modules/tags/tag.repo'

/**
 * Segment resolution (issue 4 "Numbers"): BENCH_PATIENTS patients (default 100,000) with a realistic tag
 * mix; for five expressions, our path (segment service: compile incl. tag look-up, then the repo's
 * count / id stream) vs the raw driver running a hand-written equivalent filter. Ratios from one run;
 * the target is ≤ 1.5× but only a wrong count (or id set) fails the run.
 */

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 100_000)
const REPS = Number(process.env.BENCH_REPS ?? 8)
const CHUNK = 5000
const TIME_ZONE = 'Asia/Shanghai'
const TARGET = 1.5

/** Tag name → share of patients carrying it (disease shares are scaled by an age factor averaging ~1). */
const TAGS: Record<'disease' | 'stage' | 'behaviour' | 'value', Record<string, number>> = {
  disease: {
    糖尿病: 0.12,
    高血压: 0.25,
    冠心病: 0.07,
    慢阻肺: 0.04,
    高血脂: 0.15,
    脑卒中: 0.03,
    慢性肾病: 0.03,
    骨质疏松: 0.06,
  },
  stage: { 新诊断: 0.08, 稳定期: 0.3, 术后康复: 0.05, 随访中: 0.4 },
  behaviour: { 活跃: 0.3, 沉默: 0.2, 失访高风险: 0.08, 退订: 0.03 },
  value: { 高价值: 0.05, 会员: 0.15 },
}

const yearIn = (now: Date, timeZone: string): number =>
  Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(now))

const pickWeighted = <T>(rng: Prng, items: readonly (readonly [T, number])[]): T => {
  let r = rng.next()
  for (const [v, w] of items) {
    if (r < w) return v
    r -= w
  }
  return items[items.length - 1]![0]
}

const RELATIONS = [
  ['self', 0.85],
  ['parent', 0.09],
  ['spouse', 0.03],
  ['child', 0.015],
  ['sibling', 0.005],
  ['other', 0.01],
] as const

/** One stored patient document (the shape mongoose writes), built by hand for bulk inserts. */
const makePatient = (rng: Prng, i: number, year: number, tagId: Map<string, string>, at: Date) => {
  // Ages 18–95 skewed older (mean ≈ 63); 3% without a birth year.
  const age = 18 + Math.floor(77 * Math.pow(rng.next(), 0.7))
  const ageFactor = 0.5 + (age - 18) / 77
  const tags: { tagId: string; source: string; reason: string; by: object; at: Date }[] = []
  for (const [kind, shares] of Object.entries(TAGS)) {
    for (const [name, share] of Object.entries(shares)) {
      if (rng.chance(kind === 'disease' ? share * ageFactor : share))
        tags.push({
          tagId: tagId.get(name)!,
          source: kind === 'disease' ? 'import' : 'rule',
          reason: kind === 'disease' ? 'HIS' : 'rule',
          by: { kind: 'system', id: null },
          at,
        })
    }
  }
  const erased = rng.chance(0.01)
  const c = rng.next()
  const consents =
    c < 0.6
      ? { marketing: { granted: true, policyVersion: '2024-01', at, by: 'self' } }
      : c < 0.75
        ? { marketing: { granted: false, policyVersion: '2024-01', at, by: 'self' } }
        : {}
  const g = rng.next()
  return {
    _id: new Types.ObjectId(),
    accountId: new Types.ObjectId(),
    relation: pickWeighted(rng, RELATIONS),
    name: erased ? null : `患者${i}`,
    gender: g < 0.52 ? 'female' : g < 0.98 ? 'male' : null,
    birthYear: rng.chance(0.03) ? null : year - age,
    tags: erased ? [] : tags,
    consents: erased ? {} : consents,
    erasedAt: erased ? at : null,
    createdAt: at,
    updatedAt: at,
  }
}

const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const started = process.hrtime.bigint()
  const r = await fn()
  return [Number(process.hrtime.bigint() - started) / 1e6, r]
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const main = async (): Promise<void> => {
  const repoRoot = resolve(__dirname, '../..')
  const engine = await resolveEngine({ mongodbUri: process.env.MONGODB_URI, backend: 'memory', repoRoot })
  const db = await openConnection(engine.uri, `careloop_bench_${Date.now()}`)
  try {
    const tagRepo = createTagRepo(db)
    const service = createSegmentService({
      segments: createSegmentRepo(db),
      tags: tagRepo,
      audit: createAuditLog(db, systemClock),
      clock: systemClock,
      timeZone: TIME_ZONE,
    })
    await syncIndexes(db)

    // Tags through the tag repo.
    for (const [kind, shares] of Object.entries(TAGS)) {
      await tagRepo.createGroup(kind, kind)
      const group = (await tagRepo.groups()).find((g) => g.name === kind)!
      for (const name of Object.keys(shares)) await tagRepo.createTag(group._id.toHexString(), name, null)
    }
    const tagId = new Map((await tagRepo.tags()).map((t) => [t.name, t._id.toHexString()]))

    // Patients, bulk-inserted as raw documents.
    const year = yearIn(new Date(), TIME_ZONE)
    const rng = new Prng(20250401)
    const coll = patientModel(db).collection
    const at = new Date()
    const [buildMs] = await time(async () => {
      for (let i = 0; i < PATIENTS; i += CHUNK) {
        const docs = Array.from({ length: Math.min(CHUNK, PATIENTS - i) }, (_, j) =>
          makePatient(rng, i + j, year, tagId, at),
        )
        await coll.insertMany(docs, { ordered: false })
      }
    })

    // The raw side: the native driver's collection (no mongoose) and hand-written filters.
    const raw = db.db!.collection('patients')
    const id = (name: string): string => tagId.get(name)!
    const live = { erasedAt: null }
    const cases: { expression: string; filter: Record<string, unknown> }[] = [
      { expression: '糖尿病', filter: { 'tags.tagId': id('糖尿病'), ...live } },
      {
        expression: '糖尿病 AND age>=60',
        filter: { 'tags.tagId': id('糖尿病'), birthYear: { $lte: year - 60 }, ...live },
      },
      {
        expression: '(高血压 OR 冠心病) AND NOT 退订',
        filter: {
          $and: [
            { 'tags.tagId': { $in: [id('高血压'), id('冠心病')] } },
            { 'tags.tagId': { $ne: id('退订') } },
          ],
          ...live,
        },
      },
      {
        expression: '糖尿病 AND (age>=60 OR gender:female) AND consent:marketing',
        filter: {
          'tags.tagId': id('糖尿病'),
          $or: [{ birthYear: { $lte: year - 60 } }, { gender: 'female' }],
          'consents.marketing.granted': true,
          ...live,
        },
      },
      {
        expression: 'NOT 退订 AND age>=18 AND age<40',
        filter: {
          'tags.tagId': { $ne: id('退订') },
          birthYear: { $lte: year - 18, $gt: year - 40 },
          ...live,
        },
      },
    ]

    const ours = {
      count: async (e: string) => (await service.resolve(e)).count(),
      ids: async (e: string) => {
        const out: string[] = []
        for await (const batch of (await service.resolve(e)).ids()) for (const x of batch) out.push(x)
        return out
      },
    }
    const direct = {
      count: (f: Record<string, unknown>) => raw.countDocuments(f),
      ids: async (f: Record<string, unknown>) =>
        (await raw.find(f, { projection: { _id: 1 } }).toArray()).map((d) => d._id.toHexString()),
    }

    // Correctness first, for every expression (also the warm-up): the same count and the same id set.
    const counts: number[] = []
    for (const c of cases) {
      const [n, rawN] = [await ours.count(c.expression), await direct.count(c.filter)]
      const [ids, rawIds] = [(await ours.ids(c.expression)).sort(), (await direct.ids(c.filter)).sort()]
      if (n !== rawN || ids.length !== rawIds.length || ids.some((x, k) => x !== rawIds[k]))
        throw new Error(
          `MISMATCH for "${c.expression}": ours count ${n} / ${ids.length} ids, raw count ${rawN} / ${rawIds.length} ids`,
        )
      counts.push(n)
    }

    // Ours and raw take turns in the order ours, raw, raw, ours, ours, raw, …: each side then follows
    // each side equally often, so the cost a query leaves behind for the next one (the engine's
    // garbage collection, mostly) and other drift do not favour either.
    const measure = async (oursFn: () => Promise<unknown>, rawFn: () => Promise<unknown>) => {
      const o: number[] = []
      const r: number[] = []
      for (let k = 0; k < 2 * REPS; k++) {
        const oursTurn = ((k + 1) >> 1) % 2 === 0
        ;(oursTurn ? o : r).push((await time(oursTurn ? oursFn : rawFn))[0])
      }
      return [median(o), median(r)] as const
    }
    const rows: string[][] = []
    for (const [ci, c] of cases.entries()) {
      const [oc, rc] = await measure(
        () => ours.count(c.expression),
        () => direct.count(c.filter),
      )
      const [oi, ri] = await measure(
        () => ours.ids(c.expression),
        () => direct.ids(c.filter),
      )
      const ok = (x: number) => (x <= TARGET ? 'yes' : 'NO')
      rows.push([
        c.expression,
        String(counts[ci]),
        oc.toFixed(1),
        rc.toFixed(1),
        `${(oc / rc).toFixed(2)}x`,
        ok(oc / rc),
        oi.toFixed(1),
        ri.toFixed(1),
        `${(oi / ri).toFixed(2)}x`,
        ok(oi / ri),
      ])
    }

    console.log(
      `engine: ${engine.kind}; ${PATIENTS} patients built in ${(buildMs / 1000).toFixed(1)} s; ` +
        `median of ${REPS} runs after a warm-up; target ours ≤ ${TARGET}x raw driver`,
    )
    const header = [
      'expression',
      'matches',
      'count ours ms',
      'raw ms',
      'ratio',
      `≤${TARGET}x`,
      'ids ours ms',
      'raw ms',
      'ratio',
      `≤${TARGET}x`,
    ]
    // Display width: CJK characters take two columns.
    const width = (s: string) =>
      [...s].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0)
    const cols = header.map((h, k) => Math.max(width(h), ...rows.map((r) => width(r[k]!))))
    const line = (r: string[]) =>
      r
        .map((v, k) => (k === 0 ? v + ' '.repeat(cols[k]! - width(v)) : ' '.repeat(cols[k]! - width(v)) + v))
        .join('  ')
    console.log(line(header))
    for (const r of rows) console.log(line(r))
  } finally {
    await db.dropDatabase().catch(() => undefined)
    await db.close()
    await engine.stop()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
