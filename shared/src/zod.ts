import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi'
import { z } from 'zod'

// Every schema in shared/ is built from this `z`, extended once with `.openapi()` metadata so that
// the OpenAPI document is generated from the very schemas the server validates with.
extendZodWithOpenApi(z)

export { z }
