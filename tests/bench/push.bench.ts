import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { Types } from 'mongoose'
import { systemClock } from '../../server/src/clock'
import { parseConfig } from '../../server/src/config'
import { openConnection, syncIndexes, type Connection } from '../../server/src/db/connection'
import { resolveEngine } from '../../server/src/db/local-engine'
import { startScheduler } from '../../server/src/jobs/scheduler'
import { createLogger } from '../../server/src/logger'
import { outboxModel } from '../../server/src/modules/push/outbox.model'
import type { Channel } from '../../server/src/modules/push/push-channels'
import { createPushModule, type PushModule } from '../../server/src/modules/push/push.module'
import type { PushMessage } from '../../server/src/modules/push/push.port'

/**
 * Push engine (issue 5 "Numbers"), one run on one engine, a fresh database per measurement:
 * (a) throughput: BENCH_PUSH_ROWS (default 5,000) due rows through our outbox worker with a no-op
 *     channel, against Agenda (`agenda` 6 + `@agendajs/mongo-backend`) running as many no-op jobs
 *     scheduled "now", both with concurrency 32 (PUSH_CONCURRENCY's default). Our side twice: the
 *     no-op channel as an idempotent channel (`recorded: false`: claim, context, settle only) and as
 *     a platform channel (`recorded: true`: plus the delivery record written around each call).
 *     Agenda: processEvery 100 ms, lockLimit 32 (its faster setting here; unlimited locks every job
 *     before running any). Rates and ratios (target ≥ 10×).
 * (b) lateness: rows falling due at 1,000 per second for BENCH_PUSH_SECONDS (default 10) s, enqueued
 *     ahead (as reminders are) and picked up by a worker process that wakes when the next row falls due (its
 *     5 s cron tick is the safety net); and, for comparison,
 *     rows enqueued as they fall due followed by a kick (what alerts and materialisation do). p50 / p99
 *     of (no-op channel called − dueAt), the no-op channel recorded like the platform channels.
 * Prints; asserts no timing. A row not sent (or a job not run) fails the run.
 *
 * On the local engine (mongo-java-server) only a filter that is exactly a unique index's keys uses an
 * index; every other query scans its collection. Our hot path writes by `_id` alone (the claim scans
 * once per batch); Agenda's every lock scans, so its rate falls as N grows.
 */

const ROWS = Number(process.env.BENCH_PUSH_ROWS ?? 5000)
const PER_SECOND = 1000
const SECONDS = Number(process.env.BENCH_PUSH_SECONDS ?? 10)
const CONCURRENCY = 32
const TARGET = 10

const config = parseConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  WECHAT_APPID: 'wxbench',
  WECHAT_SECRET: 'bench-secret',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  PUSH_CONCURRENCY: String(CONCURRENCY),
})
const logger = createLogger('silent')

/** A channel that delivers nothing and answers at once; `sink` records when it was called, per row. */
const noopChannel = (recorded: boolean, sink?: Map<string, number>): Channel => ({
  name: 'wecom-app',
  recorded,
  prepare: ({ row }) =>
    Promise.resolve({
      kind: 'ready',
      send() {
        sink?.set(row.dedupeKey, Date.now())
        return Promise.resolve({ msgid: null })
      },
    }),
})

const pushModule = (
  db: Connection,
  o: { recorded: boolean; sink?: Map<string, number>; runWorker?: boolean },
): PushModule =>
  createPushModule({
    config,
    clock: systemClock,
    db,
    logger,
    wechat: undefined,
    wecom: undefined,
    channels: { 'wecom-app': noopChannel(o.recorded, o.sink) },
    runWorker: o.runWorker ?? false,
  })

/** Staff rows, one recipient each (rows of one recipient are dispatched one after another). */
const rowsOf = (prefix: string, n: number, dueAt: (i: number) => Date): PushMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    dedupeKey: `${prefix}-${i}`,
    purpose: 'staff',
    dueAt: dueAt(i),
    staffId: new Types.ObjectId().toHexString(),
    channels: ['wecom-app'],
    content: { title: 'bench', body: `bench row ${i}` },
    source: { kind: 'bench', id: `${prefix}-${i}` },
  }))

