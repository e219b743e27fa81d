// Proves the engine (mongo-java-server locally, MongoDB with MONGODB_URI) gives the guarantees the
// architecture relies on instead of transactions (§5): unique indexes, guarded findOneAndUpdate claims,
// conditional $inc, and day buckets computed in the hospital's time zone.
import mongoose, { Schema } from 'mongoose'
import type { Model } from 'mongoose'
import { useTestDatabase } from '../../../tests/src/jest/test-database'

const db = useTestDatabase()

const CONCURRENCY = 50

interface IdempotentEntry {
  refId: string
  points: number
}

interface OutboxRow {
  seq: number
  dueAt: Date
  owner: string | null
  leaseUntil: Date | null
}

interface Account {
  balance: number
}

interface FollowUpEvent {
  hospital: string
  at: Date
  score: number
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

describe('local engine guarantees', () => {
  describe('unique index', () => {
    let Entries: Model<IdempotentEntry>

    beforeAll(async () => {
      const schema = new Schema<IdempotentEntry>({
        refId: { type: String, required: true },
        points: { type: Number, required: true },
      })
      schema.index({ refId: 1 }, { unique: true })
      Entries = db.connection.model<IdempotentEntry>('IdempotentEntry', schema, 'idempotent_entries')
      await Entries.createIndexes()
    })

    it('rejects a duplicate key with code 11000 and keeps one document', async () => {
      await Entries.create({ refId: 'order-1', points: 10 })
      const duplicate = Entries.create({ refId: 'order-1', points: 99 })
      await expect(duplicate).rejects.toBeInstanceOf(mongoose.mongo.MongoServerError)
      await expect(duplicate).rejects.toMatchObject({ code: 11000 })
      const docs = await Entries.find({ refId: 'order-1' }).lean()
      expect(docs).toHaveLength(1)
      expect(docs[0]?.points).toBe(10)
    })

    it('lets exactly one of many concurrent inserts of the same key win', async () => {
      const results = await Promise.allSettled(
        range(CONCURRENCY).map((i) => Entries.create({ refId: 'order-2', points: i })),
      )
      const won = results.filter((r) => r.status === 'fulfilled')
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(CONCURRENCY - 1)
      for (const r of lost) expect(r.reason).toMatchObject({ code: 11000 })
      expect(await Entries.countDocuments({ refId: 'order-2' })).toBe(1)
    })
  })

  describe('findOneAndUpdate claims with sort and a lease guard', () => {
    let Outbox: Model<OutboxRow>
    const now = new Date('2024-03-01T08:00:00.000Z')
    const leaseUntil = new Date(now.getTime() + 60_000)

    beforeAll(() => {
      const schema = new Schema<OutboxRow>({
        seq: { type: Number, required: true },
        dueAt: { type: Date, required: true },
        owner: { type: String, default: null },
        leaseUntil: { type: Date, default: null },
      })
      Outbox = db.connection.model<OutboxRow>('OutboxRow', schema, 'outbox_rows')
    })

    beforeEach(async () => {
      await Outbox.deleteMany({})
    })

    /** Claims the earliest due row whose lease is free or expired; null when there is none. */
    function claim(owner: string): Promise<OutboxRow | null> {
      return Outbox.findOneAndUpdate(
        { dueAt: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
        { $set: { owner, leaseUntil } },
        { sort: { dueAt: 1, seq: 1 }, new: true },
      )
        .lean<OutboxRow>()
        .exec()
    }

    it('gives one claimable row to exactly one of 50 concurrent claimers', async () => {
      await Outbox.create([
        { seq: 1, dueAt: new Date(now.getTime() - 1_000) },
        // Not claimable: leased by someone else, and not due yet.
        { seq: 2, dueAt: new Date(now.getTime() - 2_000), owner: 'other', leaseUntil },
        { seq: 3, dueAt: new Date(now.getTime() + 60_000) },
      ])
      const results = await Promise.all(range(CONCURRENCY).map((i) => claim(`worker-${i}`)))
      const winners = results.filter((r): r is OutboxRow => r !== null)
      expect(winners).toHaveLength(1)
      expect(winners[0]?.seq).toBe(1)
      const row = await Outbox.findOne({ seq: 1 }).lean()
      expect(row?.owner).toBe(winners[0]?.owner)
      expect((await Outbox.findOne({ seq: 2 }).lean())?.owner).toBe('other')
      expect((await Outbox.findOne({ seq: 3 }).lean())?.owner).toBeNull()
    })

    it('claims each of N rows exactly once across 50 concurrent claim loops, in due order', async () => {
      const rows = 120
      // An expired lease is claimable again; seq order and dueAt order are shuffled against each other.
      await Outbox.create(
        range(rows).map((i) => ({
          seq: i,
          dueAt: new Date(now.getTime() - 1_000 * ((i * 37) % rows) - 1),
          owner: i % 10 === 0 ? 'crashed-worker' : null,
          leaseUntil: i % 10 === 0 ? new Date(now.getTime() - 1) : null,
        })),
      )
      const claimed: OutboxRow[][] = await Promise.all(
        range(CONCURRENCY).map(async (i) => {
          const mine: OutboxRow[] = []
          for (;;) {
            const row = await claim(`worker-${i}`)
            if (row === null) return mine
            mine.push(row)
          }
        }),
      )
      const all = claimed.flat()
      const seqs = all.map((r) => r.seq)
      expect(all).toHaveLength(rows)
      expect(new Set(seqs).size).toBe(rows)
      expect([...seqs].sort((a, b) => a - b)).toEqual(range(rows))
      // Each claimer saw its rows in non-decreasing due order (the sort is honoured).
      for (const mine of claimed) {
        const due = mine.map((r) => r.dueAt.getTime())
        expect(due).toEqual([...due].sort((a, b) => a - b))
      }
      // The stored owner of every row is the claimer that received it.
      const stored = await Outbox.find({}).lean()
      const ownerBySeq = new Map(stored.map((r) => [r.seq, r.owner]))
      claimed.forEach((mine, i) => {
        for (const r of mine) expect(ownerBySeq.get(r.seq)).toBe(`worker-${i}`)
      })
    })
  })

  describe('first write after compiling a model', () => {
    // Regression: with mongoose's default autoCreate, the background `create` raced the first insert
    // on mongo-java-server and replaced the collection, losing the document (connection.ts).
    it('keeps the first document of 300 freshly compiled models', async () => {
      let lost = 0
      for (const i of range(300)) {
        const Fresh = db.connection.model<{ n: number }>(
          `Fresh${i}`,
          new Schema<{ n: number }>({ n: { type: Number, required: true } }),
          `fresh_${i}`,
        )
        const doc = await Fresh.create({ n: i })
        if ((await Fresh.countDocuments({ _id: doc._id })) !== 1) lost++
      }
      expect(lost).toBe(0)
    })
  })

  describe('$inc with a balance condition', () => {
    let Accounts: Model<Account>

    beforeAll(() => {
      Accounts = db.connection.model<Account>(
        'Account',
        new Schema<Account>({ balance: { type: Number, required: true } }),
        'accounts',
      )
    })

    it('never goes negative under 50 concurrent debits (updateOne)', async () => {
      const account = await Accounts.create({ balance: 100 })
      const amount = 7
      const results = await Promise.all(
        range(CONCURRENCY).map(() =>
          Accounts.updateOne({ _id: account._id, balance: { $gte: amount } }, { $inc: { balance: -amount } }),
        ),
      )
      const succeeded = results.filter((r) => r.modifiedCount === 1).length
      expect(succeeded).toBe(14)
      expect(results.filter((r) => r.modifiedCount === 0)).toHaveLength(CONCURRENCY - 14)
      expect((await Accounts.findById(account._id).lean())?.balance).toBe(2)
    })

    it('never goes negative under 50 concurrent debits (findOneAndUpdate returning the new balance)', async () => {
      const account = await Accounts.create({ balance: 100 })
      const amount = 7
      const results = await Promise.all(
        range(CONCURRENCY).map(() =>
          Accounts.findOneAndUpdate(
            { _id: account._id, balance: { $gte: amount } },
            { $inc: { balance: -amount } },
            { new: true },
          )
            .lean<Account>()
            .exec(),
        ),
      )
      const balances = results.filter((r): r is Account => r !== null).map((r) => r.balance)
      expect(balances).toHaveLength(14)
      // Each success saw a distinct post-debit balance: 93, 86, …, 2.
      expect([...balances].sort((a, b) => b - a)).toEqual(range(14).map((i) => 100 - amount * (i + 1)))
      expect((await Accounts.findById(account._id).lean())?.balance).toBe(2)
    })
  })

  describe('aggregation with $group and $dateToString', () => {
    let Events: Model<FollowUpEvent>

    beforeAll(async () => {
      Events = db.connection.model<FollowUpEvent>(
        'FollowUpEvent',
        new Schema<FollowUpEvent>({
          hospital: { type: String, required: true },
          at: { type: Date, required: true },
          score: { type: Number, required: true },
        }),
        'follow_up_events',
      )
      const ev = (at: string, score: number, hospital = 'h1'): FollowUpEvent => ({
        hospital,
        at: new Date(at),
        score,
      })
      await Events.create([
        ev('2024-02-29T17:00:00.000Z', 1), // Shanghai 2024-03-01 01:00 (UTC: Feb 29, leap day)
        ev('2024-03-01T00:30:00.000Z', 2), // Shanghai 2024-03-01 08:30
        ev('2024-03-01T15:59:59.999Z', 4), // Shanghai 2024-03-01 23:59:59.999, last ms of the day
        ev('2024-03-01T16:00:00.000Z', 8), // Shanghai 2024-03-02 00:00, first ms of the next day
        ev('2024-03-01T23:30:00.000Z', 16), // Shanghai 2024-03-02 07:30
        ev('2024-03-02T15:00:00.000Z', 32), // Shanghai 2024-03-02 23:00
        ev('2024-03-02T16:00:00.000Z', 64), // Shanghai 2024-03-03 00:00
        ev('2024-03-01T12:00:00.000Z', 1000, 'h2'), // another hospital, filtered out
      ])
    })

    function bucketsIn(timezone: string): Promise<{ _id: string; count: number; score: number }[]> {
      return Events.aggregate<{ _id: string; count: number; score: number }>([
        { $match: { hospital: 'h1' } },
        {
          $group: {
            _id: { $dateToString: { format: '%Y-%m-%d', date: '$at', timezone } },
            count: { $sum: 1 },
            score: { $sum: '$score' },
          },
        },
        { $sort: { _id: 1 } },
      ]).exec()
    }

    it('buckets by the Asia/Shanghai calendar day', async () => {
      expect(await bucketsIn('Asia/Shanghai')).toEqual([
        { _id: '2024-03-01', count: 3, score: 7 },
        { _id: '2024-03-02', count: 3, score: 56 },
        { _id: '2024-03-03', count: 1, score: 64 },
      ])
    })

    it('buckets differently in UTC (so the time zone is really applied)', async () => {
      expect(await bucketsIn('UTC')).toEqual([
        { _id: '2024-02-29', count: 1, score: 1 },
        { _id: '2024-03-01', count: 4, score: 30 },
        { _id: '2024-03-02', count: 2, score: 96 },
      ])
    })

    it('formats hours in the zone as well', async () => {
      const rows = await Events.aggregate<{ _id: string; n: number }>([
        { $match: { hospital: 'h1', at: { $gte: new Date('2024-03-01T15:00:00.000Z') } } },
        {
          $group: {
            _id: { $dateToString: { format: '%Y-%m-%dT%H', date: '$at', timezone: 'Asia/Shanghai' } },
            n: { $sum: 1 },
          },
        },
        { $sort: { _id: 1 } },
      ]).exec()
      expect(rows).toEqual([
        { _id: '2024-03-01T23', n: 1 },
        { _id: '2024-03-02T00', n: 1 },
        { _id: '2024-03-02T07', n: 1 },
        { _id: '2024-03-02T23', n: 1 },
        { _id: '2024-03-03T00', n: 1 },
      ])
    })
  })
})
