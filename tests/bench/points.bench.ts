import { resolve } from 'node:path'
import { Types } from 'mongoose'
import { systemClock } from '../../server/src/clock'
import { parseConfig } from '../../server/src/config'
import { openConnection, syncIndexes, type Connection } from '../../server/src/db/connection'
import { resolveEngine } from '../../server/src/db/local-engine'
import { createLogger } from '../../server/src/logger'
import { createMembershipLookup } from '../../server/src/modules/membership/membership-lookup'
import { pointsAccountModel, pointsEntryModel } from '../../server/src/modules/points/points.model'
import { createPointsModule, type PointsModule } from '../../server/src/modules/points/points.module'
import { FakePush } from '../src/harness/fake-push'

/**
 * Points ledger (issue 6 "Numbers": ledger operations per second as a ratio to raw `$inc` updates on
 * the same engine, target ≥ 0.5), one run, a fresh database per side:
 * - ours: BENCH_POINTS_OPS (default 20,000; with 5,000 each side ran about a second and
 *   the ratio swung 0.49–0.67 between runs) operations through PointsPort, alternating earns (rule
 *   `lecture`, a new refKey each) and spends of 10 points, over BENCH_POINTS_PROFILES (default 1,000)
 *   accounts that each start with 1,000 points (given before the clock starts), concurrency 32;
 *   wired like app.ts (the membership lookup plugged in, so an earn asks for the paid tier);
 * - raw: as many `updateOne({_id}, {$inc: {balance: ±n}})` with the native driver over as many
 *   account documents, same concurrency.
 * A short warm-up runs on both first, then ROUNDS slices each, taking turns. Prints rates and the
 * ratio; asserts no timing. Fails the run if a spend is refused or a balance differs from its ledger sum.
 * Where the time goes (measured): CPU, node's and the engine's, on 2 cores shared by both. Raw: one
 * command per op. Ours: concurrent operations share their commands (group commit): one bulk write of
 * the accounts' compare-and-sets, one ledger insertMany, and for earns one `$in` look-up of reference
 * keys and one of membership tiers, per batch; an earn also pays for its counters, tier and expiry.
 */

const OPS = Number(process.env.BENCH_POINTS_OPS ?? 20_000)
const PROFILES = Number(process.env.BENCH_POINTS_PROFILES ?? 1000)
const CONCURRENCY = 32
const WARMUP = 500
const ROUNDS = 4
const START = 1000
const SPEND = 10
const TARGET = 0.5

const config = parseConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  WECHAT_APPID: 'wxbench',
  WECHAT_SECRET: 'bench-secret',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
})

/** Runs `op(from … to-1)` with `CONCURRENCY` workers; elapsed ms. */
const run = async (from: number, to: number, op: (i: number) => Promise<unknown>): Promise<number> => {
  let next = from
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < to; i = next++) await op(i)
    }),
  )
  return Number(process.hrtime.bigint() - started) / 1e6
}

interface Side {
  /** Runs ops `from … to-1` (global op numbers); elapsed ms. */
  run(from: number, to: number): Promise<number>
  close(): Promise<void>
}

