import type {
  PatientReward,
  Redemption,
  RedemptionCounts,
  RedemptionStatus,
  RewardBlocker,
  RewardTier,
  StaffRedemption,
  StaffReward,
} from '@careloop/shared'
import { REWARD_TIERS } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import { maskName } from '../../privacy/pii-crypto'
import { patientModel } from '../patients/patient.model'
import { scopeQuery, type PatientScope } from '../patients/patient-staff.repo'
import { staffModel } from '../staff/staff.model'
import type { RedemptionDoc, StoredRedemptionStatus } from './redemption.model'
import type { RewardRow } from './reward.repo'

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

/** `failing` is internal: the patient and staff see it as failed. */
export const publicStatus = (s: StoredRedemptionStatus): RedemptionStatus => (s === 'failing' ? 'failed' : s)

/** Stored statuses behind a public one (a filter). */
export const storedStatuses = (s: RedemptionStatus): StoredRedemptionStatus[] =>
  s === 'failed' ? ['failed', 'failing'] : [s]

export const emptyCounts = (): RedemptionCounts => ({
  pending: 0,
  issued: 0,
  fulfilled: 0,
  cancelled: 0,
  expired: 0,
})

/** Adds `n` redemptions of a stored status to the catalogue counts (failed ones are not counted). */
export const addCount = (c: RedemptionCounts, s: StoredRedemptionStatus, n: number): void => {
  if (s === 'failed' || s === 'failing') return
  c[s === 'cancelling' ? 'cancelled' : s] += n
}

export const presentStaffReward = (r: RewardRow, counts: RedemptionCounts): StaffReward => ({
  id: r._id.toHexString(),
  name: r.name,
  description: r.description,
  imageUrl: r.imageUrl,
  category: r.category,
  pointsCost: r.pointsCost,
  stock: r.stock,
  totalStock: r.totalStock,
  perPatientLimit: r.perPatientLimit,
  validFrom: iso(r.validFrom),
  validUntil: iso(r.validUntil),
  active: r.active,
  tierRequired: r.tierRequired,
  counts,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
})

const tierRank = (t: RewardTier): number => REWARD_TIERS.indexOf(t)

/** The first reason a profile cannot redeem a reward now, or null. */
export const blockerOf = (
  r: RewardRow,
  me: { now: Date; tier: RewardTier; held: number; balance: number },
): RewardBlocker | null => {
  if (r.validFrom && me.now < r.validFrom) return 'not_started'
  if (!r.active || (r.validUntil && me.now >= r.validUntil)) return 'ended'
  if (r.tierRequired && tierRank(me.tier) < tierRank(r.tierRequired)) return 'tier_required'
  if (r.stock < 1) return 'out_of_stock'
  if (me.held >= r.perPatientLimit) return 'limit_reached'
  if (me.balance < r.pointsCost) return 'insufficient_points'
  return null
}

export const presentPatientReward = (
  r: RewardRow,
  me: { now: Date; tier: RewardTier; held: number; balance: number },
): PatientReward => {
  const blocker = blockerOf(r, me)
  return {
    id: r._id.toHexString(),
    name: r.name,
    description: r.description,
    imageUrl: r.imageUrl,
    category: r.category,
    pointsCost: r.pointsCost,
    stock: r.stock,
    perPatientLimit: r.perPatientLimit,
    validFrom: iso(r.validFrom),
    validUntil: iso(r.validUntil),
    tierRequired: r.tierRequired,
    redeemedByMe: me.held,
    remainingForMe: Math.max(0, r.perPatientLimit - me.held),
    affordable: me.balance >= r.pointsCost,
    canRedeem: blocker === null,
    blocker,
  }
}

/** A redemption as its patient sees it: the code only while it is good for something. */
export const presentRedemption = (d: RedemptionDoc, o: { alwaysCode?: boolean } = {}): Redemption => ({
  id: d._id.toHexString(),
  rewardId: d.rewardId.toHexString(),
  rewardName: d.rewardName,
  category: d.category,
  pointsCost: d.pointsCost,
  status: publicStatus(d.status),
  code: d.code && (o.alwaysCode || d.status === 'issued' || d.status === 'fulfilled') ? d.code : null,
  createdAt: d.createdAt.toISOString(),
  issuedAt: iso(d.issuedAt),
  expiresAt: iso(d.expiresAt),
  fulfilledAt: iso(d.fulfilledAt),
  cancelledAt: iso(d.cancelledAt),
  cancelReason: d.cancel?.reason ?? null,
})

/** Staff rows: patient names masked, staff names resolved. */
export const createStaffRedemptionPresenter = (conn: Connection) => {
  const P = patientModel(conn)
  const S = staffModel(conn)
  const oids = (ids: (string | null | undefined)[]) =>
    [...new Set(ids.filter((x): x is string => !!x && Types.ObjectId.isValid(x)))].map(
      (x) => new Types.ObjectId(x),
    )
  return async (rows: RedemptionDoc[]): Promise<StaffRedemption[]> => {
    const patients = await P.find(
      { _id: { $in: oids(rows.map((r) => r.profileId.toHexString())) } },
      { name: 1 },
    ).lean<{ _id: Types.ObjectId; name: string | null }[]>()
    const staffIds = rows.flatMap((r) => [r.fulfilledBy, r.cancel?.kind === 'staff' ? r.cancel.id : null])
    const staff = await S.find({ _id: { $in: oids(staffIds) } }, { name: 1 }).lean<
      { _id: Types.ObjectId; name: string }[]
    >()
    const patientName = new Map(patients.map((p) => [p._id.toHexString(), p.name ? maskName(p.name) : null]))
    const staffName = new Map(staff.map((s) => [s._id.toHexString(), s.name]))
    return rows.map((d) => ({
      ...presentRedemption(d, { alwaysCode: true }),
      patient: { id: d.profileId.toHexString(), name: patientName.get(d.profileId.toHexString()) ?? null },
      fulfilledBy: d.fulfilledBy ? { id: d.fulfilledBy, name: staffName.get(d.fulfilledBy) ?? null } : null,
      cancelledBy: d.cancel
        ? {
            kind: d.cancel.kind,
            id: d.cancel.id,
            name: d.cancel.kind === 'staff' && d.cancel.id ? (staffName.get(d.cancel.id) ?? null) : null,
          }
        : null,
      failReason: d.failReason,
    }))
  }
}

/** The profile ids a scope reaches (undefined: every patient). */
export const patientIdsInScope = async (
  conn: Connection,
  scope: PatientScope,
): Promise<string[] | undefined> => {
  if (scope.kind === 'all') return undefined
  const ids = await patientModel(conn).distinct('_id', await scopeQuery(conn, scope))
  return ids.map((id: Types.ObjectId) => id.toHexString())
}
