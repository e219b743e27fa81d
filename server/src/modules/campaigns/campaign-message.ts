import type { SubscribeTemplateConfig } from '../../config'
import type { ContentPort } from '../content/content.port'
import { formatLocal } from '../communities/zoned-time'
import type { OutboxContent } from '../push/outbox.model'
import type { PushMessage } from '../push/push.port'
import { buildSubscribeData } from '../push/subscribe.channel'
import type { CampaignDoc } from './campaign.model'

/** The push source kind of campaign messages; `groupId` is the run, `id` the campaign. */
export const CAMPAIGN_SOURCE = 'campaign'
/** The subscribe template kind campaign messages use. */
export const CAMPAIGN_SUBSCRIBE_KIND = 'health_notice' as const

/** What a run sends: the content resolved at run time. */
export interface ResolvedContent {
  title: string
  body: string
  /** Mini-program page (without the run id). */
  page: string | null
  /** The approved article version (article campaigns). */
  version: number | null
  /** Whether the page is an article page that reports reads with `campaignRunId`. */
  article: boolean
}

export type ContentResult =
  | { ok: true; content: ResolvedContent }
  | { ok: false; code: string; reason: string }

/** The campaign's content now: a template as written, an article at its approved version. */
export const resolveContent = async (c: CampaignDoc, content: ContentPort): Promise<ContentResult> => {
  if (c.content.kind === 'template')
    return {
      ok: true,
      content: {
        title: c.content.title,
        body: c.content.body,
        page: c.content.page,
        version: null,
        article: false,
      },
    }
  const a = await content.approvedVersion(c.content.articleId)
  if (!a)
    return {
      ok: false,
      code: 'CONTENT_NOT_APPROVED',
      reason: `article ${c.content.articleId} does not exist or has no approved version`,
    }
  return {
    ok: true,
    content: {
      title: a.title,
      body: a.summary.trim() || a.title,
      page: a.page,
      version: a.version,
      article: true,
    },
  }
}

const chars = (s: string, n: number): string => {
  const a = Array.from(s)
  return a.length > n ? `${a.slice(0, n - 1).join('')}…` : s
}

/** The article page carries the run id, so reads count as this run's opens and clicks. */
export const pageOf = (content: ResolvedContent, runId: string | null): string | null => {
  if (!content.page) return null
  if (!content.article || !runId) return content.page
  return `${content.page}${content.page.includes('?') ? '&' : '?'}campaignRunId=${runId}`
}

/** The outbox content of a run's messages (the same for every patient of the run). */
export const outboxContentOf = (
  content: ResolvedContent,
  runId: string | null,
  slot: Date,
  timeZone: string,
): OutboxContent => ({
  title: chars(content.title, 40),
  body: content.body,
  page: pageOf(content, runId),
  subscribe: {
    kind: CAMPAIGN_SUBSCRIBE_KIND,
    fields: {
      title: chars(content.title, 20),
      content: chars(content.body, 20),
      time: formatLocal(slot, timeZone),
    },
  },
})

/**
 * The per-patient message factory of one run: dedupe key `campaign:<runId>:<patientId>` (a restarted
 * or duplicated run enqueues nothing twice), purpose marketing, source grouped by run.
 */
export const runMessages = (o: {
  campaign: CampaignDoc
  runId: string
  slot: Date
  content: ResolvedContent
  timeZone: string
  now: Date
}): ((patientId: string) => PushMessage) => {
  const c = outboxContentOf(o.content, o.runId, o.slot, o.timeZone)
  const dueAt = o.slot.getTime() > o.now.getTime() ? o.slot : o.now
  const expiresAt = new Date(o.slot.getTime() + o.campaign.expiresAfterHours * 3_600_000)
  const channels = [...o.campaign.channels]
  const content: PushMessage['content'] = {
    title: c.title,
    body: c.body,
    ...(c.page ? { page: c.page } : {}),
    ...(channels.includes('subscribe') && c.subscribe ? { subscribe: c.subscribe } : {}),
  }
  const source = { kind: CAMPAIGN_SOURCE, id: o.campaign._id.toHexString(), groupId: o.runId }
  return (patientId) => ({
    dedupeKey: `campaign:${o.runId}:${patientId}`,
    purpose: 'marketing',
    dueAt,
    expiresAt,
    patientId,
    channels,
    content,
    source,
  })
}

/** The subscribe message as WeChat would receive it: fitted template keys, or the problem. */
export const renderSubscribe = (
  content: OutboxContent,
  template: SubscribeTemplateConfig | undefined,
): { templateId: string | null; data: Record<string, string> | null; problem: string | null } => {
  if (!template)
    return {
      templateId: null,
      data: null,
      problem: `no subscribe template is configured for ${CAMPAIGN_SUBSCRIBE_KIND}: the next channel delivers`,
    }
  const built = buildSubscribeData(content, template)
  if (!built.ok) return { templateId: template.templateId, data: null, problem: built.message }
  return {
    templateId: template.templateId,
    data: Object.fromEntries(Object.entries(built.data).map(([k, v]) => [k, v.value])),
    problem: null,
  }
}
