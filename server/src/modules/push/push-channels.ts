import type { Connection, Types } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { WECOM_APP_MEMBER_RULES, WECOM_ROBOT_RULES, type RateLimiter } from '../../platform/rate-limiter'
import type { StaffRecord } from '../staff/staff.repo'
import { inboxModel } from './inbox.model'
import type { OutboxDoc } from './outbox.model'
import type { Verdict } from './push-errors'
import type { PushChannel } from './push.port'

/**
 * The channel adapters behind one small interface, so the dispatcher never knows HTTP and unit tests
 * can use fakes. A channel first `prepare`s (checks it can reach the recipient, takes a limiter slot
 * or a subscribe credit) and then hands the dispatcher a `send` to call and a `settle` to run with
 * the verdict (null = success), which gives back what `prepare` took when nothing was delivered.
 */

/** Who and what a row is for, loaded once per batch. */
export interface DispatchTarget {
  row: OutboxDoc
  now: Date
  patient: { _id: Types.ObjectId; accountId: Types.ObjectId } | null
  /** The patient's account when it is not erased (its openid for subscribe messages). */
  account: { _id: Types.ObjectId; openid: string } | null
  staff: StaffRecord | null
}

export type Prepared =
  | {
      kind: 'ready'
      /** Throws the platform's error; resolves with the platform's message id, if any. */
      send(): Promise<{ msgid: string | null }>
      /**
       * After the call: null = this call delivered; a `fallback` verdict = the platform refused the
       * recipient (43101); any other = nothing was delivered by this call (give back what was taken).
       */
      settle?(verdict: Verdict | null): Promise<void>
    }
  /** This channel cannot reach the recipient now: the next channel (or fail with this if none). */
  | { kind: 'unavailable'; code: string; reason: string }
  /** A platform limit is reached: try again at `retryAt` (not an attempt, not a failure). */
  | { kind: 'limited'; retryAt: Date }
  /** Retrying cannot help (bad data naming the field, unknown template). */
  | { kind: 'permanent'; code: string; reason: string; field: string | null }

export interface Channel {
  readonly name: PushChannel
  /**
   * True: the dispatcher keeps a delivery record around the call (effect-once across crashes).
   * False: the channel is idempotent by itself (the inbox writes by dedupe key).
   */
  readonly recorded: boolean
  prepare(t: DispatchTarget): Promise<Prepared>
}

// ---- the platform client methods the channels use (WechatClient / WecomClient) ----

export interface SubscribeSender {
  sendSubscribeMessage(o: {
    touser: string
    templateId: string
    page?: string
    data: Record<string, { value: string }>
  }): Promise<{ msgid?: string }>
}

export interface WecomSender {
  sendAppText(o: {
    agentId: number
    touser: string[]
    content: string
    duplicateCheckSeconds?: number
  }): Promise<{ invalidUsers: string[] }>
  sendRobotMessage(key: string, msg: { msgtype: 'text'; text: { content: string } }): Promise<unknown>
}

/** WeCom's duplicate check window (max 4 h): a re-send after a crash or timeout is dropped by WeCom. */
export const WECOM_DUPLICATE_CHECK_SECONDS = 14_400

const WECOM_NOT_CONFIGURED = {
  kind: 'unavailable',
  code: 'WECOM_NOT_CONFIGURED',
  reason: 'WeCom is not configured on this server',
} as const

/** In-app inbox: always reachable for a patient with an account; exactly once by dedupe key. */
export const inboxChannel = (db: Connection): Channel => {
  const M = inboxModel(db)
  return {
    name: 'inbox',
    recorded: false,
    prepare({ row, patient, now }) {
      if (!patient || row.purpose === 'staff')
        return Promise.resolve({
          kind: 'unavailable',
          code: 'NO_PATIENT',
          reason: 'the inbox is for patients',
        })
      return Promise.resolve({
        kind: 'ready',
        async send() {
          try {
            const d = await M.create({
              dedupeKey: row.dedupeKey,
              accountId: patient.accountId,
              patientId: patient._id,
              purpose: row.purpose as 'care' | 'marketing',
              title: row.content.title,
              body: row.content.body,
              page: row.content.page,
              createdAt: now,
              readAt: null,
            })
            return { msgid: d._id.toHexString() }
          } catch (e) {
            if (isDuplicateKey(e)) return { msgid: null } // already in the inbox
            throw e
          }
        },
      })
    },
  }
}

/**
 * WeCom app message to a nurse (`message/send`). The per-member limiter keeps her under 30/min and
 * 1000/h (WeCom drops the excess silently), and WeCom's duplicate check makes a re-send of the same
 * text to her within 4 h a no-op, so a retry after an unknown outcome cannot double it. The other
 * side of that check: two different messages with identical text to one nurse within 4 h arrive
 * once, so senders make texts distinct (alerts carry their task's short id).
 */
export const wecomAppChannel = (o: {
  wecom: WecomSender | undefined
  agentId: number
  limiter: RateLimiter
}): Channel => ({
  name: 'wecom-app',
  recorded: true,
  async prepare({ row, staff }) {
    const wecom = o.wecom
    if (!wecom) return WECOM_NOT_CONFIGURED
    if (!staff?.active || !staff.wecomUserId)
      return {
        kind: 'unavailable',
        code: 'STAFF_NO_WECOM',
        reason: 'the staff member has no active WeCom account',
      }
    const userid = staff.wecomUserId
    const slot = await o.limiter.take(`wecom-app:${userid}`, WECOM_APP_MEMBER_RULES)
    if (!slot.ok) return { kind: 'limited', retryAt: slot.retryAt }
    return {
      kind: 'ready',
      async send() {
        await wecom.sendAppText({
          agentId: o.agentId,
          touser: [userid],
          content: row.content.body || row.content.title,
          duplicateCheckSeconds: WECOM_DUPLICATE_CHECK_SECONDS,
        })
        return { msgid: null }
      },
    }
  },
})

/** WeCom group robot webhook: ≤20/min per key (limited to 14 in any minute). */
export const robotChannel = (o: { wecom: WecomSender | undefined; limiter: RateLimiter }): Channel => ({
  name: 'robot',
  recorded: true,
  async prepare({ row }) {
    const wecom = o.wecom
    if (!wecom) return WECOM_NOT_CONFIGURED
    const key = row.robotKey
    if (!key) return { kind: 'unavailable', code: 'NO_ROBOT_KEY', reason: 'the message names no robot' }
    const slot = await o.limiter.take(`robot:${key}`, WECOM_ROBOT_RULES)
    if (!slot.ok) return { kind: 'limited', retryAt: slot.retryAt }
    return {
      kind: 'ready',
      async send() {
        await wecom.sendRobotMessage(key, {
          msgtype: 'text',
          text: { content: row.content.body || row.content.title },
        })
        return { msgid: null }
      },
    }
  },
})
