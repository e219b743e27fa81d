import { timingSafeEqual } from 'node:crypto'
import type { RequestListener } from 'node:http'
import { resolve } from 'node:path'
import bodyParser from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import type { Clock } from './clock'
import type { Config } from './config'
import type { Connection } from './db/connection'
import type { AppState } from './http/context'
import { errorHandler } from './http/error-handler'
import { requestContext } from './http/request-context'
import { staticSite } from './http/static-files'
import type { Logger } from './logger'
import { AppError } from '@careloop/shared'
import type { AccessGuard } from './http/auth'
import { createAccountRepo } from './modules/accounts/account.repo'
import { createAuditLog } from './modules/audit/audit.repo'
import { mountAuthRoutes } from './modules/auth/auth.routes'
import { createAuthService, type WechatLogin } from './modules/auth/auth.service'
import { createSessionRepo } from './modules/auth/session.repo'
import { createTokenService } from './modules/auth/token.service'
import { createConsentRepo } from './modules/consent/consent.repo'
import { createConsentService, hasCareConsent } from './modules/consent/consent.service'
import { createPatientRepo } from './modules/patients/patient.repo'
import { mountProfileRoutes } from './modules/patients/profile.routes'
import { createProfileService, type PhoneSource } from './modules/patients/profile.service'
import { mountSystemRoutes } from './modules/system/system.routes'
import { createStaffModule } from './modules/staff/staff.module'
import { createStaffRepo } from './modules/staff/staff.repo'
import { createPatientStaffRepo } from './modules/patients/patient-staff.repo'
import { createSegmentRepo } from './modules/segments/segment.repo'
import { mountSegmentRoutes } from './modules/segments/segment.routes'
import { createSegmentService } from './modules/segments/segment.service'
import { createTagRepo } from './modules/tags/tag.repo'
import { mountTagRoutes } from './modules/tags/tag.routes'
import { createTagService } from './modules/tags/tag.service'
import { mountTagAutomation } from './modules/tag-rules/tag-rules.module'
import { createPiiCrypto } from './privacy/pii-crypto'
import { WecomClient } from './platform/wecom/wecom-client'
import { createWecomModule, createWecomPatientEraser } from './modules/wecom/wecom.module'
import { createCommunitiesModule, createCommunityPatientEraser } from './modules/communities/community.module'
import { createPushModule, createPushPatientEraser, type PushModule } from './modules/push/push.module'
import type { SubscribeSender } from './modules/push/push-channels'
import type { PushPort } from './modules/push/push.port'
import { createFollowupModule } from './modules/followup/followup.module'
import { createQuestionnaireCheck } from './modules/followup/questionnaire-check'
import { createQuestionnairesModule } from './modules/questionnaires/questionnaire.module'
import { createReadingsModule } from './modules/readings/reading.module'
import { createMembershipModule } from './modules/membership/membership.module'
import type { PointsPort } from './modules/points/points.port'
import { createPointsModule } from './modules/points/points.module'
import { createRewardsModule } from './modules/rewards/rewards.module'
import type { PayGateway } from './platform/wechatpay/pay-gateway'
import { createPayGateway } from './platform/wechatpay/wechatpay-client'
import { createContentModule } from './modules/content/content.module'
import { createCampaignsModule } from './modules/campaigns/campaign.module'

export interface AppDeps {
  config: Config
  logger: Logger
  clock: Clock
  db: Connection
  wechat: WechatLogin & PhoneSource & SubscribeSender
  /** Directories of the built front ends (defaults: the repo's build outputs). */
  consoleDir?: string
  h5Dir?: string
  /** Replaces the WeCom client built from config (tests). */
  wecom?: WecomClient
  /**
   * The push engine (outbox, channels, worker), when the caller builds it (main.ts shares one with
   * its scheduler); otherwise the app builds its own whose `kick()` does nothing.
   */
  push?: PushModule
  /** Replaces the port domain modules enqueue through (tests record what follow-up enqueues). */
  pushPort?: PushPort
  /** Replaces the WeChat Pay client built from `config.pay` (tests). */
  pay?: PayGateway
  /** Replaces the points port membership earns through (tests count the earns). */
  points?: PointsPort
}

const REPO_ROOT = resolve(__dirname, '..', '..')
export const DEFAULT_CONSOLE_DIR = resolve(REPO_ROOT, 'server/console/dist')
export const DEFAULT_H5_DIR = resolve(REPO_ROOT, 'miniapp/dist/h5')

