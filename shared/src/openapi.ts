import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi'
import type { AnyZodObject } from 'zod'
import type { ApiRoute } from './api/route'
import { ERROR_STATUS, ErrorBody, type ErrorCode } from './errors'

const toOpenApiPath = (koaPath: string): string => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/** Builds the OpenAPI 3 document for the given routes from their zod schemas. */
export const buildOpenApiDocument = (
  routes: readonly ApiRoute[],
  info: { title: string; version: string; description?: string },
): ReturnType<OpenApiGeneratorV3['generateDocument']> => {
  const registry = new OpenAPIRegistry()
  registry.register('ErrorBody', ErrorBody)
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  })
  for (const r of routes) {
    const errorStatuses = new Map<number, string[]>()
    for (const code of r.errors ?? []) {
      const status = ERROR_STATUS[code as ErrorCode] ?? 500
      errorStatuses.set(status, [...(errorStatuses.get(status) ?? []), code])
    }
    const responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> =
      {
        [String(r.status ?? 200)]: {
          description: 'Success',
          content: { [r.contentType ?? 'application/json']: { schema: r.response } },
        },
      }
    for (const [status, codes] of errorStatuses) {
      responses[String(status)] = {
        description: codes.join(', '),
        content: { 'application/json': { schema: ErrorBody } },
      }
    }
    registry.registerPath({
      method: r.method,
      path: toOpenApiPath(r.path),
      operationId: r.id,
      summary: r.summary,
      description: r.roles ? `Roles: ${r.roles.join(', ')}` : undefined,
      tags: [r.tag],
      security: r.auth === 'public' ? [] : [{ [bearer.name]: [] }],
      ...(r.auth === 'service' ? { 'x-audience': 'service' } : {}),
      request: {
        ...(r.query ? { query: r.query as AnyZodObject } : {}),
        ...(r.params ? { params: r.params as AnyZodObject } : {}),
        ...(r.body ? { body: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      },
      // zod-to-openapi types `schema` as ZodType | SchemaObject; ours are zod types.
      responses: responses as Parameters<typeof registry.registerPath>[0]['responses'],
    })
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info,
  })
}
