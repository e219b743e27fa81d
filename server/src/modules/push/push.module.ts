import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createRateLimiter } from '../../platform/rate-limiter'
import { createAccountRepo } from '../accounts/account.repo'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import type { PatientDataEraser } from '../patients/profile.service'
import { createStaffRepo } from '../staff/staff.repo'
import { createInboxRepo } from './inbox.repo'
import { createDeliveryRepo, createOutboxRepo } from './outbox.repo'
import { createPatientPushService } from './patient-push.service'
import {
  inboxChannel,
  robotChannel,
  wecomAppChannel,
  type Channel,
  type SubscribeSender,
  type WecomSender,
} from './push-channels'
import { createPushPreferenceRepo } from './push-preference.repo'
import { createPushWorker, type DispatchReport, type PushWorker } from './push-worker'
import { pushDispatchJob } from './push.jobs'
import type { PushChannel, PushPort } from './push.port'
import { mountPushRoutes } from './push.routes'
import { createPushConsole, createPushPort } from './push.service'
import { subscribeChannel } from './subscribe.channel'
import { createSubscribeCreditRepo } from './subscribe-credit.repo'

/**
 * The push engine (issue 5, F20/F21): a durable outbox (`push_outbox`) that domain modules fill
 * through the PushPort, and a worker that delivers it.
 *
 * Effect-once. Every row has a unique dedupe key (enqueueing twice changes nothing). Before a channel
 * is called a delivery record `{dedupeKey, channel}` (unique) is written `attempting`, and `sent`
 * after the platform answered success; a row reclaimed after its worker died is finished without a
 * call when its channel's record says `sent`. What remains is the one in-flight request a worker
 * can die during (or a timeout whose outcome is unknown). Per channel:
 * - inbox: the message is inserted under the row's dedupe key, so a re-run is a no-op (exactly once);
 * - wecom-app: re-sent with WeCom's duplicate check (4 h), which drops the same text to the same
 *   member, so a re-send is a no-op too;
 * - subscribe: WeChat has no idempotency key. A re-send is the only way not to lose the message, so
 *   a message whose send was in flight when its worker died may arrive twice (and spends a second
 *   credit). The window is one request (≤5 s timeout) per crashed worker; we accept it over losing
 *   care reminders.
 * - robot: the same as subscribe (no idempotency key), with the same one-request window.
 *
 * WeCom not configured (`wecom` undefined): wecom-app and robot are unavailable, so a row falls back
 * to its next channel or fails with WECOM_NOT_CONFIGURED, visible in the console and retryable there
 * once WeCom is set up. Rows are not kept pending: alerts that surface hours later, all at once,
 * after a configuration change would do more harm than a visible failure.
 *
 * `runWorker` false (an API-only process): `kick()` does nothing; the worker processes' cron tick
 * picks the rows up within 5 s.
 */
/** The cron tick's interval: a row due sooner than this wakes the worker itself. */
const WAKE_WITHIN_MS = 5_000

export interface PushModule {
  port: PushPort
  worker: PushWorker
  mount(router: Router<AppState>, guard: AccessGuard): void
  jobs(): Job[]
}

export const createPushModule = (deps: {
  config: Config
  clock: Clock
  db: Connection
  logger: Logger
  /** The WeChat client (subscribe messages); undefined: the subscribe channel falls back. */
  wechat: SubscribeSender | undefined
  wecom: WecomSender | undefined
  audit?: AuditLog
  /** Whether `kick()` dispatches in this process (default false). */
  runWorker?: boolean
  /** Replaces the channel adapters (tests). */
  channels?: Partial<Record<PushChannel, Channel>>
  /** A fixed worker id (tests); default hostname:pid:random. */
  owner?: string
  /** Overrides `config.push.leaseMs` (PUSH_LEASE_SECONDS). */
  leaseMs?: number
}): PushModule => {
  const { config, clock, db, logger } = deps
  const push = config.push
  const audit = deps.audit ?? createAuditLog(db, clock)
  const outbox = createOutboxRepo(db)
  const deliveries = createDeliveryRepo(db)
  const prefs = createPushPreferenceRepo(db)
  const credits = createSubscribeCreditRepo(db)
  const inbox = createInboxRepo(db)
  const limiter = createRateLimiter(db, clock)
  const channels: Partial<Record<PushChannel, Channel>> = deps.channels ?? {
    inbox: inboxChannel(db),
    subscribe: subscribeChannel({ wechat: deps.wechat, templates: push.subscribeTemplates, credits }),
    'wecom-app': wecomAppChannel({ wecom: deps.wecom, agentId: config.wecom.agentId, limiter }),
    robot: robotChannel({ wecom: deps.wecom, limiter }),
  }
  const worker = createPushWorker({
    db,
    outbox,
    staff: createStaffRepo(db),
    logger,
    owner: deps.owner,
    batchSize: push.batchSize,
    concurrency: push.concurrency,
    leaseMs: deps.leaseMs ?? push.leaseMs,
    dispatch: {
      clock,
      channels,
      deliveries,
      prefs,
      timeZone: config.timezone,
      defaultQuietHours: push.quietHours,
      capPerDay: push.capPerDay,
      maxAttempts: push.maxAttempts,
    },
  })

  // Dispatch runs on the cron tick (every 5 s, the safety net), on `kick()` (a message enqueued due
  // now) and at the moment the next pending row falls due when that comes before the next tick, so a
  // reminder enqueued ahead goes out on time rather than up to a tick late.
  let timer: NodeJS.Timeout | undefined
  let wake: NodeJS.Timeout | undefined
  const run = async (): Promise<DispatchReport> => {
    const report = await worker.dispatchDue()
    if (deps.runWorker && report.nextAt) {
      const inMs = report.nextAt.getTime() - clock.now().getTime()
      if (inMs < WAKE_WITHIN_MS) {
        if (wake) clearTimeout(wake)
        wake = setTimeout(
          () => {
            wake = undefined
            run().catch((err: unknown) => logger.error({ err }, 'push dispatch (wake) failed'))
          },
          Math.max(inMs, 10),
        )
        wake.unref()
      }
    }
    return report
  }
  const kick = (): void => {
    if (!deps.runWorker || timer) return
    timer = setTimeout(() => {
      timer = undefined
      run().catch((err: unknown) => logger.error({ err }, 'push dispatch (kick) failed'))
    }, 20)
    timer.unref()
  }
  const port = createPushPort({ outbox, clock, kick })
  const console = createPushConsole({ outbox, audit, clock, kick })
  const patient = createPatientPushService({
    inbox,
    prefs,
    credits,
    accounts: createAccountRepo(db),
    clock,
    templates: push.subscribeTemplates,
    defaultQuietHours: push.quietHours,
  })
  return {
    port,
    worker,
    mount: (router, guard) => mountPushRoutes(router, guard, { patient, console }),
    jobs: () => [pushDispatchJob({ dispatchDue: run, owner: worker.owner, logger })],
  }
}

/** Erasure (F5): a profile's inbox messages go; its unsent rows are skipped and lose their content. */
export const createPushPatientEraser = (db: Connection, clock: Clock): PatientDataEraser => {
  const inbox = createInboxRepo(db)
  const outbox = createOutboxRepo(db)
  return {
    async eraseProfile(profileId) {
      await inbox.erasePatient(profileId)
      await outbox.erasePatient(profileId, clock.now())
    },
  }
}
