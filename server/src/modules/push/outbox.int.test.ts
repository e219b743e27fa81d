import { AppError } from '@careloop/shared'
import { Types } from 'mongoose'
import { useTestDatabase } from '../../../../tests/src/jest/test-database'
import { ManualClock } from '../../clock'
import { parseConfig } from '../../config'
import { syncIndexes } from '../../db/connection'
import { createLogger } from '../../logger'
import { PRIVACY_POLICY } from '../consent/privacy-policy'
import { patientModel } from '../patients/patient.model'
import { deliveryModel, outboxModel, type OutboxDoc } from './outbox.model'
import { deliveryKey } from './outbox.repo'
import type { Channel } from './push-channels'
import { pushCapModel } from './push-preference.model'
import { createPushModule, type PushModule } from './push.module'
import type { PushMessage } from './push.port'

/**
 * The outbox itself against the real engine: idempotent enqueue, claims under concurrency, leases,
 * guarded writes, cancel / revive. Channels are counting fakes here (the real ones with the
 * simulators: push-dispatch.int.test.ts).
 */
const database = useTestDatabase()
const clock = new ManualClock(new Date('2025-03-11T02:00:00Z')) // 10:00 in Shanghai
const config = parseConfig({
  NODE_ENV: 'test',
  WECHAT_APPID: 'a',
  WECHAT_SECRET: 's',
  PUSH_CAP_CARE_PER_DAY: '100',
})
/** Every call of the fake inbox channel, by dedupe key. */
const calls: string[] = []
const counting: Channel = {
  name: 'inbox',
  recorded: true,
  prepare: ({ row }) =>
    Promise.resolve({
      kind: 'ready',
      send() {
        calls.push(row.dedupeKey)
        return Promise.resolve({ msgid: null })
      },
    }),
}
const moduleAs = (owner: string): PushModule =>
  createPushModule({
    config,
    clock,
    db: database.connection,
    logger: createLogger('silent'),
    wechat: undefined,
    wecom: undefined,
    channels: { inbox: counting },
    owner,
    leaseMs: 60_000,
  })
let a: PushModule
let b: PushModule
let patientId = ''

beforeAll(async () => {
  a = moduleAs('worker-a')
  b = moduleAs('worker-b')
  await syncIndexes(database.connection)
  const p = await patientModel(database.connection).create({
    accountId: new Types.ObjectId(),
    relation: 'self',
    name: '张三',
    consents: { care: { granted: true, policyVersion: PRIVACY_POLICY.version, at: clock.now(), by: 'self' } },
  })
  patientId = p._id.toHexString()
})

beforeEach(async () => {
  calls.length = 0
  await outboxModel(database.connection).deleteMany({})
  await deliveryModel(database.connection).deleteMany({})
  await pushCapModel(database.connection).deleteMany({})
})

const msg = (key: string, over: Partial<PushMessage> = {}): PushMessage => ({
  dedupeKey: key,
  purpose: 'care',
  dueAt: clock.now(),
  patientId,
  channels: ['inbox'],
  content: { title: '提醒', body: `内容 ${key}` },
  source: { kind: 'followup-step', id: key, groupId: 'enrol-1' },
  ...over,
})

describe('enqueue', () => {
  it('is idempotent by dedupe key, within one call and across calls', async () => {
    expect(
      await a.port.enqueue([msg('e1'), msg('e2'), msg('e1', { content: { title: '另一个', body: 'x' } })]),
    ).toEqual({
      created: 2,
    })
    expect(await a.port.enqueue([msg('e1'), msg('e3')])).toEqual({ created: 1 })
    expect(await b.port.enqueue([msg('e2')])).toEqual({ created: 0 })
    const rows = await outboxModel(database.connection).find({}).sort({ dedupeKey: 1 }).lean()
    expect(rows.map((r) => [r.dedupeKey, r.status, r.content.title])).toEqual([
      ['e1', 'pending', '提醒'],
      ['e2', 'pending', '提醒'],
      ['e3', 'pending', '提醒'],
    ])
  })

  it('refuses a message it could never send (a programming error), writing nothing', async () => {
    const bad: [Partial<PushMessage>, string][] = [
      [{ channels: [] }, 'channels'],
      [{ patientId: undefined }, 'patientId'],
      [{ purpose: 'staff', patientId: undefined, channels: ['wecom-app'] }, 'staffId'],
      [{ channels: ['wecom-app'] }, 'channels'],
      [{ dueAt: new Date('nope') }, 'dueAt'],
    ]
    for (const [over, field] of bad) {
      const err = await a.port.enqueue([msg('ok'), msg('bad', over)]).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AppError)
      expect(err).toMatchObject({ code: 'PUSH_MESSAGE_INVALID', details: { field } })
    }
    expect(await outboxModel(database.connection).countDocuments()).toBe(0)
  })
})

