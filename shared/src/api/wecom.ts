import { z } from '../zod'
import { defineRoute } from './route'

/**
 * A WeCom customer-contact callback event (platform.md §3.7) as the bot forwards it to the server,
 * after verifying and decrypting it. Field names follow WeCom's XML element names, camel-cased.
 * `dedupeKey` is the bot's key of the delivery (§3.6: FromUserName + CreateTime + distinguishing
 * fields), so the server can make duplicate deliveries harmless.
 */
const Str = z.string().max(256)
export const WecomEventInput = z
  .object({
    dedupeKey: z.string().min(1).max(1024),
    event: z.enum(['change_external_contact', 'change_external_chat', 'change_external_tag']),
    changeType: z.string().min(1).max(64),
    /** Seconds since the epoch (WeCom's CreateTime). */
    createTime: z.number().int().nonnegative(),
    // change_external_contact
    userId: Str.optional(),
    externalUserId: Str.optional(),
    state: z.string().max(30).optional(),
    welcomeCode: Str.optional(),
    source: Str.optional(),
    failReason: Str.optional(),
    // change_external_chat
    chatId: Str.optional(),
    updateDetail: Str.optional(),
    joinScene: z.number().int().optional(),
    quitScene: z.number().int().optional(),
    memChangeCnt: z.number().int().optional(),
    memChangeList: z.array(Str).max(10_000).optional(),
    lastMemVer: Str.optional(),
    curMemVer: Str.optional(),
    // change_external_tag
    id: Str.optional(),
    tagType: z.enum(['tag', 'tag_group']).optional(),
    strategyId: Str.optional(),
  })
  .strict()
  .openapi('WecomEventInput')
export type WecomEventInput = z.infer<typeof WecomEventInput>

export const WecomEventResult = z
  .object({
    /** This delivery was already processed: nothing changed. */
    duplicate: z.boolean(),
    /** What the server did, for the bot's log. */
    outcome: z.string(),
  })
  .openapi('WecomEventResult')
export type WecomEventResult = z.infer<typeof WecomEventResult>

export const wecomRoutes = {
  serviceWecomEvent: defineRoute({
    id: 'serviceWecomEvent',
    method: 'post',
    path: '/api/v1/service/wecom/events',
    summary: 'For the WeCom bot: a verified customer-contact event (idempotent per dedupeKey)',
    tag: 'service',
    auth: 'service',
    body: WecomEventInput,
    response: WecomEventResult,
    errors: ['VALIDATION_FAILED', 'AUTH_TOKEN_INVALID', 'UPSTREAM_UNAVAILABLE'],
  }),
}
