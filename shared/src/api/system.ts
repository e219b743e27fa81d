import { z } from '../zod'
import { defineRoute } from './route'

export const Health = z
  .object({ status: z.literal('ok'), uptimeSeconds: z.number().nonnegative(), version: z.string() })
  .openapi('Health')
export type Health = z.infer<typeof Health>

export const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: z.enum(['up', 'down']) }),
  })
  .openapi('Readiness')
export type Readiness = z.infer<typeof Readiness>

/**
 * What the h5/weapp client needs to know about this deployment. In `simulated` mode (local
 * development, demo, tests) it also learns where the platform simulators live, because the h5
 * platform adapter mints WeChat login codes from the simulator instead of from `wx.login`.
 */
export const ClientConfig = z
  .object({
    mode: z.enum(['simulated', 'production']),
    hospitalName: z.string(),
    simulators: z
      .object({
        wechat: z.string().url(),
        /** The WeCom simulator, when the server's WeCom client talks to a local one (h5 demo hooks). */
        wecom: z.string().url().optional(),
        /** The WeChat Pay simulator, when the server pays through a local one: h5 `requestPayment` pays there. */
        pay: z.string().url().optional(),
      })
      .optional(),
    /**
     * Subscribe-message templates by kind (push engine, F21): the ids to pass to
     * `requestSubscribeMessage` (≤3 per call, never one-time and long-term mixed).
     */
    subscribeTemplates: z.record(z.object({ templateId: z.string(), longTerm: z.boolean() })).optional(),
  })
  .openapi('ClientConfig')
export type ClientConfig = z.infer<typeof ClientConfig>

export const systemRoutes = {
  healthz: defineRoute({
    id: 'healthz',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is up',
    tag: 'system',
    auth: 'public',
    response: Health,
  }),
  readyz: defineRoute({
    id: 'readyz',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the database answers a ping (503 otherwise)',
    tag: 'system',
    auth: 'public',
    response: Readiness,
    errors: ['NOT_READY'],
  }),
  openapi: defineRoute({
    id: 'openapi',
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3 document',
    tag: 'system',
    auth: 'public',
    response: z.record(z.unknown()),
  }),
  clientConfig: defineRoute({
    id: 'clientConfig',
    method: 'get',
    path: '/api/v1/client-config',
    summary: 'Deployment facts the mini-program needs (mode, simulator URLs in simulated mode)',
    tag: 'system',
    auth: 'public',
    response: ClientConfig,
  }),
}