/** A node http listener for the app (Koa settles its own errors, so the promise is not awaited). */
export const requestListener = (app: Koa<AppState>): RequestListener => {
  const handle = app.callback()
  return (req, res) => {
    void handle(req, res)
  }
}

/** Builds the Koa app (never listens: tests drive `app.callback()` directly). */
export const createApp = (deps: AppDeps): Koa<AppState> => {
  const { config, clock, db } = deps
  const tokens = createTokenService({
    secret: config.auth.tokenSecret,
    accessTtlSeconds: config.auth.accessTokenTtlSeconds,
    clock,
  })
  const pii = createPiiCrypto(config.pii)
  const audit = createAuditLog(db, clock)
  const accounts = createAccountRepo(db)
  const patients = createPatientRepo(db)
  const sessions = createSessionRepo(db)
  const consents = createConsentRepo(db)
  const profiles = createProfileService({
    accounts,
    patients,
    sessions,
    consents,
    audit,
    pii,
    phones: deps.wechat,
    clock,
    erasers: [
      createWecomPatientEraser(db),
      createCommunityPatientEraser(db),
      createPushPatientEraser(db, clock),
    ],
  })
  const consent = createConsentService({ consents, patients, audit, clock })
  const auth = createAuthService({
    wechat: deps.wechat,
    accounts,
    patients,
    sessions,
    tokens,
    audit,
    pii,
    clock,
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
  })

  const { corpId, agentSecret, apiBase } = config.wecom
  /** The one WeCom server-API client (token cache shared); undefined when WeCom is not configured. */
  const wecom =
    deps.wecom ??
    (corpId && agentSecret ? new WecomClient({ corpId, agentSecret, apiBase, clock }) : undefined)
  const staffModule = createStaffModule({ config, clock, db, pii, audit, wecom })
  const guard: AccessGuard = {
    verify: (t) => tokens.verifyAccessToken(t),
    async patient({ accountId }, needsConsent) {
      const { profile } = await profiles.resolve(accountId)
      if (needsConsent && !hasCareConsent(profile))
        throw new AppError(
          'CONSENT_REQUIRED',
          'The active profile has not given care consent to the current privacy policy',
        )
      return { kind: 'patient', accountId, profileId: profile._id.toHexString() }
    },
    staff: (p) => staffModule.resolveStaff(p),
    service(token) {
      const expected = config.serviceToken
      const a = Buffer.from(token)
      if (!expected || a.length !== expected.length || !timingSafeEqual(a, Buffer.from(expected)))
        throw new AppError('AUTH_TOKEN_INVALID', 'Service token is invalid')
    },
  }

  const router = new Router<AppState>()
  mountSystemRoutes(router, guard, { config, db, startedAt: Date.now() })
  mountAuthRoutes(router, guard, auth, profiles)
  mountProfileRoutes(router, guard, profiles, consent)
  staffModule.mount(router, guard)
  const tagRepo = createTagRepo(db)
  mountSegmentRoutes(
    router,
    guard,
    createSegmentService({
      segments: createSegmentRepo(db),
      tags: tagRepo,
      audit,
      clock,
      timeZone: config.timezone,
    }),
  )
  const tagService = createTagService({
    tags: tagRepo,
    patients: createPatientStaffRepo(db),
    staff: createStaffRepo(db),
    audit,
    clock,
  })
  mountTagRoutes(router, guard, tagService)
  mountTagAutomation(router, guard, {
    db,
    tags: tagRepo,
    audit,
    pii,
    clock,
    timeZone: config.timezone,
    logger: deps.logger,
  })
  // Disease-group communities (F10–F13): staff, patient and bot routes; the WeCom chat-event sink.
  const communities = createCommunitiesModule({
    config,
    clock,
    db,
    logger: deps.logger,
    wecom,
    audit,
    tagging: tagService,
    pii,
  })
  communities.mount(router, guard)
  // The push engine (F20/F21): message centre, subscribe credits, quiet hours, the outbox console.
  // `push.port` is what domain modules receive to enqueue messages.
  const push =
    deps.push ??
    createPushModule({ config, clock, db, logger: deps.logger, wechat: deps.wechat, wecom, audit })
  push.mount(router, guard)
  // Follow-up (F15, F16, F19) and nurse tasks (F33, F34): plans, enrolments and their steps, rates,
  // the bot's 今日随访 / 完成 / 入组, tag-rule enrolment (a listener of tagRepo's connection).
  // `followup.steps` / `followup.lookup` are the ports the questionnaires and readings modules take.
  const followup = createFollowupModule({
    config,
    clock,
    db,
    logger: deps.logger,
    push: deps.pushPort ?? push.port,
    audit,
    tags: tagRepo,
    pii,
    questionnaires: createQuestionnaireCheck(db),
  })
  followup.mount(router, guard)
  // Questionnaires (F17) and health readings (F18): answers complete follow-up steps; red flags and
  // abnormal readings alert the responsible nurse through follow-up's alert service (same outbox).
  // Points and tiers (F26–F28, F30): the ledger (earn by rule with caps, spend, refund, staff
  // adjustments), expiry with reminders, tiers. `points` is the port every module earns and spends
  // through (`deps.points` replaces it in tests); membership's lookup is plugged in below.
  const pointsModule = createPointsModule({
    config,
    clock,
    db,
    logger: deps.logger,
    push: deps.pushPort ?? push.port,
    audit,
  })
  pointsModule.mount(router, guard)
  const points = deps.points ?? pointsModule.port
  const careDeps = {
    clock,
    db,
    logger: deps.logger,
    push: deps.pushPort ?? push.port,
    audit,
    alerts: followup.alerts,
    points,
  }
  createQuestionnairesModule({ ...careDeps, steps: followup.steps }).mount(router, guard)
  createReadingsModule({ ...careDeps, config, followup: followup.lookup }).mount(router, guard)
  // Paid membership (F31) and service quotas (F32): plans, orders paid with WeChat Pay v3 (503
  // PAY_NOT_CONFIGURED without WECHATPAY_*), the notify route, refunds; a purchase earns points.
  const membership = createMembershipModule({
    config,
    clock,
    db,
    logger: deps.logger,
    audit,
    pay: deps.pay ?? createPayGateway(config, clock),
    points,
  })
  membership.mount(router, guard)
  pointsModule.setMembership(membership.lookup)
  // Rewards mall (F29): catalogue with stock and per-patient limits, redemption codes (points spent
  // and refunded through `points`), staff check-off, cancel; tiers from the points module.
  createRewardsModule({
    config,
    clock,
    db,
    logger: deps.logger,
    audit,
    points,
    tiers: pointsModule.tiers,
    push: deps.pushPort ?? push.port,
  }).mount(router, guard)
  // Content library (F22): articles, review workflow, blocked claims, the patient article page and
  // read tracking (reading earns points through `points`).
  // `content.port` is what campaigns use to send approved articles and count opens.
  const content = createContentModule({ clock, db, logger: deps.logger, audit, points })
  content.mount(router, guard)
  // Marketing campaigns (F23, F24): drafts, approval with preview, pause/resume/cancel, statistics.
  // The worker's `campaign.tick` (main.ts) creates and materialises the runs.
  createCampaignsModule({
    config,
    clock,
    db,
    logger: deps.logger,
    push: deps.pushPort ?? push.port,
    content: content.port,
    audit,
  }).mount(router, guard)
  // WeCom customer contact (F4, F9, F14): events the bot forwards, welcome messages, corp-tag sync.
  // The communities module passes its ChatEventSink & StateResolver (& ContactEventSink) as `communities`.
  createWecomModule({
    config,
    clock,
    db,
    logger: deps.logger,
    wecom,
    tags: tagRepo,
    communities: communities.sync,
  }).mount(router, guard)

  const app = new Koa<AppState>({ proxy: config.env === 'production' })
  app.use(requestContext(deps.logger))
  app.use(errorHandler())
  if (config.serveStatic) {
    app.use(staticSite('/console', deps.consoleDir ?? DEFAULT_CONSOLE_DIR, 'npm run build:console'))
    app.use(staticSite('/h5', deps.h5Dir ?? DEFAULT_H5_DIR, 'npm run build:miniapp'))
    app.use(async (ctx, next) => {
      if (ctx.path === '/' && ctx.method === 'GET') ctx.redirect('/console/')
      else await next()
    })
  }
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: '1mb',
      encoding: 'utf-8',
      // Parse JSON bodies only; other content types on routes that need a body fail validation.
    }),
  )
  app.use(router.routes())
  app.use(router.allowedMethods({ throw: true }))
  return app
}
