import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import type { ContentPort } from '../content/content.port'
import type { PushPort } from '../push/push.port'
import { newOwnerId } from '../push/push-worker'
import { createSegmentRepo } from '../segments/segment.repo'
import { createSegmentService, type SegmentService } from '../segments/segment.service'
import { createTagRepo } from '../tags/tag.repo'
import { createCampaignControl, type CampaignControl } from './campaign-control.service'
import { campaignTickJob } from './campaign.jobs'
import { createCampaignRepo } from './campaign.repo'
import { mountCampaignRoutes } from './campaign.routes'
import { createCampaignRunRepo } from './campaign-run.repo'
import { createCampaignRunner, type CampaignRunner, type SegmentExpressionOf } from './campaign-runner'
import { createCampaignService, type CampaignService } from './campaign.service'
import { createCampaignStats } from './campaign-stats'

export interface CampaignsModule {
  service: CampaignService
  control: CampaignControl
  /** The tick (tests call it directly; the worker runs it every minute). */
  runner: CampaignRunner
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** `campaign.tick` every minute. */
  jobs(): Job[]
}

/** How long a materialising instance holds a run without writing progress before another may resume it. */
export const CAMPAIGN_LEASE_MS = 60_000

/**
 * Marketing campaigns (issue 7, F23/F24): drafts, approval, preview, the tick that creates each
 * slot's run once across instances and materialises it into the outbox through `push`, pause /
 * resume / cancel, statistics. `content` is the content library's port (approved article versions,
 * reads under a run).
 */
export const createCampaignsModule = (deps: {
  config: Pick<Config, 'timezone' | 'push'>
  clock: Clock
  db: Connection
  logger: Logger
  push: PushPort
  content: ContentPort
  audit?: AuditLog
  segments?: SegmentService
  /** A fixed instance id (tests); default hostname:pid:random. */
  owner?: string
  leaseMs?: number
  /** Patients per outbox insert (default 1,000). */
  batchSize?: number
}): CampaignsModule => {
  const { clock, db, config } = deps
  const timeZone = config.timezone
  const audit = deps.audit ?? createAuditLog(db, clock)
  const segmentRepo = createSegmentRepo(db)
  const segments =
    deps.segments ??
    createSegmentService({ segments: segmentRepo, tags: createTagRepo(db), audit, clock, timeZone })
  const campaigns = createCampaignRepo(db)
  const runs = createCampaignRunRepo(db)
  const savedSegments = () => segmentRepo.list()
  const expressionOf: SegmentExpressionOf = async (c) => {
    if (c.segment.expression) return c.segment.expression
    const id = c.segment.segmentId
    return (id && (await savedSegments()).find((s) => s._id.equals(id))?.expression) || null
  }
  const service = createCampaignService({
    campaigns,
    runs,
    segments,
    savedSegments,
    expressionOf,
    content: deps.content,
    audit,
    clock,
    timeZone,
    subscribeTemplates: config.push.subscribeTemplates,
  })
  const control = createCampaignControl({
    campaigns,
    runs,
    service,
    stats: createCampaignStats({ db, content: deps.content }),
    push: deps.push,
    audit,
    clock,
    timeZone,
  })
  const runner = createCampaignRunner({
    campaigns,
    runs,
    segments,
    expressionOf,
    content: deps.content,
    push: deps.push,
    clock,
    timeZone,
    logger: deps.logger,
    owner: deps.owner ?? newOwnerId(),
    leaseMs: deps.leaseMs ?? CAMPAIGN_LEASE_MS,
    batchSize: deps.batchSize,
  })
  return {
    service,
    control,
    runner,
    mount: (router, guard) => mountCampaignRoutes(router, guard, { campaigns: service, control }),
    jobs: () => [campaignTickJob({ tick: () => runner.tick(), logger: deps.logger })],
  }
}
