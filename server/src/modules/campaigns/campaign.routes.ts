import type Router from '@koa/router'
import { campaignRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, staffOf } from '../../http/mount'
import type { CampaignControl } from './campaign-control.service'
import type { CampaignService } from './campaign.service'

export const mountCampaignRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: { campaigns: CampaignService; control: CampaignControl },
): void => {
  const r = campaignRoutes
  const { campaigns, control } = s
  mount(router, r.listCampaigns, guard, ({ query }) => campaigns.list(query))
  mount(router, r.createCampaign, guard, async ({ principal, body, ip, requestId }) => ({
    campaign: await campaigns.create(staffOf(principal), body, { ip, requestId }),
  }))
  mount(router, r.getCampaign, guard, async ({ params }) => ({ campaign: await campaigns.get(params.id!) }))
  mount(router, r.updateCampaign, guard, async ({ principal, params, body, ip, requestId }) => ({
    campaign: await campaigns.update(staffOf(principal), params.id!, body, { ip, requestId }),
  }))
  mount(router, r.submitCampaign, guard, async ({ principal, params, ip, requestId }) => ({
    campaign: await campaigns.submit(staffOf(principal), params.id!, { ip, requestId }),
  }))
  mount(router, r.decideCampaign, guard, async ({ principal, params, body, ip, requestId }) => ({
    campaign: await campaigns.decide(staffOf(principal), params.id!, body, { ip, requestId }),
  }))
  mount(router, r.previewCampaign, guard, ({ principal, params, ip, requestId }) =>
    campaigns.preview(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.pauseCampaign, guard, async ({ principal, params, ip, requestId }) => ({
    campaign: await control.pause(staffOf(principal), params.id!, { ip, requestId }),
  }))
  mount(router, r.resumeCampaign, guard, async ({ principal, params, ip, requestId }) => ({
    campaign: await control.resume(staffOf(principal), params.id!, { ip, requestId }),
  }))
  mount(router, r.cancelCampaign, guard, async ({ principal, params, ip, requestId }) => ({
    campaign: await control.cancel(staffOf(principal), params.id!, { ip, requestId }),
  }))
  mount(router, r.campaignStats, guard, ({ params }) => control.stats(params.id!))
  mount(router, r.getCampaignRun, guard, ({ params }) => control.run(params.id!, params.runId!))
}
