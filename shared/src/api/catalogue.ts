import { authRoutes } from './auth'
import type { ApiRoute } from './route'
import { systemRoutes } from './system'

/** Every HTTP route of the server. The OpenAPI document and the router are both built from this. */
export const apiRoutes = { ...systemRoutes, ...authRoutes } satisfies Record<string, ApiRoute>
export type ApiRouteId = keyof typeof apiRoutes
