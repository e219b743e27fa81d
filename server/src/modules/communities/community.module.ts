import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { WecomClient } from '../../platform/wecom/wecom-client'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { phoneAad, type PatientDataEraser } from '../patients/profile.service'
import { createStaffRepo } from '../staff/staff.repo'
import { createTagRepo } from '../tags/tag.repo'
import type { TagService } from '../tags/tag.service'
import { createWecomIdentityRepo } from '../wecom/wecom-identity.repo'
import { createCommunityBotService } from './community-bot.service'
import { createCommunitySync, type CommunitySync } from './community-sync.service'
import { communityReconcileJob, groupSopTickJob } from './community.jobs'
import { createCommunityRepo } from './community.repo'
import { mountCommunityRoutes } from './community.routes'
import { createCommunityService, type CommunityService } from './community.service'
import { createSopRepo } from './group-sop.repo'
import { createGroupSopService, type GroupSopService } from './group-sop.service'

export interface CommunitiesModule {
  /** The WeCom ingest's `ChatEventSink & StateResolver` (change_external_chat, join-QR states). */
  sync: CommunitySync
  communities: CommunityService
  sop: GroupSopService
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** The periodic jobs: reconciliation every 30 minutes, the group SOP tick every minute. */
  jobs(): Job[]
}

/**
 * Wires the communities module (F10–F13). `wecom` undefined (WeCom not configured): staff and
 * patient routes that need WeCom answer 503 WECOM_NOT_CONFIGURED, the jobs do nothing. The bot's
 * service routes need `tagging` and `pii` (the app passes them; a worker-only instance need not).
 */
export const createCommunitiesModule = (deps: {
  config: Config
  clock: Clock
  db: Connection
  logger: Logger
  wecom: WecomClient | undefined
  audit?: AuditLog
  tagging?: Pick<TagService, 'assign' | 'unassign'>
  pii?: PiiCrypto
}): CommunitiesModule => {
  const { config, clock, db, logger, wecom } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const communities = createCommunityRepo(db)
  const sopRepo = createSopRepo(db)
  const staff = createStaffRepo(db)
  const tags = createTagRepo(db)
  const sync = createCommunitySync({
    communities,
    identities: createWecomIdentityRepo(db),
    tags,
    staff,
    wecom,
    clock,
    logger,
  })
  const sop = createGroupSopService({
    sop: sopRepo,
    communities,
    staff,
    audit,
    wecom,
    clock,
    logger,
    timezone: config.timezone,
    agentId: config.wecom.agentId,
  })
  const service = createCommunityService({
    communities,
    sop: sopRepo,
    sopService: sop,
    sync,
    tags,
    staff,
    audit,
    wecom,
    clock,
    logger,
    timezone: config.timezone,
  })
  const bot =
    deps.tagging && deps.pii
      ? createCommunityBotService({
          staff,
          communities: service,
          sop,
          tags,
          tagging: deps.tagging,
          patients: createPatientStaffRepo(db),
          pii: deps.pii,
          phoneAad,
          audit,
        })
      : undefined
  return {
    sync,
    communities: service,
    sop,
    mount: (router, guard) => mountCommunityRoutes(router, guard, { communities: service, sop, bot }),
    jobs: () => [communityReconcileJob({ sync, logger }), groupSopTickJob({ sop, clock, logger })],
  }
}

/**
 * Erasure (F5) of a profile's community traces: its join tickets (their QR states resolve to nobody
 * afterwards) and the link and WeCom name on its membership stays (the stays remain, for the counts).
 */
export const createCommunityPatientEraser = (db: Connection): PatientDataEraser => {
  const repo = createCommunityRepo(db)
  return { eraseProfile: (profileId) => repo.erasePatient(profileId) }
}
