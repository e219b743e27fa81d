import { resolve } from 'node:path'
import { Types } from 'mongoose'
import { Prng } from '../../shared/src/segments/random'
import { systemClock } from '../../server/src/clock'
import { parseConfig } from '../../server/src/config'
import { openConnection, syncIndexes } from '../../server/src/db/connection'
import { resolveEngine } from '../../server/src/db/local-engine'
import { createLogger } from '../../server/src/logger'
import { campaignModel, campaignRunModel } from '../../server/src/modules/campaigns/campaign.model'
import { createCampaignsModule } from '../../server/src/modules/campaigns/campaign.module'
import { PRIVACY_POLICY } from '../../server/src/modules/consent/privacy-policy'
import { createContentModule } from '../../server/src/modules/content/content.module'
import { patientModel } from '../../server/src/modules/patients/patient.model'
import { outboxModel } from '../../server/src/modules/push/outbox.model'
import { toRowDoc } from '../../server/src/modules/push/outbox.repo'
import { createPushModule } from '../../server/src/modules/push/push.module'
import { createTagRepo } from '../../server/src/modules/tags/tag.repo'

/**
 * Campaign materialisation (issue 7 "Numbers"): BENCH_PATIENTS patients (default 100,000) with tags;
 * for two segments — `糖尿病 AND age>=60` (tens of thousands) and `全院患者` (every patient) — the
 * time from the campaign tick's start until every row of the run is in the outbox (run created,
 * segment resolved and streamed in id order, rows enqueued in batches of 1,000 through the push
 * port, progress recorded per batch), against the raw driver inserting the same rows, built
 * beforehand, with insertMany in batches of 1,000 into the same collection (same indexes).
 * Median of BENCH_REPS runs each, taking turns. Prints the ratio (target ≤ 2×) and checks the row
 * count against the segment's count; only a wrong count fails the run, never a time.
 */

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 100_000)
const REPS = Number(process.env.BENCH_REPS ?? 3)
const CHUNK = 5000
const BATCH = 1000
const TIME_ZONE = 'Asia/Shanghai'
const TARGET = 2

