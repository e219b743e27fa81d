import { isAppError } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { ContentPort } from '../content/content.port'
import type { PushPort } from '../push/push.port'
import type { SegmentService } from '../segments/segment.service'
import type { CampaignDoc, CampaignRunDoc } from './campaign.model'
import { CAMPAIGN_SOURCE, resolveContent, runMessages } from './campaign-message'
import type { CampaignRepo } from './campaign.repo'
import type { CampaignRunRepo } from './campaign-run.repo'
import { dueSlot, type CampaignSchedule } from './campaign-schedule'

/**
 * The campaign tick (every minute, on every instance; architecture §5 "jobs as data"):
 * 1. for each approved / running campaign, the slot due now (once: its instant; cron: the latest
 *    matching minute not yet run) → insert the run `{campaignId, slot}`. The key is unique, so when
 *    several instances tick at once exactly one insert wins: each slot runs once.
 * 2. runs still materialising whose lease is free or expired → take the lease and materialise: the
 *    segment is resolved at that moment and its patient ids streamed in id order; each batch of
 *    about 1,000 becomes outbox rows (dedupe key `campaign:<runId>:<patientId>`), then the run's
 *    cursor, counters and lease move in one guarded update. An instance that dies leaves its lease
 *    to expire; the next tick anywhere resumes after the cursor (a batch enqueued before the crash
 *    but not recorded is enqueued again: a no-op by dedupe key). A paused or cancelled run fails the
 *    guard: the materialiser stops and cancels what it enqueued after the pause.
 * 3. campaigns with nothing left to run (once: its run done; cron: past its end) → completed.
 * Content is read at run time (`ContentPort.approvedVersion`): an article without an approved
 * version fails the run with that reason, as does a segment that no longer compiles.
 */

export interface TickReport {
  runsCreated: number
  runsMaterialised: number
  rowsCreated: number
  completed: number
}

export interface CampaignRunner {
  readonly owner: string
  tick(): Promise<TickReport>
  /** Materialises one run this instance has claimed (tests); false when it stopped early. */
  materialise(run: CampaignRunDoc): Promise<{ finished: boolean; created: number }>
}

/** Ids enqueued per outbox insert. */
export const CAMPAIGN_BATCH_SIZE = 1_000
/** Ids read from the database per round trip (sliced into enqueue batches). */
const ID_FETCH_SIZE = 10_000

export const scheduleOf = (c: CampaignDoc): CampaignSchedule =>
  c.schedule.kind === 'now'
    ? { kind: 'now' }
    : c.schedule.kind === 'at'
      ? { kind: 'at', at: c.schedule.at! }
      : { kind: 'cron', cron: c.schedule.cron!, endAt: c.schedule.endAt! }

export const slotStateOf = (c: CampaignDoc) => ({
  schedule: scheduleOf(c),
  approvedAt: c.approvedAt,
  anchor: c.anchor,
  lastSlotAt: c.lastSlotAt,
})

/** The expression a campaign's segment stands for now (a saved segment by id, or its own). */
export type SegmentExpressionOf = (c: CampaignDoc) => Promise<string | null>