const enqueueAll = async (m: PushModule, rows: PushMessage[]): Promise<void> => {
  for (let i = 0; i < rows.length; i += 1000) await m.port.enqueue(rows.slice(i, i + 1000))
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

/** Runs `fn` on a fresh database (indexes of the push models created), dropped afterwards. */
const withDatabase = async <T>(uri: string, fn: (db: Connection) => Promise<T>): Promise<T> => {
  const db = await openConnection(uri, `careloop_bench_push_${Date.now()}`)
  try {
    pushModule(db, { recorded: false }) // registers the models for syncIndexes
    await syncIndexes(db)
    return await fn(db)
  } finally {
    await db.dropDatabase().catch(() => undefined)
    await db.close()
  }
}

const ours = (uri: string, recorded: boolean): Promise<number> =>
  withDatabase(uri, async (db) => {
    const m = pushModule(db, { recorded })
    await enqueueAll(
      m,
      rowsOf('tp', ROWS, () => new Date(Date.now() - 1000)),
    )
    const started = performance.now()
    const report = await m.worker.dispatchDue()
    const ms = performance.now() - started
    const sent = await outboxModel(db).countDocuments({ status: 'sent' })
    if (sent !== ROWS) throw new Error(`ours: ${sent} of ${ROWS} rows sent (${JSON.stringify(report)})`)
    return ms
  })

const agenda = async (uri: string): Promise<{ ms: number; version: string }> => {
  const { Agenda } = await import('agenda')
  const { MongoBackend } = await import('@agendajs/mongo-backend')
  const pkg = resolve(__dirname, '../../node_modules/agenda/package.json')
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version
  const backend = new MongoBackend({
    address: `${uri.replace(/\/$/, '')}/careloop_bench_agenda_${Date.now()}`,
    collection: 'agendaJobs',
  })
  const a = new Agenda({
    backend,
    processEvery: 100,
    maxConcurrency: CONCURRENCY,
    defaultConcurrency: CONCURRENCY,
    lockLimit: CONCURRENCY,
    defaultLockLimit: CONCURRENCY,
  })
  let failure: Error | undefined
  a.on('error', (e) => (failure ??= e))
  let done = 0
  let finished: () => void = () => undefined
  const all = new Promise<void>((ok) => (finished = ok))
  a.define('noop', () => Promise.resolve())
  // 'complete' comes after the job's outcome is saved (as our settle is part of our time)
  a.on('complete:noop', () => {
    if (++done === ROWS) finished()
  })
  try {
    await a.ready
    // scheduled "now" before the processor starts, as our rows are enqueued before the worker runs
    for (let i = 0; i < ROWS; i += 500)
      await Promise.all(
        Array.from({ length: Math.min(500, ROWS - i) }, (_, k) =>
          a
            .create('noop', { i: i + k })
            .schedule(new Date())
            .save(),
        ),
      )
    const started = performance.now()
    await a.start()
    await all
    const ms = performance.now() - started
    await a.stop(false)
    const ran = (await a.queryJobs({ name: 'noop', state: 'completed', limit: 1 })).total
    if (ran !== ROWS || failure)
      throw new Error(`agenda: ${ran} of ${ROWS} jobs ran; ${failure?.message ?? ''}`)
    return { ms, version }
  } finally {
    await a.purge().catch(() => undefined)
    await a.stop(true).catch(() => undefined)
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

const lateness = (sink: Map<string, number>, due: Map<string, number>) => {
  const xs = [...due].map(([k, d]) => {
    const at = sink.get(k)
    if (at === undefined) throw new Error(`lateness: row ${k} was never sent`)
    return at - d
  })
  xs.sort((a, b) => a - b)
  return { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs[xs.length - 1]! }
}

const waitAllSent = async (sink: Map<string, number>, n: number, deadline: number): Promise<void> => {
  while (sink.size < n) {
    if (Date.now() > deadline) throw new Error(`lateness: ${sink.size} of ${n} rows sent in time`)
    await sleep(100)
  }
}

/**
 * Rows enqueued ahead, falling due at 1,000/s, in a worker process: the worker wakes when the next
 * pending row falls due (its cron tick every 5 s is the safety net); nothing kicks it.
 */
const latenessTick = (uri: string) =>
  withDatabase(uri, async (db) => {
    const sink = new Map<string, number>()
    const m = pushModule(db, { recorded: true, sink, runWorker: true })
    const n = PER_SECOND * SECONDS
    const rows = rowsOf('lt', n, () => new Date()) // dueAt set below, once enqueueing is done
    const t0 = Date.now() + 2000
    rows.forEach((r, i) => (r.dueAt = new Date(t0 + Math.floor((i * 1000) / PER_SECOND))))
    await enqueueAll(m, rows)
    if (Date.now() > t0) throw new Error('lateness: enqueueing took longer than the head start')
    const due = new Map(rows.map((r) => [r.dedupeKey, r.dueAt.getTime()]))
    const scheduler = startScheduler(m.jobs(), { timezone: config.timezone, logger })
    try {
      await waitAllSent(sink, n, t0 + SECONDS * 1000 + 300_000)
    } finally {
      await scheduler.stop()
    }
    return lateness(sink, due)
  })

/** Rows enqueued as they fall due (100 every 100 ms), each enqueue followed by a kick; tick running. */
const latenessKick = (uri: string) =>
  withDatabase(uri, async (db) => {
    const sink = new Map<string, number>()
    const m = pushModule(db, { recorded: true, sink, runWorker: true })
    const n = PER_SECOND * SECONDS
    const due = new Map<string, number>()
    const scheduler = startScheduler(m.jobs(), { timezone: config.timezone, logger })
    try {
      const t0 = Date.now()
      for (let slice = 0; slice < SECONDS * 10; slice++) {
        await sleep(Math.max(0, t0 + slice * 100 - Date.now()))
        const rows = rowsOf(`lk${slice}`, PER_SECOND / 10, () => new Date())
        await m.port.enqueue(rows)
        for (const r of rows) due.set(r.dedupeKey, r.dueAt.getTime())
        m.port.kick()
      }
      await waitAllSent(sink, n, Date.now() + 300_000)
    } finally {
      await scheduler.stop()
    }
    return lateness(sink, due)
  })

const main = async (): Promise<void> => {
  const repoRoot = resolve(__dirname, '../..')
  const engine = await resolveEngine({ mongodbUri: process.env.MONGODB_URI, backend: 'memory', repoRoot })
  try {
    const bare = await ours(engine.uri, false)
    const recorded = await ours(engine.uri, true)
    const ag = await agenda(engine.uri)
    const rate = (ms: number) => `${Math.round((ROWS / ms) * 1000)}/s`.padStart(7)
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(8)
    const ratio = (ms: number) => {
      const r = ag.ms / ms
      return `${r.toFixed(1)}x vs agenda (≥ ${TARGET}x: ${r >= TARGET ? 'yes' : 'NO'})`
    }
    console.log(
      `engine: ${engine.kind}; ${ROWS} due rows / jobs scheduled now; concurrency ${CONCURRENCY} on both sides`,
    )
    console.log(
      `ours, no-op channel, idempotent (recorded: false)   ${rate(bare)} ${secs(bare)}   ${ratio(bare)}`,
    )
    console.log(
      `ours, no-op channel, with delivery records          ${rate(recorded)} ${secs(recorded)}   ${ratio(recorded)}`,
    )
    console.log(`agenda ${ag.version} + @agendajs/mongo-backend, no-op job   ${rate(ag.ms)} ${secs(ag.ms)}`)

    const ms = (x: number) => `${(x / 1000).toFixed(2)} s`
    const tick = await latenessTick(engine.uri)
    console.log(
      `lateness (no-op channel with delivery records), ${PER_SECOND} rows due/s for ${SECONDS} s, enqueued ahead, the worker waking when rows fall due:  ` +
        `p50 ${ms(tick.p50)}  p99 ${ms(tick.p99)}  max ${ms(tick.max)}`,
    )
    const kick = await latenessKick(engine.uri)
    console.log(
      `lateness (same), ${PER_SECOND} rows/s enqueued as they fall due, each batch kicked (tick too):  ` +
        `p50 ${ms(kick.p50)}  p99 ${ms(kick.p99)}  max ${ms(kick.max)}`,
    )
  } finally {
    await engine.stop()
  }
}

// Agenda leaves a liveness-check timer (half its 10 min lock lifetime) per job it ran: exit explicitly.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
