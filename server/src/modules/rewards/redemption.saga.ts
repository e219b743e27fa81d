import { randomUUID } from 'node:crypto'
import { AppError, ERROR_STATUS, type ErrorCode } from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import type { PointsPort } from '../points/points.port'
import type { PushPort } from '../push/push.port'
import { newRedemptionCode } from './redemption-code'
import type { RedemptionCancel, RedemptionDoc } from './redemption.model'
import { CodeTakenError, type RedemptionRepo } from './redemption.repo'
import type { RewardRepo, RewardRow } from './reward.repo'

/**
 * The redemption saga (F29) without multi-document transactions. Each step touches one document
 * with a guarded update and is idempotent per redemption:
 *
 *   redeem:  pending (unique profile+requestId) → claim (per-patient limit) → stock → points
 *            (refKey `redeem:<id>`) → issued with a code
 *   refused: pending → failing → return stock, claim, points → failed
 *   cancel:  issued → cancelling → return stock, claim, points → cancelled (expired: same, by the job)
 *
 * The claim comes before the stock so that one patient hammering a reward cannot hold units others
 * could redeem. Whoever moves a pending row holds its lease; `failing` and `cancelling` are points of
 * no return, so an undo never races a completion. A crash anywhere leaves a pending / failing /
 * cancelling row whose lease runs out; `repair()` (every minute) finishes it the same way. Terminal
 * rows get one more idempotent pass later (`settleAt`), which repairs a step a stalled process did
 * after the row had moved on.
 */

export type RedeemStep = 'created' | 'claimed' | 'stock-taken' | 'points-spent'
export type UndoStep = 'cancelling' | 'stock-returned' | 'claim-returned' | 'points-refunded'

/** Test seam: called after each step; throwing there is a crash between two steps. */
export interface RedemptionFaults {
  after(step: RedeemStep | UndoStep, redemptionId: string): Promise<void> | void
}

export interface RepairReport {
  resumed: number
  undone: number
  expired: number
  settled: number
  errors: number
}

export interface RedemptionSaga {
  /** Creates the pending redemption (or finds the one of this requestId) and moves it as far as it goes. */
  start(input: {
    profileId: string
    accountId: string
    requestId: string
    reward: RewardRow
  }): Promise<{ redemption: RedemptionDoc; created: boolean }>
  /** A retry: resumes a pending row whose lease ran out; otherwise answers the row as it is. */
  resume(r: RedemptionDoc): Promise<RedemptionDoc>
  /** issued → cancelled (or expired), returning stock, claim and points once; idempotent. */
  cancel(r: RedemptionDoc, by: Omit<RedemptionCancel, 'at'>): Promise<RedemptionDoc>
  /** issued → fulfilled against its code; idempotent (`changed` false on a repeat). */
  fulfil(r: RedemptionDoc, code: string, by: string): Promise<{ redemption: RedemptionDoc; changed: boolean }>
  /** Finishes pending / failing / cancelling rows whose lease ran out, expires codes, settles. */
  repair(): Promise<RepairReport>
}

/** Refusals that undo the redemption (anything else is a crash: the row stays for the repair job). */
const REFUSALS = new Set<ErrorCode>([
  'REWARD_LIMIT_REACHED',
  'REWARD_OUT_OF_STOCK',
  'REWARD_NOT_AVAILABLE',
  'POINTS_INSUFFICIENT',
])
const CODE_TRIES = 5
const BATCH = 100
const DAY_MS = 86_400_000

export const spendRefKey = (redemptionId: string): string => `redeem:${redemptionId}`

/** The refusal a failed redemption answers (to the first request and to every retry). */
export const refusalOf = (r: RedemptionDoc): AppError => {
  const code = (r.failCode && r.failCode in ERROR_STATUS ? r.failCode : 'REWARD_NOT_AVAILABLE') as ErrorCode
  return new AppError(code, r.failReason ?? 'The redemption was refused')
}

