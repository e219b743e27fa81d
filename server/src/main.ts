import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { createApp, requestListener } from './app'
import { systemClock } from './clock'
import { loadConfigOrExit } from './config'
import { openConnection, syncIndexes } from './db/connection'
import { resolveEngine, type EngineHandle } from './db/local-engine'
import { startScheduler, type Scheduler } from './jobs/scheduler'
import { createLogger } from './logger'
import { expiredSessionsJob } from './modules/auth/auth.jobs'
import { createSessionRepo } from './modules/auth/session.repo'
import { tagRulesNightlyJob } from './modules/tag-rules/tag-rule.jobs'
import { createTagRepo } from './modules/tags/tag.repo'
import { ensureBootstrapAdmin } from './modules/staff/staff-bootstrap.service'
import { WechatClient } from './platform/wechat/wechat-client'
import { WecomClient } from './platform/wecom/wecom-client'
import { wecomTagSyncRetryJob } from './modules/wecom/wecom.jobs'
import { createCommunitiesModule } from './modules/communities/community.module'
import { createPushModule } from './modules/push/push.module'
import { createFollowupModule } from './modules/followup/followup.module'
import { createQuestionnairesModule } from './modules/questionnaires/questionnaire.module'
import { createReadingsModule } from './modules/readings/reading.module'
import { createMembershipModule } from './modules/membership/membership.module'
import { createPointsModule } from './modules/points/points.module'
import { createRewardsModule } from './modules/rewards/rewards.module'
import { createContentModule } from './modules/content/content.module'
import { createCampaignsModule } from './modules/campaigns/campaign.module'
import { createPayGateway } from './platform/wechatpay/wechatpay-client'
import { followSimulatorClock } from './platform/simulator-clock'

/**
 * Entry point: API and worker in one process by default (`--api-only` / `--worker-only` run one
 * of them). Without MONGODB_URI outside production, the project's local engine is started (H2 file
 * backend under DATA_DIR). SIGTERM/SIGINT shut everything down in order.
 */
const main = async (): Promise<void> => {
  const config = loadConfigOrExit()
  const logger = createLogger(config.logLevel)
  const args = new Set(process.argv.slice(2))
  const runApi = !args.has('--worker-only')
  const runWorker = config.runWorker && !args.has('--api-only')
  const repoRoot = resolve(__dirname, '..', '..')

  let engine: EngineHandle | undefined
  if (!config.mongodbUri) {
    engine = await resolveEngine({
      backend: 'h2',
      dataDir: resolve(repoRoot, config.dataDir),
      repoRoot,
      log: (msg) => logger.info(msg),
    })
    logger.info({ kind: engine.kind }, 'local database engine started')
  }
  const db = await openConnection(config.mongodbUri ?? `${engine!.uri.replace(/\/$/, '')}/careloop`)
  // Simulated mode (the local demo): the stack shares the simulators' clock, so advancing it moves
  // follow-up schedules, quiet hours and jobs' "today" forward (server/src/platform/simulator-clock.ts).
  const simClock =
    config.platformMode === 'simulated'
      ? followSimulatorClock({
          simBase: config.wechat.apiBase,
          onError: (err) => logger.debug({ err }, 'simulator clock not readable'),
        })
      : undefined
  await simClock?.sync().catch((err: unknown) => logger.warn({ err }, 'simulator clock not readable yet'))
  const clock = simClock ?? systemClock
  const wechat = new WechatClient({ ...config.wechat, clock })
  const { corpId, agentSecret, apiBase } = config.wecom
  // One WeCom client (one token cache) for the API and the worker's jobs.
  const wecom = corpId && agentSecret ? new WecomClient({ corpId, agentSecret, apiBase, clock }) : undefined
  // One push engine: the API's port (enqueue, kick) and the worker's dispatch job share it.
  const push = createPushModule({ config, clock, db, logger, wechat, wecom, runWorker })
  const app = createApp({ config, logger, clock, db, wechat, wecom, push })
  await syncIndexes(db)
  const bootstrap = await ensureBootstrapAdmin({ db, config, clock })
  if (bootstrap === 'created') logger.warn('created the bootstrap admin account "admin"; change its password')
  if (bootstrap === 'not-configured')
    logger.warn('no staff accounts yet: set ADMIN_BOOTSTRAP_PASSWORD to create the first admin')

  const server = runApi ? createServer(requestListener(app)) : undefined
  if (server) {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail)
      server.listen(config.port, config.host, ok)
    })
    const addr = server.address()
    const port = typeof addr === 'object' && addr ? addr.port : config.port
    logger.info(
      { url: `http://${config.host}:${port}`, platformMode: config.platformMode },
      'CareLoop server listening',
    )
  }
  let scheduler: Scheduler | undefined
  if (runWorker) {
    const followup = createFollowupModule({ config, clock, db, logger, push: push.port })
    // points: the worker's ledger (the repair jobs below earn through it); its reconciliation and expiry jobs
    const points = createPointsModule({ config, clock, db, logger, push: push.port })
    const membership = createMembershipModule({
      config,
      clock,
      db,
      logger,
      pay: createPayGateway(config, clock),
      points: points.port,
    })
    points.setMembership(membership.lookup)
    const careDeps = { clock, db, logger, push: push.port, alerts: followup.alerts, points: points.port }
    scheduler = startScheduler(
      [
        expiredSessionsJob({ sessions: createSessionRepo(db), clock, logger }),
        tagRulesNightlyJob({ db, tags: createTagRepo(db), clock, timeZone: config.timezone, logger }),
        ...createCommunitiesModule({ config, clock, db, logger, wecom }).jobs(),
        wecomTagSyncRetryJob({ db, wecom, clock, logger }),
        ...push.jobs(),
        // points: unrecorded entries recorded (every minute, a full sweep daily), expiry + reminders (00:10)
        ...points.jobs(),
        // follow-up: steps past their window become missed tasks and alerts (every 5 minutes)
        ...followup.jobs(),
        // questionnaires and readings: effects left undone by a crash; the "no reading in N days" check
        ...createQuestionnairesModule({ ...careDeps, steps: followup.steps }).jobs(),
        ...createReadingsModule({ ...careDeps, config, followup: followup.lookup }).jobs(),
        // content: reading points whose earn failed (ledger down) are retried every 5 minutes
        ...createContentModule({ clock, db, logger, points: points.port }).jobs(),
        // campaigns: each due slot's run created once across instances and materialised (every minute)
        ...createCampaignsModule({
          config,
          clock,
          db,
          logger,
          push: push.port,
          content: createContentModule({ clock, db, logger }).port,
        }).jobs(),
        // membership: unpaid orders closed after 30 minutes; grants, payments, refunds reconciled
        ...membership.jobs(),
        // rewards: half-done redemptions and cancels finished or undone, codes expired (every minute)
        ...createRewardsModule({
          config,
          clock,
          db,
          logger,
          points: points.port,
          tiers: points.tiers,
          push: push.port,
        }).jobs(),
      ],
      { timezone: config.timezone, logger },
    )
    logger.info('worker started')
  }

  let stopping = false
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, 15_000)
    force.unref()
    if (server) {
      await new Promise<void>((ok) => {
        server.close(() => {
          ok()
        })
        server.closeIdleConnections()
      })
    }
    await scheduler?.stop()
    simClock?.stop()
    await db.close()
    await engine?.stop()
    logger.info('stopped')
    process.exit(0)
  }
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => void shutdown(s))
}

main().catch((err: unknown) => {
  process.stderr.write(
    `careloop-server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  )
  process.exit(1)
})