describe('claims and leases', () => {
  it('two workers claiming at once never take the same row, and together send each once', async () => {
    await a.port.enqueue(Array.from({ length: 90 }, (_, i) => msg(`c${i}`)))
    const claimAll = async (m: PushModule): Promise<OutboxDoc[]> => {
      const mine: OutboxDoc[] = []
      for (let batch = await m.worker.claimBatch(25); batch.length; batch = await m.worker.claimBatch(25))
        mine.push(...batch)
      return mine
    }
    const [ra, rb] = await Promise.all([claimAll(a), claimAll(b)])
    const ids = [...ra, ...rb].map((r) => r._id.toHexString())
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(90)
    expect(ra.every((r) => r.owner === 'worker-a') && rb.every((r) => r.owner === 'worker-b')).toBe(true)
    await Promise.all([a.worker.dispatchClaimed(ra), b.worker.dispatchClaimed(rb)])
    expect(calls.length).toBe(90)
    expect(new Set(calls).size).toBe(90)
    expect(await outboxModel(database.connection).countDocuments({ status: 'sent' })).toBe(90)
    // nothing is due any more
    expect((await a.worker.dispatchDue()).claimed).toBe(0)
  })

  it('a worker that dies after claiming: the rows wait for the lease, then another worker sends them once', async () => {
    await a.port.enqueue([msg('l1'), msg('l2')])
    const claimed = await a.worker.claimBatch()
    expect(claimed).toHaveLength(2)
    // worker a "dies" here; b finds nothing while the lease holds
    expect((await b.worker.dispatchDue()).claimed).toBe(0)
    clock.advance(61_000)
    expect((await b.worker.dispatchDue()).claimed).toBe(2)
    expect(calls.sort()).toEqual(['l1', 'l2'])
    // a wakes up with its stale claim: the delivery records stop it from calling again, and its
    // writes are guarded by owner and claim, so nothing lands
    expect(await a.worker.dispatchClaimed(claimed)).toBe(0)
    expect(calls).toHaveLength(2)
    const rows = await outboxModel(database.connection).find({}).lean()
    expect(rows.every((r) => r.status === 'sent' && r.owner === null)).toBe(true)
  })

  it('a worker that dies after the platform call: the next one finishes the row without calling again', async () => {
    await a.port.enqueue([msg('d1')])
    const [row] = await a.worker.claimBatch()
    // the call went out and its delivery record says so, but the worker died before writing the row
    await deliveryModel(database.connection).create({
      _id: deliveryKey(row!.dedupeKey, 'inbox'),
      dedupeKey: row!.dedupeKey,
      channel: 'inbox',
      state: 'sent',
      owner: 'worker-a',
      at: clock.now(),
    })
    clock.advance(61_000)
    await b.worker.dispatchDue()
    expect(calls).toEqual([])
    const done = await outboxModel(database.connection).findById(row!._id).lean()
    expect(done).toMatchObject({ status: 'sent', outcome: { channel: 'inbox' } })
  })

  it('rows are claimed only when due', async () => {
    await a.port.enqueue([msg('f1', { dueAt: new Date(clock.now().getTime() + 3_600_000) })])
    expect((await a.worker.dispatchDue()).claimed).toBe(0)
    clock.advance(3_600_000)
    expect((await a.worker.dispatchDue()).claimed).toBe(1)
    expect(calls).toEqual(['f1'])
  })
})

describe('cancel and revive by source', () => {
  it('cancels unsent rows of a group; re-enqueueing does not revive them; revive does', async () => {
    await a.port.enqueue([
      msg('s1'),
      msg('s2'),
      msg('s3', { source: { kind: 'followup-step', id: 's3', groupId: 'other' } }),
    ])
    expect(await a.port.cancelBySource({ kind: 'followup-step', groupId: 'enrol-1' })).toBe(2)
    expect(await a.port.enqueue([msg('s1')])).toEqual({ created: 0 })
    await a.worker.dispatchDue()
    expect(calls).toEqual(['s3'])
    expect(await a.port.reviveBySource({ kind: 'followup-step', groupId: 'enrol-1' })).toBe(2)
    await a.worker.dispatchDue()
    expect(calls.sort()).toEqual(['s1', 's2', 's3'])
  })
})
