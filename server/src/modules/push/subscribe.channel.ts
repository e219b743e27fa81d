import { fitSubscribeValue, subscribeKeyType, validateSubscribeData } from '@careloop/shared'
import type { SubscribeTemplateConfig } from '../../config'
import type { Channel, SubscribeSender } from './push-channels'
import type { OutboxContent } from './outbox.model'
import type { SubscribeCreditRepo } from './subscribe-credit.repo'

/**
 * WeChat subscribe message (platform §2, F21). Before anything is sent:
 * 1. the template of `content.subscribe.kind` (config) and the patient's openid must exist;
 * 2. the template's keys are filled from the semantic fields, fitted (`fitSubscribeValue`) and
 *    validated like WeChat does (`validateSubscribeData`): a value that cannot be made valid means
 *    this channel is unusable for the row (reason naming the key) and the next channel takes it, so
 *    47003 never reaches WeChat and the patient still gets the message (e.g. in the inbox);
 * 3. a credit is reserved (one-time) or `subscribed` checked (long-term); none → the next channel
 *    with reason NO_SUBSCRIBE_CREDIT.
 * Settling (platform §2.6): success keeps the credit spent; 43101 sets the ledger to 0 / not
 * subscribed (WeChat knows better) and falls back; anything else gives the credit back (a retry will
 * reserve again; a permanent failure must not eat the user's permission).
 */

/** The value of a semantic field, with the message's title and body standing in for the usual ones. */
const semanticValue = (content: OutboxContent, semantic: string): string | undefined => {
  const given = content.subscribe?.fields[semantic]
  if (given !== undefined) return given
  if (semantic === 'title') return content.title
  if (semantic === 'note' || semantic === 'content') return content.body
  return undefined
}

/** The template's `data`, fitted; or the first key that cannot be made valid. */
export const buildSubscribeData = (
  content: OutboxContent,
  template: SubscribeTemplateConfig,
): { ok: true; data: Record<string, { value: string }> } | { ok: false; field: string; message: string } => {
  const data: Record<string, { value: string }> = {}
  for (const [semantic, key] of Object.entries(template.fields)) {
    const raw = semanticValue(content, semantic) ?? ''
    const type = subscribeKeyType(key)
    data[key] = { value: (type && fitSubscribeValue(type, raw)) ?? raw }
  }
  const check = validateSubscribeData(data, { keys: Object.values(template.fields) })
  return check.ok ? { ok: true, data } : check
}

export const subscribeChannel = (o: {
  wechat: SubscribeSender | undefined
  templates: Record<string, SubscribeTemplateConfig>
  credits: SubscribeCreditRepo
}): Channel => ({
  name: 'subscribe',
  recorded: true,
  async prepare({ row, account, now }) {
    const wechat = o.wechat
    const sub = row.content.subscribe
    if (!wechat) return { kind: 'unavailable', code: 'WECHAT_NOT_CONFIGURED', reason: 'no WeChat client' }
    if (!sub)
      return {
        kind: 'unavailable',
        code: 'NO_SUBSCRIBE_CONTENT',
        reason: 'the message has no subscribe template',
      }
    if (!account)
      return { kind: 'unavailable', code: 'NO_OPENID', reason: 'the patient has no WeChat account' }
    const template = o.templates[sub.kind]
    // Our own data or mapping cannot fill the template: WeChat is never asked (no 47003), and the
    // message still reaches the patient through the next channel; the reason names the key.
    if (!template)
      return {
        kind: 'unavailable',
        code: 'SUBSCRIBE_TEMPLATE_UNKNOWN',
        reason: `no template is configured for ${sub.kind}`,
      }
    const built = buildSubscribeData(row.content, template)
    if (!built.ok) return { kind: 'unavailable', code: 'SUBSCRIBE_DATA_INVALID', reason: built.message }
    const { openid } = account
    const { templateId, longTerm } = template
    if (!(await o.credits.reserve(openid, templateId, longTerm)))
      return {
        kind: 'unavailable',
        code: 'NO_SUBSCRIBE_CREDIT',
        reason: longTerm ? 'the user has not subscribed to this template' : 'no subscribe credit left',
      }
    return {
      kind: 'ready',
      async send() {
        const r = await wechat.sendSubscribeMessage({
          touser: openid,
          templateId,
          ...(row.content.page ? { page: row.content.page } : {}),
          data: built.data,
        })
        return { msgid: r.msgid ?? null }
      },
      async settle(verdict) {
        if (!verdict) return
        if (verdict.kind === 'fallback') await o.credits.exhaust(openid, templateId, longTerm, now)
        else await o.credits.refund(openid, templateId, longTerm)
      },
    }
  },
})
