import { CampaignResponse, CampaignRunResponse, type Campaign } from '@careloop/shared'
import { Types } from 'mongoose'
import {
  approvedCampaign,
  campaignBody,
  seedTag,
  seedTaggedPatients,
} from '../../../../tests/src/harness/campaign-fixture'
import { cancelQueued, pushWorkerFor, shanghai } from '../../../../tests/src/harness/push-kit'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createLogger } from '../../logger'
import { createContentModule } from '../content/content.module'
import type { ContentPort } from '../content/content.port'
import { outboxModel } from '../push/outbox.model'
import type { PushModule } from '../push/push.module'
import type { PushMessage, PushPort } from '../push/push.port'
import { campaignModel, campaignRunModel } from './campaign.model'
import { CAMPAIGN_LEASE_MS, createCampaignsModule, type CampaignsModule } from './campaign.module'

/**
 * Runs (F23): the tick on several instances at once creates each slot's run once and each patient's
 * row once; a crashed materialisation is resumed by another instance; pause stops materialising and
 * holds unsent rows, resume carries on. Module instances stand for server instances on one database.
 */
const h = useStaffHarness()
const tok = { marketer: '', head: '' }
const BATCH = 200
const logger = createLogger('silent')
let push: PushModule
let tags = 0

/** One server instance's campaigns module (its own owner id), enqueueing through `port`. */
const instance = (owner: string, port?: PushPort, content?: ContentPort): CampaignsModule =>
  createCampaignsModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger,
    push: port ?? push.port,
    content: content ?? createContentModule({ clock: h.clock, db: h.db, logger }).port,
    owner,
    batchSize: BATCH,
  })

/** A port that forwards to the real outbox and then runs `after` (the n-th call counted from 1). */
const hooked = (after: (call: number) => Promise<void>): PushPort => {
  let calls = 0
  return {
    async enqueue(messages: PushMessage[]) {
      const r = await push.port.enqueue(messages)
      await after(++calls)
      return r
    },
    cancelBySource: (s) => push.port.cancelBySource(s),
    reviveBySource: (s) => push.port.reviveBySource(s),
    kick: () => undefined,
  }
}

/** A fresh tag with `n` consenting patients; its name is the segment. */
const segmentOf = async (n: number): Promise<{ expression: string; patients: string[] }> => {
  const expression = `活动批次${++tags}`
  const patients = await seedTaggedPatients(h, await seedTag(h, expression), n)
  return { expression, patients }
}

const rowsOf = (c: Campaign) => outboxModel(h.db).find({ 'source.id': c.id }).lean()
const runsOf = (c: Campaign) =>
  campaignRunModel(h.db)
    .find({ campaignId: new Types.ObjectId(c.id) })
    .lean()
const stateOf = async (c: Campaign) => (await campaignModel(h.db).findById(c.id).lean())!.state
const post = (path: string, token: string) => h.request('POST', path, { token })

let day = Date.parse('2030-05-01T00:00:00+08:00')
beforeAll(async () => {
  await h.seedStaff()
  push = pushWorkerFor(h)
})
// nothing one test queued reaches the next one's worker
afterEach(() => cancelQueued(h))
// each test on a new day at 10:00 Shanghai, with fresh staff tokens (the clock moved)
beforeEach(async () => {
  day += 86_400_000
  h.clock.set(shanghai(`${new Date(day + 8 * 3_600_000).toISOString().slice(0, 10)}T10:00`))
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
})

