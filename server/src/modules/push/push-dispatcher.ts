import type { Types } from 'mongoose'
import type { Clock } from '../../clock'
import { mayContact } from '../consent/consent.service'
import type { PatientRow } from '../patients/patient.repo'
import type { StaffRecord } from '../staff/staff.repo'
import type { Channel, DispatchTarget } from './push-channels'
import { classifyPushError } from './push-errors'
import {
  firstSendable,
  localDay,
  nextLocalDay,
  quietEnd,
  retryDelay,
  backoffDelay,
  type QuietSpan,
} from './push-rules'
import type { OutboxDoc, OutboxHistory } from './outbox.model'
import { deliveryKey, type DeliveryRepo, type RowUpdate } from './outbox.repo'
import type { PushPreferenceRepo } from './push-preference.repo'
import type { PushChannel } from './push.port'

/**
 * What happens to one claimed row, in order (issue 5):
 * 1. a channel that already has the message (delivery record `sent`: the previous owner died after
 *    the call) → the row is finished as sent, nothing is called again;
 * 2. expired → skipped EXPIRED; patient rows: erased → skipped ERASED; no consent for the purpose
 *    → skipped NO_CONSENT (nothing sent, not an error);
 * 3. patient rows that are not urgent: quiet hours (the account's, else the hospital's) delay to
 *    their end; the daily frequency cap (care / marketing counted apart, whichever channel delivers)
 *    delays a full day's message to the next day's first sendable minute (or skips it when it would
 *    expire first);
 * 4. channels in order from `channelIndex`: unavailable → the next one at once; limited → later, not
 *    an attempt; the call's error decides retry (backoff with jitter, dead after max attempts),
 *    back-off, fallback or permanent failure.
 * The result is a RowUpdate; the worker writes a batch's updates in one bulkWrite.
 *
 * The cap count is taken before the channels and recorded on the row (`capKey`) with the batch's
 * write; a row that ends without a delivery gives it back. A worker that dies between the two
 * leaves one count taken for the day: the cap errs on the side of sending less, never more.
 */

export interface BatchContext {
  patients: Map<string, Pick<PatientRow, '_id' | 'accountId' | 'consents' | 'erasedAt'>>
  accounts: Map<string, { _id: Types.ObjectId; openid: string }>
  quietHours: Map<string, QuietSpan>
  staff: Map<string, StaffRecord>
  /** `dedupeKey|channel` of deliveries already made. */
  sent: Set<string>
}

export interface DispatchDeps {
  clock: Clock
  channels: Partial<Record<PushChannel, Channel>>
  deliveries: DeliveryRepo
  prefs: PushPreferenceRepo
  owner: string
  timeZone: string
  defaultQuietHours: QuietSpan | null
  capPerDay: { care: number; marketing: number }
  maxAttempts: number
  random?: () => number
}

const MINUTE = 60_000

