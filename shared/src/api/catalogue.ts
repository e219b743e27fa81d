import { authRoutes } from './auth'
import { patientRoutes } from './patient'
import { staffRoutes } from './staff'
import { segmentRoutes } from './segments'
import { tagRoutes } from './tags'
import { tagRuleRoutes } from './tag-rules'
import { patientEventRoutes } from './patient-events'
import { tagImportRoutes } from './tag-import'
import { wecomRoutes } from './wecom'
import { communityRoutes } from './communities'
import { pushRoutes } from './push'
import { followupRoutes } from './followup-routes'
import { taskRoutes } from './tasks'
import { questionnaireRoutes } from './questionnaires'
import { readingRoutes } from './readings'
import { rewardRoutes } from './rewards-routes'
import { pointsRoutes } from './points-routes'
import { membershipRoutes } from './membership'
import { campaignRoutes } from './campaign-routes'
import { contentRoutes } from './content-routes'
import type { ApiRoute } from './route'
import { systemRoutes } from './system'

/** Every HTTP route of the server. The OpenAPI document and the router are both built from this. */
export const apiRoutes = {
  ...systemRoutes,
  ...authRoutes,
  ...patientRoutes,
  ...staffRoutes,
  ...tagRoutes,
  ...tagRuleRoutes,
  ...patientEventRoutes,
  ...tagImportRoutes,
  ...segmentRoutes,
  ...wecomRoutes,
  ...communityRoutes,
  ...pushRoutes,
  ...followupRoutes,
  ...taskRoutes,
  ...questionnaireRoutes,
  ...readingRoutes,
  ...rewardRoutes,
  ...pointsRoutes,
  ...membershipRoutes,
  ...campaignRoutes,
  ...contentRoutes,
} satisfies Record<string, ApiRoute>
export type ApiRouteId = keyof typeof apiRoutes
