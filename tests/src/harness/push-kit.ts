import type { Config, PushConfig } from '../../../server/src/config'
import { createLogger } from '../../../server/src/logger'
import { outboxModel } from '../../../server/src/modules/push/outbox.model'
import { createPushModule, type PushModule } from '../../../server/src/modules/push/push.module'
import { WechatClient } from '../../../server/src/platform/wechat/wechat-client'
import { WecomClient } from '../../../server/src/platform/wecom/wecom-client'
import type { ServerHarness, StaffHarness } from './server-harness'

/**
 * Push-engine test helpers: a worker wired like main.ts wires it (the real WeChat and WeCom clients
 * talking to the harness's simulators, the harness's ManualClock), consented patients, and
 * simulator hooks.
 */

/** A push module (worker) on the harness's database, clock and simulators. */
export const pushWorkerFor = (
  h: ServerHarness | StaffHarness,
  o: { owner?: string; push?: Partial<PushConfig>; wecom?: 'none' } = {},
): PushModule => {
  const config: Config = { ...h.config, push: { ...h.config.push, ...o.push } }
  const { corpId, agentSecret, apiBase } = config.wecom
  return createPushModule({
    config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    wechat: new WechatClient({ ...config.wechat, clock: h.clock }),
    wecom:
      o.wecom !== 'none' && corpId && agentSecret
        ? new WecomClient({ corpId, agentSecret, apiBase, clock: h.clock })
        : undefined,
    owner: o.owner ?? 'test-worker',
  })
}

export interface TestPatient {
  token: string
  patientId: string
  accountId: string
  openid: string
}

/** Logs a simulated user in and gives care consent (and marketing consent when asked). */
export const consentedPatient = async (
  h: ServerHarness,
  user: string,
  o: { marketing?: boolean } = {},
): Promise<TestPatient> => {
  const s = await h.login(user)
  const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
  for (const purpose of o.marketing ? ['care', 'marketing'] : ['care']) {
    const r = await h.request('POST', '/api/v1/me/consents', {
      token: s.accessToken,
      body: { purpose, granted: true, policyVersion: policy.version },
    })
    if (r.status !== 200) throw new Error(`consent: ${r.status} ${JSON.stringify(r.body)}`)
  }
  return {
    token: s.accessToken,
    patientId: s.patient.id,
    accountId: s.account.id,
    openid: h.sim.identity(user).openid,
  }
}

/** The patient accepts one-time templates in the mini-program: our ledger and WeChat's both count it. */
export const acceptTemplate = async (
  h: ServerHarness,
  p: TestPatient,
  templateId: string,
  times = 1,
): Promise<void> => {
  for (let i = 0; i < times; i++) {
    const r = await h.request('POST', '/api/v1/me/subscriptions', {
      token: p.token,
      body: { results: { [templateId]: 'accept' }, scene: 'enrol' },
    })
    if (r.status !== 200) throw new Error(`subscriptions: ${r.status} ${JSON.stringify(r.body)}`)
    h.sim.subscriptions.decide(p.openid, { [templateId]: 'accept' })
  }
}

/** POSTs a simulator hook (`/_sim/faults`, `/_sim/wecom/seed` …). */
export const simHook = async (base: string, path: string, body: unknown): Promise<unknown> => {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const out: unknown = await r.json()
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(out)}`)
  return out
}

/** `YYYY-MM-DDTHH:mm` read in Asia/Shanghai (UTC+8). */
export const shanghai = (local: string): Date => new Date(`${local}:00+08:00`)

/** The outbox row of a dedupe key. */
export const rowOf = async (h: ServerHarness, dedupeKey: string) =>
  outboxModel(h.db).findOne({ dedupeKey }).lean()

/** Cancels whatever is still queued, so one test's leftovers never reach the next one's simulator. */
export const cancelQueued = async (h: ServerHarness): Promise<void> => {
  await outboxModel(h.db).updateMany(
    { status: { $in: ['pending', 'sending'] } },
    { $set: { status: 'cancelled' } },
  )
}