describe('several instances', () => {
  it('two instances ticking at once create one run and one row per patient', async () => {
    const { expression, patients } = await segmentOf(1000)
    const c = await approvedCampaign(h, tok, campaignBody(expression))
    const a = instance('instance-a')
    const b = instance('instance-b')
    const reports = await Promise.all([a.runner.tick(), b.runner.tick()])
    expect(reports.map((r) => r.runsCreated).sort()).toEqual([0, 1])
    const runs = await runsOf(c)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ state: 'materialised', materialised: 1000, total: 1000, owner: null })
    const rows = await rowsOf(c)
    expect(rows).toHaveLength(1000)
    expect(new Set(rows.map((r) => r.patientId!.toHexString()))).toEqual(new Set(patients))
    expect(rows[0]).toMatchObject({
      purpose: 'marketing',
      dedupeKey: `campaign:${runs[0]!._id.toHexString()}:${rows[0]!.patientId!.toHexString()}`,
      source: { kind: 'campaign', id: c.id, groupId: runs[0]!._id.toHexString() },
      channels: ['inbox'],
      status: 'pending',
    })
    expect(await stateOf(c)).toBe('completed')
    // ticking again anywhere changes nothing
    await Promise.all([a.runner.tick(), b.runner.tick()])
    expect([(await runsOf(c)).length, (await rowsOf(c)).length]).toEqual([1, 1000])
  })

  it('a daily cron runs once per slot across instances, in the hospital zone, until its end', async () => {
    const { expression } = await segmentOf(150)
    const c = await approvedCampaign(
      h,
      tok,
      campaignBody(expression, {
        schedule: { kind: 'cron', cron: '30 10 * * *', endAt: new Date(day + 2 * 86_400_000).toISOString() },
      }),
    )
    const a = instance('cron-a')
    const b = instance('cron-b')
    await Promise.all([a.runner.tick(), b.runner.tick()]) // 10:00: not yet
    expect(await runsOf(c)).toHaveLength(0)
    h.clock.advance(30 * 60_000) // 10:30 Shanghai
    await Promise.all([a.runner.tick(), b.runner.tick(), a.runner.tick()])
    h.clock.advance(60_000)
    await Promise.all([a.runner.tick(), b.runner.tick()])
    expect((await runsOf(c)).map((r) => r.slot.toISOString())).toEqual([
      new Date(day + 10.5 * 3_600_000).toISOString(), // `day` is midnight in Shanghai
    ])
    h.clock.advance(86_400_000) // the next day, 10:31
    await Promise.all([a.runner.tick(), b.runner.tick()])
    const runs = await runsOf(c)
    expect(runs).toHaveLength(2)
    expect(runs.every((r) => r.state === 'materialised' && r.materialised === 150)).toBe(true)
    expect(await rowsOf(c)).toHaveLength(300)
    expect(await stateOf(c)).toBe('running')
    h.clock.advance(86_400_000) // past its end: completed without a third run
    await a.runner.tick()
    expect([(await runsOf(c)).length, await stateOf(c)]).toEqual([2, 'completed'])
  })
})

describe('crash and resume', () => {
  it('a run whose instance died mid-way is resumed by another: all rows, none twice', async () => {
    const { expression, patients } = await segmentOf(1000)
    const c = await approvedCampaign(h, tok, campaignBody(expression))
    // instance A dies after its third batch reached the outbox, before recording it
    const a = instance(
      'dies',
      hooked((call) => (call === 3 ? Promise.reject(new Error('killed')) : Promise.resolve())),
    )
    const b = instance('survivor')
    const first = await a.runner.tick()
    expect(first).toMatchObject({ runsCreated: 1, runsMaterialised: 0 })
    const [run] = await runsOf(c)
    expect(run).toMatchObject({ state: 'materialising', owner: 'dies', materialised: 2 * BATCH })
    expect(await rowsOf(c)).toHaveLength(3 * BATCH)
    // its lease holds: the other instance leaves the run alone until it expires
    await b.runner.tick()
    expect((await runsOf(c))[0]!.owner).toBe('dies')
    h.clock.advance(CAMPAIGN_LEASE_MS + 1_000)
    const second = await b.runner.tick()
    expect(second).toMatchObject({ runsCreated: 0, runsMaterialised: 1, rowsCreated: 1000 - 3 * BATCH })
    const done = (await runsOf(c))[0]!
    expect(done).toMatchObject({ state: 'materialised', materialised: 1000, total: 1000, owner: null })
    const rows = await rowsOf(c)
    expect(rows).toHaveLength(1000)
    expect(new Set(rows.map((r) => r.patientId!.toHexString()))).toEqual(new Set(patients))
    expect(await stateOf(c)).toBe('completed')
  })
})

