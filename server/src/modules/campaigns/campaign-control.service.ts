import {
  AppError,
  type Campaign,
  type CampaignRunResponse,
  type CampaignState,
  type CampaignStatsResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PushPort } from '../push/push.port'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { CampaignDoc } from './campaign.model'
import { CAMPAIGN_SOURCE } from './campaign-message'
import { toCampaignRun } from './campaign-present'
import type { CampaignRepo } from './campaign.repo'
import type { CampaignRunRepo } from './campaign-run.repo'
import type { CampaignStatsService } from './campaign-stats'
import { notFound, stateError, type CampaignService } from './campaign.service'

/**
 * Pause, resume, cancel (F23) and statistics (F24). Each control is a guarded state change of the
 * campaign and its open runs, then the push engine's source-group operation on the runs' rows: a
 * pause cancels rows not yet sent (rows a worker already claimed finish) and stops materialising
 * (the materialiser's next guarded progress write fails and it takes back its last batch); resume
 * revives them and the tick resumes materialising after the run's cursor. Cron slots missed while
 * paused are skipped. Each control repeated answers the campaign as it is.
 */
export interface CampaignControl {
  pause(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Campaign>
  resume(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Campaign>
  cancel(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Campaign>
  stats(id: string): Promise<CampaignStatsResponse>
  run(id: string, runId: string): Promise<CampaignRunResponse>
}

/** Runs whose rows may still be unsent: their messages expire within 72 h of the slot. */
const UNSENT_WINDOW_MS = 73 * 3_600_000
const STATS_RUNS = 50

export const createCampaignControl = (deps: {
  campaigns: CampaignRepo
  runs: CampaignRunRepo
  service: CampaignService
  stats: CampaignStatsService
  push: PushPort
  audit: AuditLog
  clock: Clock
  timeZone: string
}): CampaignControl => {
  const { campaigns, runs, clock } = deps

  const find = async (id: string): Promise<CampaignDoc> => {
    const c = await campaigns.findById(id)
    if (!c) throw notFound()
    return c
  }

  /** The push source groups (runs) whose rows may still be waiting. */
  const recentRuns = (c: CampaignDoc) =>
    runs.idsSince(c._id, new Date(clock.now().getTime() - UNSENT_WINDOW_MS))

  const record = (p: StaffPrincipal, action: string, c: CampaignDoc, meta: RequestMeta, detail = {}) =>
    deps.audit.record({
      actor: staffActor(p),
      action,
      detail: { campaignId: c._id.toHexString(), name: c.name, ...detail },
      ...meta,
    })

  /** Moves from the state read to `to` (retrying when a concurrent change got there first). */
  const move = async (
    id: string,
    allowed: CampaignState[],
    to: (c: CampaignDoc) => { state: CampaignState; set?: Partial<CampaignDoc> },
    settled: (c: CampaignDoc) => boolean,
    action: string,
  ): Promise<{ c: CampaignDoc; moved: boolean }> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = await find(id)
      if (settled(c)) return { c, moved: false }
      if (!allowed.includes(c.state)) throw stateError(c, action)
      const t = to(c)
      const moved = await campaigns.transition(id, [c.state], t.state, clock.now(), { set: t.set })
      if (moved) return { c: moved, moved: true }
    }
    throw stateError(await find(id), action)
  }

  return {
    async pause(p, id, meta) {
      const { c, moved } = await move(
        id,
        ['approved', 'running', 'completed'],
        (c) => ({ state: 'paused', set: { pausedFrom: c.state as 'approved' | 'running' | 'completed' } }),
        (c) => c.state === 'paused',
        'paused',
      )
      // repeated too: a pause that died half-way is finished by the next one
      await runs.setState(c._id, ['materialising'], 'paused', clock.now())
      let cancelled = 0
      for (const groupId of await recentRuns(c))
        cancelled += await deps.push.cancelBySource({ kind: CAMPAIGN_SOURCE, groupId })
      if (moved) await record(p, 'campaign.pause', c, meta, { cancelled })
      return deps.service.get(id)
    },

    async resume(p, id, meta) {
      const { c, moved } = await move(
        id,
        ['paused'],
        (c) => ({ state: c.pausedFrom ?? 'approved', set: { pausedFrom: null, anchor: clock.now() } }),
        (c) => c.state === 'approved' || c.state === 'running' || c.state === 'completed',
        'resumed',
      )
      if (!moved) return deps.service.get(id)
      await runs.setState(c._id, ['paused'], 'materialising', clock.now())
      let revived = 0
      for (const groupId of await recentRuns(c))
        revived += await deps.push.reviveBySource({ kind: CAMPAIGN_SOURCE, groupId })
      deps.push.kick()
      await record(p, 'campaign.resume', c, meta, { revived })
      return deps.service.get(id)
    },

    async cancel(p, id, meta) {
      const { c, moved } = await move(
        id,
        ['draft', 'pending_approval', 'approved', 'running', 'paused', 'completed'],
        () => ({ state: 'cancelled', set: { pausedFrom: null } }),
        (c) => c.state === 'cancelled',
        'cancelled',
      )
      await runs.setState(c._id, ['materialising', 'paused'], 'cancelled', clock.now())
      let cancelled = 0
      for (const groupId of await recentRuns(c))
        cancelled += await deps.push.cancelBySource({ kind: CAMPAIGN_SOURCE, groupId })
      if (moved) await record(p, 'campaign.cancel', c, meta, { cancelled })
      return deps.service.get(id)
    },

    async stats(id) {
      const c = await find(id)
      const [list, runsTotal] = await Promise.all([runs.ofCampaign(c._id, STATS_RUNS), runs.countOf(c._id)])
      const out: CampaignRunResponse[] = []
      // one run after another: each is a few aggregations over the outbox
      for (const r of list)
        out.push({ run: toCampaignRun(r, deps.timeZone), stats: await deps.stats.ofRun(c, r) })
      return {
        campaignId: c._id.toHexString(),
        goal: c.goal ? { event: c.goal.event, withinDays: c.goal.withinDays } : null,
        totals: deps.stats.sum(out.map((x) => x.stats)),
        runs: out,
        runsTotal,
      }
    },

    async run(id, runId) {
      const c = await find(id)
      const r = await runs.findById(runId)
      if (!r || !r.campaignId.equals(c._id))
        throw new AppError('CAMPAIGN_RUN_NOT_FOUND', 'No such run of this campaign')
      return { run: toCampaignRun(r, deps.timeZone), stats: await deps.stats.ofRun(c, r) }
    },
  }
}