export const createRedemptionSaga = (deps: {
  redemptions: RedemptionRepo
  rewards: RewardRepo
  points: PointsPort
  clock: Clock
  logger: Logger
  /** Seconds a lease lasts (and so how long a crashed step waits for the repair job). */
  repairAfterSeconds: number
  /** Days an issued code stays valid (0: no expiry). */
  codeTtlDays: number
  push?: PushPort
  faults?: RedemptionFaults
}): RedemptionSaga => {
  const { redemptions, rewards, points, clock, logger } = deps
  const leaseMs = deps.repairAfterSeconds * 1000
  const later = (ms: number) => new Date(clock.now().getTime() + ms)
  const step = async (s: RedeemStep | UndoStep, r: RedemptionDoc) => {
    await deps.faults?.after(s, r._id.toHexString())
  }
  const ids = (r: RedemptionDoc) => ({
    rid: r._id.toHexString(),
    profileId: r.profileId.toHexString(),
    rewardId: r.rewardId.toHexString(),
  })
  const reload = async (r: RedemptionDoc): Promise<RedemptionDoc> =>
    (await redemptions.findById(r._id.toHexString())) ?? r

  /** Gives back whatever the redemption holds; each part is a no-op when it holds nothing. */
  const undo = async (r: RedemptionDoc): Promise<void> => {
    const { rid, profileId, rewardId } = ids(r)
    await rewards.returnStock(rewardId, rid, clock.now())
    await step('stock-returned', r)
    await rewards.returnClaim(profileId, rewardId, rid)
    await step('claim-returned', r)
    try {
      await points.refundSpend({
        profileId,
        spendRefKey: spendRefKey(rid),
        reason: `退还兑换「${r.rewardName}」`,
      })
    } catch (e) {
      // No spend under this key: the redemption never got as far as the points.
      if (!(e instanceof AppError && e.code === 'POINTS_ADJUSTMENT_INVALID')) throw e
    }
    await step('points-refunded', r)
  }

  const finishFail = async (r: RedemptionDoc): Promise<RedemptionDoc> => {
    await undo(r)
    return (
      (await redemptions.finish(r._id, 'failing', 'failed', clock.now(), later(2 * leaseMs))) ??
      (await reload(r))
    )
  }

  const notifyCancelled = async (r: RedemptionDoc): Promise<void> => {
    if (!deps.push || !r.cancel || r.cancel.kind === 'patient') return
    const why = r.cancel.expired ? '兑换码已过期' : `原因：${r.cancel.reason}`
    try {
      await deps.push.enqueue([
        {
          dedupeKey: `redemption:${r._id.toHexString()}:cancelled`,
          purpose: 'care',
          dueAt: clock.now(),
          patientId: r.profileId.toHexString(),
          channels: ['inbox'],
          content: {
            title: r.cancel.expired ? '兑换已过期' : '兑换已取消',
            body: `您兑换的「${r.rewardName}」已取消（${why}），${r.pointsCost} 积分已退回。`,
            page: `pkg-points/redemption/index?id=${r._id.toHexString()}`,
          },
          source: { kind: 'redemption', id: r._id.toHexString() },
        },
      ])
    } catch (err) {
      logger.warn({ err, redemptionId: r._id.toHexString() }, 'redemption cancel notice not queued')
    }
  }

  const finishCancel = async (r: RedemptionDoc): Promise<RedemptionDoc> => {
    await undo(r)
    const to = r.cancel?.expired ? 'expired' : 'cancelled'
    const done = await redemptions.finish(r._id, 'cancelling', to, clock.now(), later(2 * leaseMs))
    if (done) await notifyCancelled(done)
    return done ?? (await reload(r))
  }

  /** A guarded move by the lease holder missed: someone else moved the row; finish what it needs. */
  const afterLostMove = async (r: RedemptionDoc): Promise<RedemptionDoc> => {
    const now = await reload(r)
    // Our own steps may have run after the other party's undo: undo again (idempotent).
    if (now.status === 'failing') return finishFail(now)
    if (now.status === 'failed') {
      await undo(now)
      return now
    }
    return now
  }

  const fail = async (r: RedemptionDoc, owner: string, e: AppError): Promise<RedemptionDoc> => {
    const failing = await redemptions.markFailing(
      r._id,
      owner,
      { code: e.code, reason: e.message },
      clock.now(),
      later(leaseMs),
    )
    return failing ? finishFail(failing) : afterLostMove(r)
  }

  const issue = async (r: RedemptionDoc, owner: string): Promise<RedemptionDoc> => {
    for (let i = 0; i < CODE_TRIES; i++) {
      const now = clock.now()
      try {
        const done = await redemptions.issue(r._id, owner, {
          code: newRedemptionCode(),
          issuedAt: now,
          expiresAt: deps.codeTtlDays ? new Date(now.getTime() + deps.codeTtlDays * DAY_MS) : null,
        })
        return done ?? (await afterLostMove(r))
      } catch (e) {
        if (!(e instanceof CodeTakenError)) throw e
      }
    }
    throw new Error('could not draw a free redemption code')
  }

  /** Claim → stock → points → issued, by the holder of the lease. */
  const advance = async (r: RedemptionDoc, owner: string): Promise<RedemptionDoc> => {
    const { rid, profileId, rewardId } = ids(r)
    try {
      if (!(await rewards.takeClaim(profileId, rewardId, rid, r.perPatientLimit)))
        throw new AppError(
          'REWARD_LIMIT_REACHED',
          `每人限兑 ${r.perPatientLimit} 次 (at most ${r.perPatientLimit} per patient)`,
        )
      await step('claimed', r)
      const stock = await rewards.takeStock(rewardId, rid, clock.now())
      if (stock === 'out_of_stock') throw new AppError('REWARD_OUT_OF_STOCK', '已兑完 (out of stock)')
      if (stock !== 'taken') throw new AppError('REWARD_NOT_AVAILABLE', '该礼品已下架 (no longer available)')
      await step('stock-taken', r)
      await points.spend({
        profileId,
        amount: r.pointsCost,
        refKey: spendRefKey(rid),
        reason: `兑换「${r.rewardName}」`,
        source: { kind: 'redemption', id: rid },
      })
      await step('points-spent', r)
    } catch (e) {
      if (e instanceof AppError && REFUSALS.has(e.code)) return fail(r, owner, e)
      throw e
    }
    return issue(r, owner)
  }

  const resume = async (r: RedemptionDoc): Promise<RedemptionDoc> => {
    if (r.status === 'failing') return finishFail(r)
    if (r.status === 'cancelling') return finishCancel(r)
    if (r.status !== 'pending') return r
    const owner = randomUUID()
    const mine = await redemptions.takeLease(
      r._id.toHexString(),
      'pending',
      owner,
      clock.now(),
      later(leaseMs),
    )
    // Still leased: its first request is moving it; answer it as it is (pending).
    return mine ? advance(mine, owner) : r
  }

  const cancel = async (r: RedemptionDoc, by: Omit<RedemptionCancel, 'at'>): Promise<RedemptionDoc> => {
    if (r.status === 'cancelled' || r.status === 'expired') return r
    if (r.status === 'cancelling') return finishCancel(r)
    if (r.status !== 'issued')
      throw new AppError(
        'REDEMPTION_STATE',
        `A ${r.status === 'failing' ? 'failed' : r.status} redemption cannot be cancelled`,
      )
    const cancelling = await redemptions.markCancelling(r._id, { ...by, at: clock.now() }, later(leaseMs))
    if (!cancelling) {
      const now = await reload(r)
      if (now.status === 'issued') throw new Error('redemption cancel lost its guard but is still issued')
      return cancel(now, by)
    }
    await step('cancelling', cancelling)
    return finishCancel(cancelling)
  }

  const settle = async (r: RedemptionDoc): Promise<void> => {
    const { rid, rewardId } = ids(r)
    if (r.status === 'fulfilled') await rewards.dropHold(rewardId, rid)
    else await undo(r)
    await redemptions.markSettled(r._id, clock.now())
  }

  return {
    async start(input) {
      const owner = randomUUID()
      const now = clock.now()
      const { redemption, created } = await redemptions.insertPending({
        _id: new Types.ObjectId(),
        profileId: new Types.ObjectId(input.profileId),
        accountId: new Types.ObjectId(input.accountId),
        requestId: input.requestId,
        rewardId: input.reward._id,
        rewardName: input.reward.name,
        category: input.reward.category,
        pointsCost: input.reward.pointsCost,
        perPatientLimit: input.reward.perPatientLimit,
        leaseOwner: owner,
        leaseUntil: new Date(now.getTime() + leaseMs),
        createdAt: now,
      })
      if (!created) return { redemption: await resume(redemption), created }
      await step('created', redemption)
      return { redemption: await advance(redemption, owner), created }
    },
    resume,
    cancel,
    async fulfil(r, code, by) {
      const { rid, rewardId } = ids(r)
      if (r.code !== code) throw new AppError('REDEMPTION_NOT_FOUND', 'No redemption with this id and code')
      if (r.status === 'fulfilled') {
        await rewards.dropHold(rewardId, rid)
        return { redemption: r, changed: false }
      }
      const now = clock.now()
      if (r.status === 'issued' && r.expiresAt && r.expiresAt <= now)
        throw new AppError('REDEMPTION_STATE', 'This code has expired')
      if (r.status !== 'issued')
        throw new AppError(
          'REDEMPTION_STATE',
          `A ${r.status === 'cancelling' ? 'cancelled' : r.status} redemption cannot be fulfilled`,
        )
      const done = await redemptions.fulfil(r._id, code, by, now, later(2 * leaseMs))
      if (!done) {
        const cur = await reload(r)
        if (cur.status === 'fulfilled') return { redemption: cur, changed: false }
        throw new AppError('REDEMPTION_STATE', `A ${cur.status} redemption cannot be fulfilled`)
      }
      await rewards.dropHold(rewardId, rid)
      return { redemption: done, changed: true }
    },
    async repair() {
      const report: RepairReport = { resumed: 0, undone: 0, expired: 0, settled: 0, errors: 0 }
      const guarded = async (r: RedemptionDoc, what: string, fn: () => Promise<unknown>) => {
        try {
          await fn()
        } catch (err) {
          report.errors++
          logger.error(
            { err, redemptionId: r._id.toHexString() },
            `redemption ${what} failed; retried next run`,
          )
        }
      }
      const now = clock.now()
      for (const r of await redemptions.dueForRepair(now, BATCH)) {
        const status = r.status as 'pending' | 'failing' | 'cancelling'
        const owner = randomUUID()
        const mine = await redemptions.takeLease(r._id.toHexString(), status, owner, now, later(leaseMs))
        if (!mine) continue
        await guarded(mine, 'repair', async () => {
          if (status === 'pending') {
            await advance(mine, owner)
            report.resumed++
          } else {
            await (status === 'failing' ? finishFail(mine) : finishCancel(mine))
            report.undone++
          }
        })
      }
      for (const r of await redemptions.dueForExpiry(now, BATCH))
        await guarded(r, 'expiry', async () => {
          try {
            const done = await cancel(r, { kind: 'system', id: null, reason: '兑换码已过期', expired: true })
            if (done.status === 'expired') report.expired++
          } catch (e) {
            // fulfilled (or cancelled) in the meantime: nothing to expire
            if (!(e instanceof AppError && e.code === 'REDEMPTION_STATE')) throw e
          }
        })
      for (const r of await redemptions.dueForSettle(now, BATCH))
        await guarded(r, 'settle', async () => {
          await settle(r)
          report.settled++
        })
      return report
    },
  }
}
