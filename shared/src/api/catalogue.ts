import { authRoutes } from './auth'
import { patientRoutes } from './patient'
import { staffRoutes } from './staff'
import { segmentRoutes } from './segments'
import { tagRoutes } from './tags'
import { wecomRoutes } from './wecom'
import type { ApiRoute } from './route'
import { systemRoutes } from './system'

/** Every HTTP route of the server. The OpenAPI document and the router are both built from this. */
export const apiRoutes = {
  ...systemRoutes,
  ...authRoutes,
  ...patientRoutes,
  ...staffRoutes,
  ...tagRoutes,
  ...segmentRoutes,
  ...wecomRoutes,
} satisfies Record<string, ApiRoute>
export type ApiRouteId = keyof typeof apiRoutes