/** Our side: PointsPort on a fresh database, accounts funded before any timing. */
const ours = async (uri: string): Promise<Side & { check(): Promise<void> }> => {
  const db: Connection = await openConnection(uri, `careloop_bench_points_${Date.now()}`)
  const mod: PointsModule = createPointsModule({
    config,
    clock: systemClock,
    db,
    logger: createLogger('silent'),
    push: new FakePush(),
  })
  mod.setMembership(createMembershipLookup(db, config.timezone))
  // after the modules registered their models: syncIndexes creates the indexes of those
  await syncIndexes(db)
  const profiles = Array.from({ length: PROFILES }, () => new Types.ObjectId().toHexString())
  for (let i = 0; i < PROFILES; i += CONCURRENCY)
    await Promise.all(
      profiles.slice(i, i + CONCURRENCY).map((profileId, k) =>
        mod.engine.adjust({
          profileId,
          amount: START,
          reason: 'bench',
          requestId: `bench-start-${i + k}`,
          actor: { kind: 'system', id: null, role: null },
        }),
      ),
    )
  const op = async (i: number) => {
    const profileId = profiles[i % PROFILES]!
    if (i % 2 === 0) await mod.port.earn({ profileId, rule: 'lecture', refKey: `bench:earn:${i}` })
    else
      await mod.port.spend({
        profileId,
        amount: SPEND,
        refKey: `bench:spend:${i}`,
        reason: 'bench',
        source: { kind: 'bench', id: String(i) },
      })
  }
  return {
    run: (from, to) => run(from, to, op),
    /** Every account equals its ledger sum (a spend refused would have thrown already). */
    async check() {
      const sums = new Map<string, number>()
      for await (const e of pointsEntryModel(db).collection.find(
        {},
        { projection: { profileId: 1, amount: 1 } },
      )) {
        const k = (e.profileId as Types.ObjectId).toHexString()
        sums.set(k, (sums.get(k) ?? 0) + (e.amount as number))
      }
      const accounts = await pointsAccountModel(db).collection.find({}).toArray()
      const wrong = accounts.filter((a) => sums.get((a._id as Types.ObjectId).toHexString()) !== a.balance)
      if (accounts.length !== PROFILES || wrong.length)
        throw new Error(`${wrong.length} of ${accounts.length} balances differ from their ledger sums`)
    },
    async close() {
      await db.dropDatabase().catch(() => undefined)
      await db.close()
    },
  }
}

/** The raw side: `$inc` by `_id` with the native driver over as many documents. */
const raw = async (uri: string): Promise<Side> => {
  const db: Connection = await openConnection(uri, `careloop_bench_points_raw_${Date.now()}`)
  const A = db.db!.collection('raw_accounts')
  const ids = Array.from({ length: PROFILES }, () => new Types.ObjectId())
  await A.insertMany(ids.map((_id) => ({ _id, balance: START })))
  const op = async (i: number) => {
    const r = await A.updateOne({ _id: ids[i % PROFILES]! }, { $inc: { balance: i % 2 === 0 ? 50 : -SPEND } })
    if (r.modifiedCount !== 1) throw new Error('raw $inc missed its document')
  }
  return {
    run: (from, to) => run(from, to, op),
    async close() {
      await db.dropDatabase().catch(() => undefined)
      await db.close()
    },
  }
}

const main = async (): Promise<void> => {
  const repoRoot = resolve(__dirname, '../..')
  const engine = await resolveEngine({ mongodbUri: process.env.MONGODB_URI, backend: 'memory', repoRoot })
  const sides: { ours?: Awaited<ReturnType<typeof ours>>; raw?: Side } = {}
  try {
    sides.raw = await raw(engine.uri)
    sides.ours = await ours(engine.uri)
    await sides.raw.run(0, WARMUP)
    await sides.ours.run(0, WARMUP)
    // ROUNDS slices taking turns raw, ours, ours, raw, …: drift (the engine's garbage collection,
    // other load on the machine) falls on both sides alike
    const ms = { ours: 0, raw: 0 }
    const per = Math.ceil(OPS / ROUNDS)
    for (let k = 0; k < 2 * ROUNDS; k++) {
      const slice = k >> 1
      const from = WARMUP + slice * per
      const to = WARMUP + Math.min(OPS, (slice + 1) * per)
      const oursTurn = ((k + 1) >> 1) % 2 === 1
      if (oursTurn) ms.ours += await sides.ours.run(from, to)
      else ms.raw += await sides.raw.run(from, to)
    }
    await sides.ours.check()
    const rate = (x: number) => (OPS / x) * 1000
    const ratio = rate(ms.ours) / rate(ms.raw)
    console.log(
      `engine: ${engine.kind}; ${OPS} ops over ${PROFILES} accounts, concurrency ${CONCURRENCY}, ` +
        `${ROUNDS} alternating rounds after a ${WARMUP}-op warm-up`,
    )
    console.log(
      `ledger ops (earn/spend via PointsPort): ${rate(ms.ours).toFixed(0)} ops/s (${ms.ours.toFixed(0)} ms)`,
    )
    console.log(
      `raw $inc updateOne({_id}):             ${rate(ms.raw).toFixed(0)} ops/s (${ms.raw.toFixed(0)} ms)`,
    )
    console.log(
      `ratio ledger / raw: ${ratio.toFixed(2)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'yes' : 'NO'})`,
    )
  } finally {
    await sides.ours?.close()
    await sides.raw?.close()
    await engine.stop()
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
