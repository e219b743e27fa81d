import type Router from '@koa/router'
import { communityRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { CommunityBotService } from './community-bot.service'
import type { CommunityService } from './community.service'
import type { GroupSopService } from './group-sop.service'

export const mountCommunityRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: { communities: CommunityService; sop: GroupSopService; bot: CommunityBotService | undefined },
): void => {
  const r = communityRoutes
  const { communities, sop } = s
  mount(router, r.listCommunities, guard, ({ principal }) => communities.list(staffOf(principal)))
  mount(router, r.getCommunity, guard, ({ principal, params, ip, requestId }) =>
    communities.get(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.createCommunity, guard, ({ principal, body, ip, requestId }) =>
    communities.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.updateCommunity, guard, ({ principal, params, body, ip, requestId }) =>
    communities.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.listWecomGroups, guard, ({ principal, query }) =>
    communities.wecomGroups(staffOf(principal), query.ownerNurseId),
  )
  mount(router, r.listGroupSop, guard, ({ principal, params }) => sop.list(staffOf(principal), params.id!))
  mount(router, r.createGroupSop, guard, ({ principal, params, body, ip, requestId }) =>
    sop.create(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.cancelGroupSop, guard, ({ principal, params, ip, requestId }) =>
    sop.cancel(staffOf(principal), params.id!, params.itemId!, { ip, requestId }),
  )
  mount(router, r.pendingGroupSends, guard, ({ principal, query }) =>
    sop.pending(staffOf(principal), query.nurseId),
  )
  mount(router, r.myCommunities, guard, ({ principal }) =>
    communities.myCommunities(patientOf(principal).profileId),
  )
  mount(router, r.communityJoinQr, guard, ({ principal, params }) =>
    communities.joinQr(patientOf(principal).profileId, params.communityId!),
  )
  const bot = (): CommunityBotService => {
    if (!s.bot) throw new Error('the community bot service is not wired')
    return s.bot
  }
  mount(router, r.serviceNurseCommunities, guard, ({ params }) => bot().nurseCommunities(params.userid!))
  mount(router, r.serviceNursePendingSends, guard, ({ params }) => bot().nursePendingSends(params.userid!))
  mount(router, r.servicePatientTag, guard, ({ params, body, ip, requestId }) =>
    bot().patientTag(params.userid!, body, { ip, requestId }),
  )
}
