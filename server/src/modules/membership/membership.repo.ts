import type { MembershipPeriod, MembershipTier, PlanQuota, QuotaKind } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { patientModel } from '../patients/patient.model'
import { addPeriod, lastUntil, nextGrantStart, revokeGrant } from './grants'
import {
  membershipModel,
  payNotifyModel,
  quotaUsageModel,
  type GrantEntry,
  type MembershipDoc,
  type PayNotifyDoc,
  type QuotaUsageDoc,
} from './membership.model'

export type { GrantEntry, MembershipDoc, PayNotifyDoc, QuotaUsageDoc }

const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)

/** Optimistic writes retry this often before giving up (each retry means another writer won). */
const MAX_ATTEMPTS = 20

// ---- memberships --------------------------------------------------------------------------------

export interface GrantInput {
  orderId: string
  planCode: string
  planName: string
  period: MembershipPeriod
  tier: MembershipTier
  quotas: PlanQuota[]
  paidAt: Date
}

export interface MembershipRepo {
  find(profileId: string): Promise<MembershipDoc | null>
  /** The grants of several profiles in one query (raw driver; profiles without a membership are absent). */
  grantsOf(profileIds: Types.ObjectId[]): Promise<Map<string, GrantEntry[]>>
  /**
   * Adds the order's grant once: starting when the membership in force ends (or at `paidAt`),
   * one period long. A second call for the same order answers the first grant unchanged.
   */
  grant(profileId: Types.ObjectId, g: GrantInput, at: Date): Promise<{ grant: GrantEntry; created: boolean }>
  /** Ends the order's grant at `now` (see `revokeGrant`); false when the order granted nothing here. */
  revoke(profileId: Types.ObjectId, orderId: string, now: Date): Promise<boolean>
}

export const createMembershipRepo = (conn: Connection, timeZone: string): MembershipRepo => {
  const M = membershipModel(conn)
  return {
    async find(profileId) {
      const p = oid(profileId)
      return p ? M.findOne({ profileId: p }).lean<MembershipDoc>() : null
    },
    async grantsOf(profileIds) {
      const rows = await M.collection
        .find({ profileId: { $in: profileIds } }, { projection: { profileId: 1, grants: 1 } })
        .toArray()
      return new Map(
        rows.map((r) => [(r.profileId as Types.ObjectId).toHexString(), r.grants as GrantEntry[]]),
      )
    },
    async grant(profileId, g, at) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const doc = await M.findOne({ profileId }).lean<MembershipDoc>()
        const existing = doc?.grants.find((x) => x.orderId === g.orderId)
        if (existing) return { grant: existing, created: false }
        const from = nextGrantStart(doc ? lastUntil(doc.grants) : null, g.paidAt)
        const entry: GrantEntry = {
          orderId: g.orderId,
          planCode: g.planCode,
          planName: g.planName,
          period: g.period,
          tier: g.tier,
          quotas: g.quotas,
          from,
          until: addPeriod(from, g.period, timeZone),
          grantedAt: at,
          revokedAt: null,
        }
        if (!doc) {
          try {
            await M.create({ profileId, grants: [entry], until: entry.until, rev: 0, updatedAt: at })
            return { grant: entry, created: true }
          } catch (e) {
            if (isDuplicateKey(e)) continue // another grant created the document first
            throw e
          }
        }
        // Guarded by rev (nobody changed the chain since it was read) and by the order id (never twice).
        const r = await M.updateOne(
          { _id: doc._id, rev: doc.rev, 'grants.orderId': { $ne: g.orderId } },
          { $push: { grants: entry }, $set: { until: entry.until, updatedAt: at }, $inc: { rev: 1 } },
        )
        if (r.modifiedCount === 1) return { grant: entry, created: true }
      }
      throw new Error(`membership grant of order ${g.orderId}: too much contention`)
    },
    async revoke(profileId, orderId, now) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const doc = await M.findOne({ profileId }).lean<MembershipDoc>()
        const target = doc?.grants.find((x) => x.orderId === orderId)
        if (!doc || !target) return false
        if (target.revokedAt) return true
        const grants = revokeGrant(doc.grants, orderId, now)
        const r = await M.updateOne(
          { _id: doc._id, rev: doc.rev },
          { $set: { grants, until: lastUntil(grants), updatedAt: now }, $inc: { rev: 1 } },
        )
        if (r.modifiedCount === 1) return true
      }
      throw new Error(`membership revoke of order ${orderId}: too much contention`)
    },
  }
}

