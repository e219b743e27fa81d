import type { SaveMembershipPlanRequest } from '@careloop/shared'
import type { Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { planModel, type PlanDoc } from './membership.model'

export type { PlanDoc }

/**
 * The hospital's default plans, created once (admins may edit or withdraw them; an edit is never
 * overwritten by the defaults).
 */
export const DEFAULT_PLANS: ({ code: string } & SaveMembershipPlanRequest)[] = [
  {
    code: 'monthly',
    name: '月度会员',
    period: 'month',
    priceFen: 2990,
    tier: 'gold',
    quotas: [{ kind: 'nurse_consult', perMonth: 2 }],
    benefits: '金卡会员：积分加速、消息优先回复；每月护士咨询 2 次',
    active: true,
    sort: 10,
  },
  {
    code: 'yearly',
    name: '年度会员',
    period: 'year',
    priceFen: 29900,
    tier: 'platinum',
    quotas: [{ kind: 'nurse_consult', perMonth: 3 }],
    benefits: '铂金会员：积分加速、消息优先回复；每月护士咨询 3 次',
    active: true,
    sort: 20,
  },
]

export interface PlanRepo {
  /** Creates the default plans that do not exist yet (idempotent, safe to race). */
  ensureDefaults(at: Date): Promise<void>
  list(filter: { activeOnly: boolean }): Promise<PlanDoc[]>
  findByCode(code: string): Promise<PlanDoc | null>
  /** Creates or replaces the plan `code`. */
  save(code: string, plan: SaveMembershipPlanRequest, at: Date): Promise<PlanDoc>
}

export const createPlanRepo = (conn: Connection): PlanRepo => {
  const P = planModel(conn)
  return {
    async ensureDefaults(at) {
      for (const { code, ...plan } of DEFAULT_PLANS) {
        try {
          await P.updateOne(
            { code },
            { $setOnInsert: { code, ...plan, createdAt: at, updatedAt: at } },
            { upsert: true },
          )
        } catch (e) {
          // Two processes seeding at once: the other one created it.
          if (!isDuplicateKey(e)) throw e
        }
      }
    },
    list: ({ activeOnly }) =>
      P.find(activeOnly ? { active: true } : {})
        .sort({ sort: 1, code: 1 })
        .lean<PlanDoc[]>(),
    findByCode: (code) => P.findOne({ code }).lean<PlanDoc>(),
    async save(code, plan, at) {
      for (let attempt = 0; ; attempt++) {
        try {
          const doc = await P.findOneAndUpdate(
            { code },
            { $set: { ...plan, updatedAt: at }, $setOnInsert: { code, createdAt: at } },
            { upsert: true, new: true },
          ).lean<PlanDoc>()
          if (!doc) throw new Error('plan upsert returned nothing')
          return doc
        } catch (e) {
          if (isDuplicateKey(e) && attempt === 0) continue
          throw e
        }
      }
    },
  }
}
