import {
  AppError,
  type CreateRewardRequest,
  type MyRewardResponse,
  type MyRewardsQuery,
  type MyRewardsResponse,
  type RestockRewardRequest,
  type RewardTier,
  type StaffReward,
  type StaffRewardsQuery,
  type StaffRewardsResponse,
  type UpdateRewardRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { PatientPrincipal, StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PointsPort } from '../points/points.port'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { RedemptionRepo } from './redemption.repo'
import type { RewardChanges, RewardRepo, RewardRow } from './reward.repo'
import { addCount, emptyCounts, presentPatientReward, presentStaffReward } from './rewards-present'

/** The patient's tier (F30), for rewards that require one. Without it everyone is `standard`. */
export interface TierLookup {
  tierOf(profileId: string): Promise<RewardTier>
}

export interface RewardService {
  staffList(q: StaffRewardsQuery): Promise<StaffRewardsResponse>
  create(p: StaffPrincipal, body: CreateRewardRequest, meta: RequestMeta): Promise<StaffReward>
  update(p: StaffPrincipal, id: string, body: UpdateRewardRequest, meta: RequestMeta): Promise<StaffReward>
  restock(p: StaffPrincipal, id: string, body: RestockRewardRequest, meta: RequestMeta): Promise<StaffReward>
  deactivate(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<StaffReward>
  myList(p: PatientPrincipal, q: MyRewardsQuery): Promise<MyRewardsResponse>
  myOne(p: PatientPrincipal, id: string): Promise<MyRewardResponse>
  /** What the redeem pre-check needs about the profile. */
  standing(profileId: string, rewardId: string): Promise<{ tier: RewardTier; held: number; balance: number }>
}

const notFound = () => new AppError('REWARD_NOT_FOUND', 'No such reward')
const date = (v: string | null | undefined): Date | null | undefined =>
  v === undefined ? undefined : v === null ? null : new Date(v)

export const createRewardService = (deps: {
  rewards: RewardRepo
  redemptions: Pick<RedemptionRepo, 'countsByReward'>
  points: Pick<PointsPort, 'balance'>
  tiers?: TierLookup
  audit: AuditLog
  clock: Clock
}): RewardService => {
  const { rewards, clock, audit } = deps
  const tierOf = (profileId: string): Promise<RewardTier> =>
    deps.tiers ? deps.tiers.tierOf(profileId) : Promise.resolve('standard')

  const withCounts = async (rows: RewardRow[]): Promise<StaffReward[]> => {
    const counts = new Map(rows.map((r) => [r._id.toHexString(), emptyCounts()]))
    for (const c of await deps.redemptions.countsByReward(rows.map((r) => r._id)))
      addCount(counts.get(c.rewardId)!, c.status, c.n)
    return rows.map((r) => presentStaffReward(r, counts.get(r._id.toHexString())!))
  }
  const one = async (r: RewardRow | null): Promise<StaffReward> => {
    if (!r) throw notFound()
    return (await withCounts([r]))[0]!
  }
  const record = (p: StaffPrincipal, action: string, detail: Record<string, unknown>, meta: RequestMeta) =>
    audit.record({ actor: staffActor(p), action, detail, ip: meta.ip, requestId: meta.requestId })

  const standing = async (profileId: string) => {
    const [tier, held, balance] = await Promise.all([
      tierOf(profileId),
      rewards.claimCounts(profileId),
      deps.points.balance(profileId),
    ])
    return { tier, held, balance }
  }

  return {
    async staffList(q) {
      const rows = await rewards.list({
        active: q.status === 'all' ? undefined : q.status === 'active',
        category: q.category,
      })
      return { rewards: await withCounts(rows) }
    },
    async create(p, body, meta) {
      const now = clock.now()
      const r = await rewards.create({
        name: body.name,
        description: body.description,
        imageUrl: body.imageUrl ?? null,
        category: body.category,
        pointsCost: body.pointsCost,
        stock: body.stock,
        perPatientLimit: body.perPatientLimit,
        validFrom: date(body.validFrom) ?? null,
        validUntil: date(body.validUntil) ?? null,
        active: body.active,
        tierRequired: body.tierRequired ?? null,
        createdBy: p.staffId,
        createdAt: now,
      })
      await record(p, 'reward.create', { rewardId: r._id.toHexString(), name: r.name, stock: r.stock }, meta)
      return one(r)
    },
    async update(p, id, body, meta) {
      const current = await rewards.findById(id)
      if (!current) throw notFound()
      const changes: RewardChanges = {
        ...body,
        validFrom: date(body.validFrom),
        validUntil: date(body.validUntil),
      }
      for (const k of Object.keys(changes) as (keyof RewardChanges)[])
        if (changes[k] === undefined) delete changes[k]
      const from = changes.validFrom === undefined ? current.validFrom : changes.validFrom
      const until = changes.validUntil === undefined ? current.validUntil : changes.validUntil
      if (from && until && until <= from)
        throw new AppError('VALIDATION_FAILED', 'validUntil must be after validFrom', [
          { path: 'validUntil', message: 'validUntil must be after validFrom' },
        ])
      const r = await rewards.update(id, changes, clock.now())
      await record(p, 'reward.update', { rewardId: id, fields: Object.keys(changes) }, meta)
      return one(r)
    },
    async restock(p, id, body, meta) {
      const r = await rewards.restock(id, {
        requestId: body.requestId,
        delta: body.delta,
        by: p.staffId,
        at: clock.now(),
      })
      if (r === 'not_found') throw notFound()
      if (r === 'insufficient')
        throw new AppError(
          'REWARD_OUT_OF_STOCK',
          `Only the units still in stock can be withdrawn (asked ${-body.delta})`,
        )
      if (r === 'applied')
        await record(
          p,
          'reward.restock',
          { rewardId: id, delta: body.delta, requestId: body.requestId },
          meta,
        )
      return one(await rewards.findById(id))
    },
    async deactivate(p, id, meta) {
      const current = await rewards.findById(id)
      if (!current) throw notFound()
      if (!current.active) return one(current)
      const r = await rewards.update(id, { active: false }, clock.now())
      await record(p, 'reward.deactivate', { rewardId: id }, meta)
      return one(r)
    },
    async myList(p, q) {
      const now = clock.now()
      const [rows, me] = await Promise.all([
        rewards.list({ active: true, category: q.category }),
        standing(p.profileId),
      ])
      const visible = rows.filter((r) => !r.validUntil || r.validUntil > now)
      return {
        balance: me.balance,
        rewards: visible.map((r) =>
          presentPatientReward(r, {
            now,
            tier: me.tier,
            balance: me.balance,
            held: me.held.get(r._id.toHexString()) ?? 0,
          }),
        ),
      }
    },
    async myOne(p, id) {
      const r = await rewards.findById(id)
      if (!r || !r.active) throw notFound()
      const me = await standing(p.profileId)
      return {
        ...presentPatientReward(r, {
          now: clock.now(),
          tier: me.tier,
          balance: me.balance,
          held: me.held.get(id) ?? 0,
        }),
        balance: me.balance,
      }
    },
    async standing(profileId, rewardId) {
      const me = await standing(profileId)
      return { tier: me.tier, balance: me.balance, held: me.held.get(rewardId) ?? 0 }
    },
  }
}
