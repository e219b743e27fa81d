import {
  AppError,
  type InboxMessage,
  type InboxResponse,
  type PushPreferences,
  type RecordSubscriptionsRequest,
  type SetPushPreferencesRequest,
  type SubscriptionsResponse,
  type UnreadCountResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { SubscribeTemplateConfig } from '../../config'
import type { PatientPrincipal } from '../../http/context'
import type { AccountRepo } from '../accounts/account.repo'
import type { InboxDoc } from './inbox.model'
import type { InboxRepo } from './inbox.repo'
import type { PushPreferenceRepo } from './push-preference.repo'
import type { SubscribeCreditRepo } from './subscribe-credit.repo'

/**
 * The patient side of the push engine: the message centre (always the calling account's messages,
 * whichever of its profiles they are about), the account's quiet hours, and the subscribe decisions
 * the mini-program reports (F21).
 */
export interface PatientPushService {
  inbox(
    p: PatientPrincipal,
    q: { patientId?: string; cursor?: string; limit: number },
  ): Promise<InboxResponse>
  unread(p: PatientPrincipal): Promise<UnreadCountResponse>
  read(p: PatientPrincipal, id: string): Promise<UnreadCountResponse>
  readAll(p: PatientPrincipal): Promise<UnreadCountResponse>
  preferences(p: PatientPrincipal): Promise<PushPreferences>
  setPreferences(p: PatientPrincipal, body: SetPushPreferencesRequest): Promise<PushPreferences>
  subscriptions(p: PatientPrincipal): Promise<SubscriptionsResponse>
  recordSubscriptions(p: PatientPrincipal, body: RecordSubscriptionsRequest): Promise<SubscriptionsResponse>
}

const toInboxMessage = (d: InboxDoc): InboxMessage => ({
  id: d._id.toHexString(),
  patientId: d.patientId.toHexString(),
  title: d.title,
  body: d.body,
  page: d.page,
  purpose: d.purpose,
  createdAt: d.createdAt.toISOString(),
  readAt: d.readAt ? d.readAt.toISOString() : null,
})

export const createPatientPushService = (deps: {
  inbox: InboxRepo
  prefs: PushPreferenceRepo
  credits: SubscribeCreditRepo
  accounts: AccountRepo
  clock: Clock
  templates: Record<string, SubscribeTemplateConfig>
  defaultQuietHours: { start: string; end: string } | null
}): PatientPushService => {
  const byTemplateId = new Map(
    Object.entries(deps.templates).map(([kind, t]) => [t.templateId, { kind, ...t }]),
  )

  const openidOf = async (p: PatientPrincipal): Promise<string> => {
    const account = await deps.accounts.findById(p.accountId)
    if (!account || account.erasedAt) throw new AppError('AUTH_TOKEN_INVALID', 'The account no longer exists')
    return account.openid
  }
  const view = async (openid: string): Promise<SubscriptionsResponse> => {
    const rows = new Map((await deps.credits.list(openid)).map((r) => [r.templateId, r]))
    return {
      subscriptions: Object.entries(deps.templates).map(([kind, t]) => {
        const r = rows.get(t.templateId)
        return {
          kind,
          templateId: t.templateId,
          longTerm: t.longTerm,
          credits: t.longTerm ? 0 : Math.max(0, r?.credits ?? 0),
          subscribed: t.longTerm ? r?.subscribed === true : (r?.credits ?? 0) > 0,
        }
      }),
    }
  }
  const prefsView = (quietHours: { start: string; end: string } | null): PushPreferences => ({
    quietHours,
    defaultQuietHours: deps.defaultQuietHours,
  })

  return {
    async inbox(p, q) {
      const [rows, unread] = await Promise.all([
        deps.inbox.list(p.accountId, q),
        deps.inbox.unread(p.accountId),
      ])
      return {
        messages: rows.map(toInboxMessage),
        nextCursor: rows.length === q.limit ? rows[rows.length - 1]!._id.toHexString() : null,
        unread,
      }
    },
    async unread(p) {
      return { unread: await deps.inbox.unread(p.accountId) }
    },
    async read(p, id) {
      if (!(await deps.inbox.markRead(p.accountId, id, deps.clock.now())))
        throw new AppError('INBOX_MESSAGE_NOT_FOUND', 'No such message')
      return { unread: await deps.inbox.unread(p.accountId) }
    },
    async readAll(p) {
      await deps.inbox.markAllRead(p.accountId, deps.clock.now())
      return { unread: await deps.inbox.unread(p.accountId) }
    },
    async preferences(p) {
      return prefsView(await deps.prefs.get(p.accountId))
    },
    async setPreferences(p, body) {
      await deps.prefs.set(p.accountId, body.quietHours, deps.clock.now())
      return prefsView(body.quietHours)
    },
    async subscriptions(p) {
      return view(await openidOf(p))
    },
    async recordSubscriptions(p, body) {
      const unknown = Object.keys(body.results).filter((id) => !byTemplateId.has(id))
      if (unknown.length)
        throw new AppError('SUBSCRIBE_TEMPLATE_UNKNOWN', `Unknown subscribe template ${unknown.join(', ')}`, {
          templateIds: unknown,
        })
      const openid = await openidOf(p)
      const now = deps.clock.now()
      if (
        body.requestId &&
        !(await deps.credits.firstRequest(`${p.accountId}:${body.requestId}`, body.scene, now))
      )
        return view(openid)
      for (const [templateId, decision] of Object.entries(body.results)) {
        const t = byTemplateId.get(templateId)!
        if (t.longTerm) {
          // `filter` (a same-title duplicate) says nothing about the user's choice
          if (decision !== 'filter')
            await deps.credits.setSubscribed(openid, templateId, decision === 'accept', now)
        } else if (decision === 'accept') await deps.credits.addCredit(openid, templateId, now)
      }
      return view(openid)
    },
  }
}