const config = parseConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  WECHAT_APPID: 'wxbench',
  WECHAT_SECRET: 'bench-secret',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  HOSPITAL_TIMEZONE: TIME_ZONE,
})
const logger = createLogger('silent')

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
    await syncIndexes(db)
    const tags = createTagRepo(db)
    await tags.createGroup('bench', 'disease')
    const group = (await tags.groups()).find((g) => g.name === 'bench')!
    for (const name of ['全院患者', '糖尿病', '高血压'])
      await tags.createTag(group._id.toHexString(), name, null)
    const tagId = new Map((await tags.tags()).map((t) => [t.name, t._id.toHexString()]))

    // Patients, bulk-inserted as raw documents: ages 18–95 skewed older; diabetes more likely with age.
    const year = Number(
      new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, year: 'numeric' }).format(new Date()),
    )
    const rng = new Prng(20250701)
    const at = new Date()
    const consent = { granted: true, policyVersion: PRIVACY_POLICY.version, at, by: 'self' }
    const tag = (name: string) => ({
      tagId: tagId.get(name)!,
      source: 'import',
      reason: 'HIS',
      by: { kind: 'system', id: null },
      at,
    })
    const [buildMs] = await time(async () => {
      for (let i = 0; i < PATIENTS; i += CHUNK) {
        const docs = Array.from({ length: Math.min(CHUNK, PATIENTS - i) }, () => {
          const age = 18 + Math.floor(77 * Math.pow(rng.next(), 0.7))
          const t = [tag('全院患者')]
          if (rng.chance(0.3 + (age - 18) / 110)) t.push(tag('糖尿病'))
          if (rng.chance(0.25)) t.push(tag('高血压'))
          return {
            _id: new Types.ObjectId(),
            accountId: new Types.ObjectId(),
            relation: 'self',
            name: null,
            gender: null,
            birthYear: year - age,
            tags: t,
            consents: { care: consent, marketing: consent },
            erasedAt: null,
            createdAt: at,
            updatedAt: at,
          }
        })
        await patientModel(db).collection.insertMany(docs, { ordered: false })
      }
    })

    const push = createPushModule({
      config,
      clock: systemClock,
      db,
      logger,
      wechat: undefined,
      wecom: undefined,
    })
    const campaigns = createCampaignsModule({
      config,
      clock: systemClock,
      db,
      logger,
      push: push.port,
      content: createContentModule({ clock: systemClock, db, logger }).port,
      owner: 'bench',
    })
    // now that every module registered its models: their indexes (outbox, runs, patients…)
    await syncIndexes(db)
    const outbox = outboxModel(db).collection
    const patients = db.db!.collection('patients')
    const cases = [
      {
        expression: '糖尿病 AND age>=60',
        filter: { 'tags.tagId': tagId.get('糖尿病')!, birthYear: { $lte: year - 60 }, erasedAt: null },
      },
      { expression: '全院患者', filter: { 'tags.tagId': tagId.get('全院患者')!, erasedAt: null } },
    ]

    const clear = async (): Promise<void> => {
      await outbox.deleteMany({})
      await campaignRunModel(db).collection.deleteMany({})
      await campaignModel(db).collection.deleteMany({})
    }
    /** Ours: an approved "now" campaign, then one tick: run created, segment streamed, rows enqueued. */
    const ours = async (expression: string): Promise<number> => {
      const now = new Date()
      await campaignModel(db).collection.insertOne({
        name: 'bench',
        segment: { expression, segmentId: null },
        content: {
          kind: 'template',
          title: '春季义诊',
          body: '本周六上午门诊楼一楼义诊，欢迎预约。',
          page: null,
        },
        channels: ['subscribe', 'inbox'],
        schedule: { kind: 'now', at: null, cron: null, endAt: null },
        goal: null,
        expiresAfterHours: 24,
        state: 'approved',
        approvals: [],
        createdBy: 'bench',
        editors: ['bench'],
        approvedAt: now,
        anchor: now,
        lastSlotAt: null,
        pausedFrom: null,
        createdAt: now,
        updatedAt: now,
      })
      const [ms, report] = await time(() => campaigns.runner.tick())
      if (report.runsMaterialised !== 1) throw new Error(`the run did not finish: ${JSON.stringify(report)}`)
      return ms
    }
    /** Raw: the same rows, built beforehand, inserted with the driver in batches of 1,000. */
    const raw = async (rows: object[]): Promise<number> => {
      const [ms] = await time(async () => {
        for (let i = 0; i < rows.length; i += BATCH)
          await outbox.insertMany(rows.slice(i, i + BATCH), { ordered: false })
      })
      return ms
    }

    const lines: string[][] = []
    for (const c of cases) {
      const expected = await patients.countDocuments(c.filter)
      // correctness (and warm-up): every patient of the segment has exactly one row
      await clear()
      await ours(c.expression)
      const rows = await outbox.find({}, { projection: { patientId: 1, dedupeKey: 1 } }).toArray()
      const distinct = new Set(rows.map((r) => String(r.patientId)))
      const run = await campaignRunModel(db).findOne({}).lean()
      if (rows.length !== expected || distinct.size !== expected || run?.materialised !== expected)
        throw new Error(
          `MISMATCH for "${c.expression}": segment ${expected}, rows ${rows.length}, distinct ${distinct.size}, run ${run?.materialised}`,
        )
      // the raw side's rows: what the run wrote, rebuilt as documents before timing
      const sample = (await outboxModel(db).findOne({}).lean())!
      const rawRows = rows.map((r) =>
        toRowDoc(
          {
            dedupeKey: r.dedupeKey as string,
            purpose: 'marketing',
            dueAt: sample.dueAt,
            expiresAt: sample.expiresAt!,
            patientId: String(r.patientId),
            channels: ['subscribe', 'inbox'],
            content: {
              title: sample.content.title,
              body: sample.content.body,
              ...(sample.content.subscribe ? { subscribe: sample.content.subscribe } : {}),
            },
            source: { kind: sample.source.kind, id: sample.source.id, groupId: sample.source.groupId! },
          },
          new Date(),
        ),
      )
      const o: number[] = []
      const r: number[] = []
      for (let k = 0; k < 2 * REPS; k++) {
        const oursTurn = ((k + 1) >> 1) % 2 === 0
        await clear()
        if (oursTurn) o.push(await ours(c.expression))
        else r.push(await raw(rawRows.map((d) => ({ ...d }))))
      }
      const [om, rm] = [median(o), median(r)]
      lines.push([
        c.expression,
        String(expected),
        (om / 1000).toFixed(2),
        (rm / 1000).toFixed(2),
        `${(om / rm).toFixed(2)}x`,
        om / rm <= TARGET ? 'yes' : 'NO',
        'ok',
      ])
    }

    console.log(
      `engine: ${engine.kind}; ${PATIENTS} patients built in ${(buildMs / 1000).toFixed(1)} s; ` +
        `median of ${REPS} runs after a warm-up; target ours ≤ ${TARGET}x the raw driver`,
    )
    const header = ['segment', 'rows', 'ours s', 'raw s', 'ratio', `≤${TARGET}x`, 'rows = segment']
    const width = (s: string) =>
      [...s].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0)
    const cols = header.map((h, k) => Math.max(width(h), ...lines.map((l) => width(l[k]!))))
    const line = (l: string[]) =>
      l
        .map((v, k) => (k === 0 ? v + ' '.repeat(cols[k]! - width(v)) : ' '.repeat(cols[k]! - width(v)) + v))
        .join('  ')
    console.log(line(header))
    for (const l of lines) console.log(line(l))
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