export const dispatchRow = async (
  deps: DispatchDeps,
  row: OutboxDoc,
  ctx: BatchContext,
): Promise<RowUpdate> => {
  const now = deps.clock.now()
  const history: OutboxHistory[] = []
  let capKey = row.capKey
  const log = (
    channel: PushChannel | null,
    result: string,
    code: string | null,
    reason: string | null,
  ): void => {
    history.push({ at: now, channel, result, code, reason })
  }
  const update = (set: RowUpdate['set']): RowUpdate => ({
    id: row._id,
    claimId: row.claimId!,
    set: { ...set, capKey, updatedAt: now },
    history,
  })
  /** A final state: the cap count is released unless a channel delivered. */
  const finish = async (
    status: 'sent' | 'failed' | 'dead' | 'skipped',
    channel: PushChannel | null,
    code: string | null,
    reason: string | null,
    field: string | null = null,
  ): Promise<RowUpdate> => {
    if (status !== 'sent' && capKey) {
      await deps.prefs.releaseCap(capKey)
      capKey = null
    }
    log(channel, status, code, reason)
    return update({ status, outcome: { channel, at: now, reason, code, field } })
  }
  const later = (nextAt: Date, channelIndex: number, code: string, reason: string): RowUpdate => {
    log(row.channels[channelIndex] ?? null, 'delayed', code, reason)
    return update({ status: 'pending', nextAt, channelIndex })
  }

  // 1. already delivered (a reclaimed row whose worker died after the platform call)
  const delivered = row.channels.find((c) => ctx.sent.has(deliveryKey(row.dedupeKey, c)))
  if (delivered) return finish('sent', delivered, null, 'delivered before the previous worker stopped')

  // 2. expiry, erasure, consent
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime())
    return finish('skipped', null, 'EXPIRED', 'not sent before it expired')
  const isPatientRow = row.purpose !== 'staff'
  const patient = row.patientId ? ctx.patients.get(row.patientId.toHexString()) : undefined
  if (isPatientRow) {
    if (!patient) return finish('failed', null, 'PATIENT_NOT_FOUND', 'no such patient')
    if (patient.erasedAt) return finish('skipped', null, 'ERASED', 'the patient was erased')
    if (!mayContact(patient, row.purpose as 'care' | 'marketing'))
      return finish('skipped', null, 'NO_CONSENT', `no ${row.purpose} consent`)
  }

  // 3. quiet hours and the frequency cap (patient rows that are not urgent)
  if (isPatientRow && patient && !row.urgent) {
    const quiet = ctx.quietHours.get(patient.accountId.toHexString()) ?? deps.defaultQuietHours
    const expires = row.expiresAt?.getTime() ?? Infinity
    const end = quietEnd(now, quiet, deps.timeZone)
    if (end) {
      if (end.getTime() >= expires)
        return finish('skipped', null, 'EXPIRED', 'would expire during quiet hours')
      return later(end, row.channelIndex, 'QUIET_HOURS', 'quiet hours')
    }
    const category = row.purpose as 'care' | 'marketing'
    const key = `${patient._id.toHexString()}|${localDay(now, deps.timeZone)}|${category}`
    if (capKey !== key) {
      if (capKey) await deps.prefs.releaseCap(capKey) // counted for a day that has passed
      capKey = null
      const tomorrow = nextLocalDay(now, deps.timeZone)
      if (
        await deps.prefs.reserveCap(key, deps.capPerDay[category], new Date(tomorrow.getTime() + 86_400_000))
      )
        capKey = key
      else {
        const next = firstSendable(tomorrow, quiet, deps.timeZone)
        if (next.getTime() >= expires)
          return finish('skipped', null, 'FREQUENCY_CAP', `the daily ${category} cap is reached`)
        return later(next, row.channelIndex, 'FREQUENCY_CAP', `the daily ${category} cap is reached`)
      }
    }
  }

  // 4. the channels, in order
  const target: DispatchTarget = {
    row,
    now,
    patient: patient ? { _id: patient._id, accountId: patient.accountId } : null,
    account: patient ? (ctx.accounts.get(patient.accountId.toHexString()) ?? null) : null,
    staff: row.staffId ? (ctx.staff.get(row.staffId) ?? null) : null,
  }
  let last: { code: string; reason: string } = { code: 'NO_CHANNEL', reason: 'no channel could deliver' }
  for (let i = row.channelIndex; i < row.channels.length; i++) {
    const name = row.channels[i]!
    const channel = deps.channels[name]
    if (!channel) {
      last = { code: 'CHANNEL_UNAVAILABLE', reason: `channel ${name} is not available` }
      log(name, 'fallback', last.code, last.reason)
      continue
    }
    const prep = await channel.prepare(target)
    if (prep.kind === 'unavailable') {
      last = prep
      log(name, 'fallback', prep.code, prep.reason)
      continue
    }
    if (prep.kind === 'limited') return later(prep.retryAt, i, 'RATE_LIMITED', 'platform limit reached')
    if (prep.kind === 'permanent') return finish('failed', name, prep.code, prep.reason, prep.field)

    // Per row, right before the call (not once per batch): when a slow worker's lease expired and
    // another reclaimed its rows, this is what stops the second from sending what the first just sent.
    if (channel.recorded && !(await deps.deliveries.attempting(row.dedupeKey, name, deps.owner, now))) {
      // delivered by an earlier attempt: what prepare took for this one goes back
      await prep.settle?.({
        kind: 'permanent',
        code: 'ALREADY_SENT',
        reason: 'already delivered',
        field: null,
      })
      return finish('sent', name, null, 'already delivered')
    }
    let msgid: string | null
    try {
      msgid = (await prep.send()).msgid
    } catch (e) {
      const v = classifyPushError(e)
      await prep.settle?.(v)
      if (v.kind === 'fallback') {
        last = v
        log(name, 'fallback', v.code, v.reason)
        continue
      }
      if (v.kind === 'permanent') return finish('failed', name, v.code, v.reason, v.field)
      const counts =
        v.kind === 'retry' || !row.lastCountedAt || now.getTime() - row.lastCountedAt.getTime() >= MINUTE
      const attempts = row.attempts + (counts ? 1 : 0)
      if (attempts >= deps.maxAttempts) {
        const u = await finish('dead', name, v.code, `${v.reason} (after ${attempts} attempts)`)
        u.set.attempts = attempts
        return u
      }
      const delay =
        v.kind === 'retry' ? retryDelay(attempts, deps.random) : backoffDelay(row.attempts, deps.random)
      log(name, v.kind, v.code, v.reason)
      return update({
        status: 'pending',
        nextAt: new Date(now.getTime() + delay),
        channelIndex: i,
        attempts,
        lastCountedAt: counts ? now : row.lastCountedAt,
        outcome: { channel: name, at: now, reason: v.reason, code: v.code, field: null },
      })
    }
    await prep.settle?.(null)
    if (channel.recorded) await deps.deliveries.sent(row.dedupeKey, name, msgid, now)
    // The message centre is the patient's history: a row that lists the inbox gets its copy there even
    // when a push channel delivered it (idempotent by dedupeKey; the delivery itself already succeeded,
    // so a failed copy does not fail the row).
    if (name !== 'inbox' && target.patient && row.channels.includes('inbox')) {
      const copy = await deps.channels.inbox?.prepare(target)
      if (copy?.kind === 'ready') await copy.send().catch(() => undefined)
    }
    return finish('sent', name, null, null)
  }
  return finish('failed', row.channels[row.channels.length - 1] ?? null, last.code, last.reason)
}
