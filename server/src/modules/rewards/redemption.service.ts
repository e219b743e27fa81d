import {
  AppError,
  type FulfilRedemptionRequest,
  type MyRedemptionsQuery,
  type MyRedemptionsResponse,
  type RedeemRewardRequest,
  type RedeemRewardResponse,
  type Redemption,
  type RewardBlocker,
  type StaffCancelRedemptionRequest,
  type StaffRedemption,
  type StaffRedemptionsQuery,
  type StaffRedemptionsResponse,
  type ErrorCode,
} from '@careloop/shared'
import type { Connection } from 'mongoose'
import type { Clock } from '../../clock'
import type { PatientPrincipal, StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import type { PointsPort } from '../points/points.port'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { RedemptionDoc, StoredRedemptionStatus } from './redemption.model'
import type { RedemptionFilter, RedemptionRepo } from './redemption.repo'
import { refusalOf, type RedemptionSaga } from './redemption.saga'
import type { RewardService } from './reward.service'
import type { RewardRepo } from './reward.repo'
import {
  blockerOf,
  createStaffRedemptionPresenter,
  patientIdsInScope,
  presentRedemption,
  storedStatuses,
} from './rewards-present'

export interface RedemptionService {
  redeem(p: PatientPrincipal, rewardId: string, body: RedeemRewardRequest): Promise<RedeemRewardResponse>
  mine(p: PatientPrincipal, q: MyRedemptionsQuery): Promise<MyRedemptionsResponse>
  myOne(p: PatientPrincipal, id: string): Promise<Redemption>
  cancelMine(p: PatientPrincipal, id: string): Promise<Redemption>
  staffList(p: StaffPrincipal, q: StaffRedemptionsQuery, meta: RequestMeta): Promise<StaffRedemptionsResponse>
  fulfil(
    p: StaffPrincipal,
    id: string,
    body: FulfilRedemptionRequest,
    meta: RequestMeta,
  ): Promise<StaffRedemption>
  staffCancel(
    p: StaffPrincipal,
    id: string,
    body: StaffCancelRedemptionRequest,
    meta: RequestMeta,
  ): Promise<StaffRedemption>
}

const REFUSAL: Record<RewardBlocker, [ErrorCode, string]> = {
  not_started: ['REWARD_NOT_AVAILABLE', '兑换尚未开始 (not open yet)'],
  ended: ['REWARD_NOT_AVAILABLE', '兑换已结束 (no longer available)'],
  tier_required: ['REWARD_NOT_AVAILABLE', '会员等级不足 (needs a higher tier)'],
  out_of_stock: ['REWARD_OUT_OF_STOCK', '已兑完 (out of stock)'],
  limit_reached: ['REWARD_LIMIT_REACHED', '已达每人限兑次数 (per-patient limit reached)'],
  insufficient_points: ['POINTS_INSUFFICIENT', '积分不足 (not enough points)'],
}

/** Patients see everything but their failed attempts. */
const MINE: StoredRedemptionStatus[] = [
  'pending',
  'issued',
  'fulfilled',
  'cancelling',
  'cancelled',
  'expired',
]

const notFound = () => new AppError('REDEMPTION_NOT_FOUND', 'No such redemption')

export const createRedemptionService = (deps: {
  db: Connection
  saga: RedemptionSaga
  redemptions: RedemptionRepo
  rewards: RewardRepo
  catalogue: Pick<RewardService, 'standing'>
  points: Pick<PointsPort, 'balance'>
  staffPatients: Pick<PatientStaffRepo, 'findInScope'>
  audit: AuditLog
  clock: Clock
}): RedemptionService => {
  const { saga, redemptions, audit } = deps
  const presentStaff = createStaffRedemptionPresenter(deps.db)

  const answer = async (d: RedemptionDoc, duplicate: boolean): Promise<RedeemRewardResponse> => {
    if (d.status === 'failed' || d.status === 'failing') throw refusalOf(d)
    return {
      ...presentRedemption(d),
      duplicate,
      balance: await deps.points.balance(d.profileId.toHexString()),
    }
  }
  const mineOrThrow = async (p: PatientPrincipal, id: string): Promise<RedemptionDoc> => {
    const d = await redemptions.findById(id)
    // Another profile's redemption looks exactly like one that does not exist.
    if (!d || d.profileId.toHexString() !== p.profileId) throw notFound()
    return d
  }
  const staffOne = async (d: RedemptionDoc): Promise<StaffRedemption> => (await presentStaff([d]))[0]!
  const record = (
    p: StaffPrincipal,
    action: string,
    d: RedemptionDoc,
    detail: Record<string, unknown>,
    meta: RequestMeta,
  ) =>
    audit.record({
      actor: staffActor(p),
      action,
      patientId: d.profileId.toHexString(),
      detail: { redemptionId: d._id.toHexString(), rewardId: d.rewardId.toHexString(), ...detail },
      ip: meta.ip,
      requestId: meta.requestId,
    })

  return {
    async redeem(p, rewardId, body) {
      const earlier = await redemptions.findByRequest(p.profileId, body.requestId)
      if (earlier) return answer(await saga.resume(earlier), true)
      const reward = await deps.rewards.findById(rewardId)
      if (!reward) throw new AppError('REWARD_NOT_FOUND', 'No such reward')
      // Cheap checks first, so a refusal writes nothing; the saga's guarded steps decide races.
      const blocker = blockerOf(reward, {
        now: deps.clock.now(),
        ...(await deps.catalogue.standing(p.profileId, rewardId)),
      })
      if (blocker) {
        const [code, message] = REFUSAL[blocker]
        throw new AppError(code, message)
      }
      const { redemption, created } = await saga.start({
        profileId: p.profileId,
        accountId: p.accountId,
        requestId: body.requestId,
        reward,
      })
      return answer(redemption, !created)
    },
    async mine(p, q) {
      const statuses = q.status ? storedStatuses(q.status).filter((s) => MINE.includes(s)) : MINE
      const rows = statuses.length ? await redemptions.mine(p.profileId, statuses) : []
      return { redemptions: rows.map((d) => presentRedemption(d)) }
    },
    async myOne(p, id) {
      return presentRedemption(await mineOrThrow(p, id))
    },
    async cancelMine(p, id) {
      const d = await mineOrThrow(p, id)
      const done = await saga.cancel(d, {
        kind: 'patient',
        id: p.profileId,
        reason: '用户取消',
        expired: false,
      })
      return presentRedemption(done)
    },
    async staffList(p, q, meta) {
      const filter: RedemptionFilter = {
        statuses: q.status ? storedStatuses(q.status) : undefined,
        rewardId: q.rewardId,
        code: q.code,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      }
      // A code presented at the counter finds its redemption whoever's patient it is; lists are scoped.
      const scoped = q.code ? undefined : await patientIdsInScope(deps.db, accessOf(p).scope)
      if (q.patientId) filter.profileIds = !scoped || scoped.includes(q.patientId) ? [q.patientId] : []
      else if (scoped) filter.profileIds = scoped
      const { total, rows } = await redemptions.list(filter, {
        skip: (q.page - 1) * q.pageSize,
        limit: q.pageSize,
      })
      await audit.record({
        actor: staffActor(p),
        action: q.code ? 'redemption.lookup' : 'redemption.list',
        detail: {
          query: { ...q, code: q.code ? 'given' : undefined },
          total,
          patientIds: [...new Set(rows.map((r) => r.profileId.toHexString()))],
        },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return { total, page: q.page, pageSize: q.pageSize, redemptions: await presentStaff(rows) }
    },
    async fulfil(p, id, body, meta) {
      const d = await redemptions.findById(id)
      if (!d) throw notFound()
      const { redemption, changed } = await saga.fulfil(d, body.code, p.staffId)
      if (changed) await record(p, 'redemption.fulfil', redemption, { at: redemption.fulfilledAt }, meta)
      return staffOne(redemption)
    },
    async staffCancel(p, id, body, meta) {
      const d = await redemptions.findById(id)
      if (!d) throw notFound()
      const scope = accessOf(p).scope
      if (scope.kind !== 'all' && !(await deps.staffPatients.findInScope(scope, d.profileId.toHexString())))
        throw notFound()
      const wasOpen = d.status === 'issued' || d.status === 'cancelling'
      const done = await saga.cancel(d, { kind: 'staff', id: p.staffId, reason: body.reason, expired: false })
      if (wasOpen) await record(p, 'redemption.cancel', done, { reason: body.reason }, meta)
      return staffOne(done)
    },
  }
}