// ---- quota usage --------------------------------------------------------------------------------

export interface QuotaRepo {
  used(profileId: Types.ObjectId, kind: QuotaKind, month: string): Promise<number>
  findByRequest(profileId: Types.ObjectId, requestId: string): Promise<QuotaUsageDoc | null>
  /**
   * Takes the next free slot of the month if one ≤ `limit` is left: `exhausted` otherwise;
   * `duplicate` with the first use when the requestId was used before.
   */
  use(
    u: Omit<QuotaUsageDoc, '_id' | 'slot'>,
    limit: number,
  ): Promise<{ kind: 'used' | 'duplicate'; usage: QuotaUsageDoc } | { kind: 'exhausted' }>
}

export const createQuotaRepo = (conn: Connection): QuotaRepo => {
  const Q = quotaUsageModel(conn)
  const findByRequest = (profileId: Types.ObjectId, requestId: string): Promise<QuotaUsageDoc | null> =>
    Q.findOne({ profileId, requestId }).lean<QuotaUsageDoc>()
  const used = (profileId: Types.ObjectId, kind: QuotaKind, month: string): Promise<number> =>
    Q.countDocuments({ profileId, kind, month })
  return {
    used,
    findByRequest,
    async use(u, limit) {
      const first = await findByRequest(u.profileId, u.requestId)
      if (first) return { kind: 'duplicate', usage: first }
      let slot = (await used(u.profileId, u.kind, u.month)) + 1
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (slot > limit) return { kind: 'exhausted' }
        try {
          const d = await Q.create({ ...u, slot })
          return { kind: 'used', usage: d.toObject<QuotaUsageDoc>() }
        } catch (e) {
          if (!isDuplicateKey(e)) throw e
          const again = await findByRequest(u.profileId, u.requestId)
          if (again) return { kind: 'duplicate', usage: again }
          slot++ // a concurrent use took this slot
        }
      }
      throw new Error('quota use: too much contention')
    },
  }
}

// ---- notifies -----------------------------------------------------------------------------------

export interface PayNotifyRepo {
  /** Records a delivery; `processed` when an earlier delivery of this id was handled already. */
  record(n: Omit<PayNotifyDoc, 'deliveries' | 'processedAt' | 'result'>): Promise<{ processed: boolean }>
  markProcessed(id: string, result: string, at: Date): Promise<void>
  listByOutTradeNo(outTradeNo: string): Promise<PayNotifyDoc[]>
}

export const createPayNotifyRepo = (conn: Connection): PayNotifyRepo => {
  const N = payNotifyModel(conn)
  return {
    async record(n) {
      try {
        await N.create({ ...n, deliveries: 1, processedAt: null, result: null })
        return { processed: false }
      } catch (e) {
        if (!isDuplicateKey(e)) throw e
        const prior = await N.findOneAndUpdate(
          { _id: n._id },
          { $inc: { deliveries: 1 } },
          { new: true },
        ).lean<PayNotifyDoc>()
        return { processed: prior?.processedAt != null }
      }
    },
    async markProcessed(id, result, at) {
      await N.updateOne({ _id: id }, { $set: { processedAt: at, result } })
    },
    listByOutTradeNo: (outTradeNo) => N.find({ outTradeNo }).sort({ receivedAt: 1 }).lean<PayNotifyDoc[]>(),
  }
}

// ---- patient names (console) --------------------------------------------------------------------

/** Display names of profiles by id (null when unnamed or erased). */
export const createPatientNames =
  (conn: Connection) =>
  async (ids: string[]): Promise<Map<string, string | null>> => {
    const valid = ids.filter((id) => isValidObjectId(id)).map((id) => new Types.ObjectId(id))
    if (!valid.length) return new Map()
    const rows = await patientModel(conn)
      .find({ _id: { $in: valid } }, { name: 1, erasedAt: 1 })
      .lean<{ _id: Types.ObjectId; name?: string | null; erasedAt?: Date | null }[]>()
    return new Map(rows.map((r) => [r._id.toHexString(), r.erasedAt ? null : (r.name ?? null)]))
  }
