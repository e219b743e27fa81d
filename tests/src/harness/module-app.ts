import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import bodyParser from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import { AppError } from '@careloop/shared'
import { requestListener } from '../../../server/src/app'
import type { Clock } from '../../../server/src/clock'
import type { Config } from '../../../server/src/config'
import type { Connection } from '../../../server/src/db/connection'
import { syncIndexes } from '../../../server/src/db/connection'
import type { AccessGuard } from '../../../server/src/http/auth'
import type { AppState } from '../../../server/src/http/context'
import { errorHandler } from '../../../server/src/http/error-handler'
import { requestContext } from '../../../server/src/http/request-context'
import { createLogger } from '../../../server/src/logger'
import { createAccountRepo } from '../../../server/src/modules/accounts/account.repo'
import { createTokenService } from '../../../server/src/modules/auth/token.service'
import { hasCareConsent } from '../../../server/src/modules/consent/consent.service'
import { createPatientRepo } from '../../../server/src/modules/patients/patient.repo'
import type { PushMessage, PushPort } from '../../../server/src/modules/push/push.port'
import { createStaffModule } from '../../../server/src/modules/staff/staff.module'
import { createPiiCrypto } from '../../../server/src/privacy/pii-crypto'
import type { ServerHarness } from './server-harness'

/**
 * A second Koa app beside a harness's app, for modules whose platform ports are not wired into
 * `createApp` (or must be fakes in the test): the same middleware, the same token secret and the same
 * guard rules (patient profile + care consent, staff re-read and role), on the harness's database and
 * clock. Tokens from the harness's login endpoints work against it. Mount the module under test in
 * `build`; its models' indexes are synced afterwards.
 */
export interface ModuleApp {
  readonly url: string
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string },
  ): Promise<{ status: number; body: unknown }>
}

export const guardFor = (deps: { config: Config; clock: Clock; db: Connection }): AccessGuard => {
  const { config, clock, db } = deps
  const tokens = createTokenService({
    secret: config.auth.tokenSecret,
    accessTtlSeconds: config.auth.accessTokenTtlSeconds,
    staffTtlSeconds: config.staff.tokenTtlSeconds,
    clock,
  })
  const accounts = createAccountRepo(db)
  const patients = createPatientRepo(db)
  const staff = createStaffModule({ config, clock, db, pii: createPiiCrypto(config.pii) })
  return {
    verify: (t) => tokens.verifyAccessToken(t),
    async patient({ accountId }, needsConsent) {
      const account = await accounts.findById(accountId)
      if (!account || account.erasedAt)
        throw new AppError('AUTH_TOKEN_INVALID', 'This account no longer exists')
      const active = account.activeProfileId
        ? await patients.findForAccount(accountId, account.activeProfileId.toHexString())
        : null
      const profile = active ?? (await patients.ensureSelfProfile(accountId))
      if (needsConsent && !hasCareConsent(profile))
        throw new AppError('CONSENT_REQUIRED', 'The active profile has not given care consent')
      return { kind: 'patient', accountId, profileId: profile._id.toHexString() }
    },
    staff: (p) => staff.resolveStaff(p),
    service() {
      throw new AppError('AUTH_TOKEN_INVALID', 'No service routes here')
    },
  }
}

export const useModuleApp = (
  h: ServerHarness,
  build: (router: Router<AppState>, guard: AccessGuard) => void,
): ModuleApp => {
  let server: Server | undefined
  let url = ''
  beforeAll(async () => {
    const router = new Router<AppState>()
    build(router, guardFor({ config: h.config, clock: h.clock, db: h.db }))
    await syncIndexes(h.db)
    const app = new Koa<AppState>()
    app.use(requestContext(createLogger('silent')))
    app.use(errorHandler())
    app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' }))
    app.use(router.routes())
    app.use(router.allowedMethods({ throw: true }))
    server = createServer(requestListener(app))
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server?.closeAllConnections()
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()))
  })
  return {
    get url() {
      return url
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = {}
      if (opts.body !== undefined) headers['content-type'] = 'application/json'
      if (opts.token) headers.authorization = `Bearer ${opts.token}`
      const res = await fetch(`${url}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined }
    },
  }
}

/** A PushPort that records what it is given, idempotent by dedupeKey like the real outbox. */
export class RecordingPush implements PushPort {
  readonly messages = new Map<string, PushMessage>()
  kicks = 0
  enqueue(messages: PushMessage[]): Promise<{ created: number }> {
    let created = 0
    for (const m of messages)
      if (!this.messages.has(m.dedupeKey)) {
        this.messages.set(m.dedupeKey, m)
        created++
      }
    return Promise.resolve({ created })
  }
  cancelBySource(): Promise<number> {
    return Promise.resolve(0)
  }
  reviveBySource(): Promise<number> {
    return Promise.resolve(0)
  }
  kick(): void {
    this.kicks++
  }
  /** The messages whose dedupeKey starts with `prefix`. */
  withPrefix(prefix: string): PushMessage[] {
    return [...this.messages.values()].filter((m) => m.dedupeKey.startsWith(prefix))
  }
}

/** A patient logged in through the harness with care consent (and optionally a family profile with consent). */
export const consentingPatient = async (
  h: ServerHarness,
  user: string,
  opts: { family?: string } = {},
): Promise<{ token: string; patientId: string; familyId: string | null }> => {
  const s = await h.login(user)
  const token = s.accessToken
  const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
  const consent = async (): Promise<void> => {
    const r = await h.request('POST', '/api/v1/me/consents', {
      token,
      body: { purpose: 'care', granted: true, policyVersion: policy.version },
    })
    if (r.status !== 200) throw new Error(`consent failed: ${r.status} ${JSON.stringify(r.body)}`)
  }
  await consent()
  let familyId: string | null = null
  if (opts.family) {
    const r = await h.request('POST', '/api/v1/profiles', {
      token,
      body: { name: opts.family, relation: 'parent', proxyConsent: true },
    })
    const body = r.body as { profiles: { id: string; relation: string }[] }
    familyId = body.profiles.find((p) => p.relation === 'parent')!.id
    await h.request('POST', `/api/v1/profiles/${familyId}/activate`, { token })
    await consent()
    await h.request('POST', `/api/v1/profiles/${s.patient.id}/activate`, { token })
  }
  return { token, patientId: s.patient.id, familyId }
}