describe('content at run time', () => {
  it('an article without an approved version when the run starts fails the run, saying why', async () => {
    const { expression } = await segmentOf(10)
    const c = await approvedCampaign(h, tok, campaignBody(expression))
    // the content library answers at run time, not at approval: the article lost its approved version
    await campaignModel(h.db).updateOne(
      { _id: c.id },
      { $set: { content: { kind: 'article', articleId: new Types.ObjectId().toHexString() } } },
    )
    const noArticle: ContentPort = {
      approvedVersion: () => Promise.resolve(undefined),
      readsForCampaign: (campaignRunId) =>
        Promise.resolve({ campaignRunId, openedProfiles: 0, completedProfiles: 0, readers: [] }),
    }
    await instance('content-check', undefined, noArticle).runner.tick()
    const [run] = await runsOf(c)
    expect(run).toMatchObject({ state: 'failed', materialised: 0, failure: { code: 'CONTENT_NOT_APPROVED' } })
    expect(run!.failure!.reason).toContain('no approved version')
    expect(await rowsOf(c)).toHaveLength(0)
    const shown = CampaignResponse.parse(
      (await h.request('GET', `/api/v1/staff/campaigns/${c.id}`, { token: tok.marketer })).body,
    ).campaign
    expect(shown).toMatchObject({ state: 'completed', lastRun: { state: 'failed' } })
  })
})

describe('pause, resume, cancel', () => {
  it('a pause during materialisation stops it and holds the rows; resume revives them and finishes', async () => {
    const { expression } = await segmentOf(1000)
    const c = await approvedCampaign(h, tok, campaignBody(expression))
    const a = instance(
      'pausing',
      hooked(async (call) => {
        if (call === 2)
          expect((await post(`/api/v1/staff/campaigns/${c.id}/pause`, tok.head)).status).toBe(200)
      }),
    )
    await a.runner.tick()
    const paused = (await runsOf(c))[0]!
    expect(paused).toMatchObject({ state: 'paused', materialised: BATCH })
    expect(await stateOf(c)).toBe('paused')
    const held = await rowsOf(c)
    expect([held.length, held.every((r) => r.status === 'cancelled')]).toEqual([2 * BATCH, true])
    // nobody materialises a paused run
    const b = instance('resumer')
    await b.runner.tick()
    expect(await rowsOf(c)).toHaveLength(2 * BATCH)

    const resumed = await post(`/api/v1/staff/campaigns/${c.id}/resume`, tok.marketer)
    expect(CampaignResponse.parse(resumed.body).campaign.state).toBe('running')
    expect((await rowsOf(c)).every((r) => r.status === 'pending')).toBe(true)
    await b.runner.tick()
    const rows = await rowsOf(c)
    expect([rows.length, rows.every((r) => r.status === 'pending')]).toEqual([1000, true])
    expect(await stateOf(c)).toBe('completed')
    const run = CampaignRunResponse.parse(
      (
        await h.request('GET', `/api/v1/staff/campaigns/${c.id}/runs/${paused._id.toHexString()}`, {
          token: tok.marketer,
        })
      ).body,
    )
    expect(run.run).toMatchObject({ state: 'materialised', progress: { materialised: 1000, total: 1000 } })
    expect(run.stats).toMatchObject({ targeted: 1000, pending: 1000, sent: 0 })
  })

  it('pause takes back only unsent rows; cancel ends it for good', async () => {
    const { expression } = await segmentOf(40)
    const c = await approvedCampaign(h, tok, campaignBody(expression))
    await instance('one').runner.tick()
    // half the rows go out, the rest wait
    const waiting = (await rowsOf(c)).slice(20).map((r) => r._id)
    await outboxModel(h.db).updateMany({ _id: { $in: waiting } }, { $set: { nextAt: new Date(day + 9e7) } })
    await push.worker.dispatchDue()
    const count = async () => {
      const by: Record<string, number> = {}
      for (const r of await rowsOf(c)) by[r.status] = (by[r.status] ?? 0) + 1
      return by
    }
    expect(await count()).toEqual({ sent: 20, pending: 20 })
    await post(`/api/v1/staff/campaigns/${c.id}/pause`, tok.marketer)
    expect(await count()).toEqual({ sent: 20, cancelled: 20 })
    await post(`/api/v1/staff/campaigns/${c.id}/resume`, tok.marketer)
    expect(await count()).toEqual({ sent: 20, pending: 20 })
    const cancelled = await post(`/api/v1/staff/campaigns/${c.id}/cancel`, tok.head)
    expect(CampaignResponse.parse(cancelled.body).campaign.state).toBe('cancelled')
    expect(await count()).toEqual({ sent: 20, cancelled: 20 })
  })
})
