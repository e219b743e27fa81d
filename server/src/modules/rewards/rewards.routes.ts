import type Router from '@koa/router'
import { rewardRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { RedemptionService } from './redemption.service'
import type { RewardService } from './reward.service'

export const mountRewardRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  rewards: RewardService,
  redemptions: RedemptionService,
): void => {
  const r = rewardRoutes
  mount(router, r.myRewards, guard, ({ principal, query }) => rewards.myList(patientOf(principal), query))
  mount(router, r.myReward, guard, ({ principal, params }) => rewards.myOne(patientOf(principal), params.id!))
  mount(router, r.redeemReward, guard, ({ principal, params, body }) =>
    redemptions.redeem(patientOf(principal), params.id!, body),
  )
  mount(router, r.myRedemptions, guard, ({ principal, query }) =>
    redemptions.mine(patientOf(principal), query),
  )
  mount(router, r.myRedemption, guard, ({ principal, params }) =>
    redemptions.myOne(patientOf(principal), params.id!),
  )
  mount(router, r.cancelMyRedemption, guard, ({ principal, params }) =>
    redemptions.cancelMine(patientOf(principal), params.id!),
  )
  mount(router, r.listRewards, guard, ({ principal, query }) => {
    staffOf(principal)
    return rewards.staffList(query)
  })
  mount(router, r.createReward, guard, ({ principal, body, ip, requestId }) =>
    rewards.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.updateReward, guard, ({ principal, params, body, ip, requestId }) =>
    rewards.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.restockReward, guard, ({ principal, params, body, ip, requestId }) =>
    rewards.restock(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.deactivateReward, guard, ({ principal, params, ip, requestId }) =>
    rewards.deactivate(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.listRedemptions, guard, ({ principal, query, ip, requestId }) =>
    redemptions.staffList(staffOf(principal), query, { ip, requestId }),
  )
  mount(router, r.fulfilRedemption, guard, ({ principal, params, body, ip, requestId }) =>
    redemptions.fulfil(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.cancelRedemption, guard, ({ principal, params, body, ip, requestId }) =>
    redemptions.staffCancel(staffOf(principal), params.id!, body, { ip, requestId }),
  )
}