export const createCampaignRunner = (deps: {
  campaigns: CampaignRepo
  runs: CampaignRunRepo
  segments: SegmentService
  expressionOf: SegmentExpressionOf
  content: ContentPort
  push: PushPort
  clock: Clock
  timeZone: string
  logger: Logger
  owner: string
  leaseMs: number
  batchSize?: number
}): CampaignRunner => {
  const { campaigns, runs, clock, owner, leaseMs } = deps
  const batchSize = deps.batchSize ?? CAMPAIGN_BATCH_SIZE
  const leaseFrom = (now: Date) => new Date(now.getTime() + leaseMs)

  const fail = async (run: CampaignRunDoc, code: string, reason: string): Promise<void> => {
    await runs.fail(run._id, owner, { code, reason }, clock.now())
    deps.logger.warn({ runId: run._id.toHexString(), code, reason }, 'campaign run failed')
  }

  /** The run is no longer ours to write: paused or cancelled → take back what we enqueued after that. */
  const stopped = async (run: CampaignRunDoc): Promise<void> => {
    const now = await runs.findById(run._id.toHexString())
    if (now && (now.state === 'paused' || now.state === 'cancelled'))
      await deps.push.cancelBySource({ kind: CAMPAIGN_SOURCE, groupId: run._id.toHexString() })
  }

  const materialise: CampaignRunner['materialise'] = async (run) => {
    const runId = run._id.toHexString()
    const campaign = await campaigns.findById(run.campaignId.toHexString())
    if (!campaign) {
      await fail(run, 'CAMPAIGN_NOT_FOUND', 'the campaign no longer exists')
      return { finished: false, created: 0 }
    }
    const resolved = await resolveContent(campaign, deps.content)
    if (!resolved.ok) {
      await fail(run, resolved.code, resolved.reason)
      return { finished: false, created: 0 }
    }
    const expression = await deps.expressionOf(campaign)
    if (!expression) {
      await fail(run, 'SEGMENT_INVALID', 'the saved segment no longer exists')
      return { finished: false, created: 0 }
    }
    let segment: Awaited<ReturnType<SegmentService['resolve']>>
    try {
      segment = await deps.segments.resolve(expression)
    } catch (e) {
      if (!isAppError(e)) throw e
      await fail(run, e.code, e.message)
      return { finished: false, created: 0 }
    }
    const total = await segment.count()
    const start = clock.now()
    const began = await runs.begin(run._id, owner, {
      total: Math.max(total, run.materialised),
      contentVersion: resolved.content.version,
      now: start,
      leaseUntil: leaseFrom(start),
      ...(run.startedAt ? {} : { startedAt: start }),
    })
    if (!began) {
      await stopped(run)
      return { finished: false, created: 0 }
    }
    const message = runMessages({
      campaign,
      runId,
      slot: run.slot,
      content: resolved.content,
      timeZone: deps.timeZone,
      now: start,
    })
    let created = 0
    let materialised = run.materialised
    for await (const fetched of segment.ids({
      batchSize: ID_FETCH_SIZE,
      ordered: true,
      ...(run.cursor ? { afterId: run.cursor } : {}),
    })) {
      for (let i = 0; i < fetched.length; i += batchSize) {
        const ids = fetched.slice(i, i + batchSize)
        const r = await deps.push.enqueue(ids.map(message))
        const now = clock.now()
        const ok = await runs.progress(run._id, owner, {
          cursor: ids[ids.length - 1]!,
          n: ids.length,
          created: r.created,
          now,
          leaseUntil: leaseFrom(now),
        })
        if (!ok) {
          await stopped(run)
          return { finished: false, created }
        }
        if (created === 0 && r.created > 0) deps.push.kick() // sending starts while materialising
        created += r.created
        materialised += ids.length
      }
    }
    const done = await runs.finish(run._id, owner, clock.now(), Math.max(total, materialised))
    if (!done) await stopped(run)
    deps.push.kick()
    return { finished: done, created }
  }

  return {
    owner,
    materialise,
    async tick() {
      const report: TickReport = { runsCreated: 0, runsMaterialised: 0, rowsCreated: 0, completed: 0 }
      const now = clock.now()
      const active = await campaigns.active()
      for (const c of active) {
        const slot = dueSlot(slotStateOf(c), now, deps.timeZone)
        if (!slot) continue
        if (await runs.insert(c._id, slot, now)) report.runsCreated++
        await campaigns.markSlot(c._id, slot, now)
        c.lastSlotAt = slot
      }
      for (const candidate of await runs.claimable(clock.now())) {
        const run = await runs.claim(candidate._id, owner, clock.now(), leaseMs)
        if (!run) continue // another instance has it
        try {
          const r = await materialise(run)
          if (r.finished) report.runsMaterialised++
          report.rowsCreated += r.created
        } catch (err) {
          // the lease runs out and the next tick (here or elsewhere) resumes after the cursor
          deps.logger.error({ err, runId: run._id.toHexString() }, 'campaign materialisation failed')
        }
      }
      for (const c of active) {
        const sch = c.schedule
        const over =
          sch.kind === 'cron' ? sch.endAt!.getTime() <= clock.now().getTime() : c.lastSlotAt !== null
        if (!over || (await runs.hasOpen(c._id))) continue
        if (
          await campaigns.transition(c._id.toHexString(), ['approved', 'running'], 'completed', clock.now())
        )
          report.completed++
      }
      return report
    },
  }
}
