import type { Campaign, CampaignInput, z } from '@careloop/shared'
import { cronOf, helperOf, type CampaignChannel, type CronHelper, type GoalEvent } from './campaignText'
import { localInputValue } from './communityText'
import { localDay } from './followupText'

/** The campaign editor's form state, and the request it becomes (营销活动). */
export interface CampaignDraft {
  name: string
  audience: 'expression' | 'segment'
  expression: string
  segmentId: string
  contentKind: 'article' | 'template'
  articleId: string
  title: string
  body: string
  page: string
  /** Both channels in fallback order, each on or off. */
  channels: { channel: CampaignChannel; on: boolean }[]
  schedule: 'now' | 'at' | 'cron'
  /** datetime-local value (hospital time). */
  at: string
  cron: CronHelper
  /** YYYY-MM-DD: the last day a cron campaign runs. */
  endDate: string
  goalOn: boolean
  goalEvent: GoalEvent
  goalDays: string
  expiresAfterHours: string
}

const DAY = 86_400_000

export const draftOf = (c: Campaign | null, now = new Date()): CampaignDraft => {
  const s = c?.schedule
  const tomorrow9 = new Date(now.getTime() + DAY)
  tomorrow9.setHours(9, 0, 0, 0)
  const order: CampaignChannel[] = c ? [...c.channels] : ['subscribe', 'inbox']
  for (const ch of ['subscribe', 'inbox'] as const) if (!order.includes(ch)) order.push(ch)
  return {
    name: c?.name ?? '',
    audience: c?.segment.segmentId ? 'segment' : 'expression',
    expression: c?.segment.expression ?? '',
    segmentId: c?.segment.segmentId ?? '',
    contentKind: c?.content.kind ?? 'article',
    articleId: c?.content.kind === 'article' ? c.content.articleId : '',
    title: c?.content.kind === 'template' ? c.content.title : '',
    body: c?.content.kind === 'template' ? c.content.body : '',
    page: c?.content.kind === 'template' ? (c.content.page ?? '') : '',
    channels: order.map((channel) => ({ channel, on: c ? c.channels.includes(channel) : true })),
    schedule: s?.kind ?? 'now',
    at: s?.kind === 'at' ? localInputValue(new Date(s.at)) : localInputValue(tomorrow9),
    cron: s?.kind === 'cron' ? helperOf(s.cron) : helperOf('0 9 * * 1'),
    endDate: s?.kind === 'cron' ? localDay(new Date(s.endAt)) : localDay(new Date(now.getTime() + 56 * DAY)),
    goalOn: !!c?.goal,
    goalEvent: c?.goal?.event ?? 'article_read',
    goalDays: String(c?.goal?.withinDays ?? 7),
    expiresAfterHours: String(c?.expiresAfterHours ?? 24),
  }
}

type Issue = { path: string; message: string }

/** The request of the draft, or the problems found before asking the server (path → Chinese message). */
export const requestOf = (d: CampaignDraft): { body: z.input<typeof CampaignInput>; issues: Issue[] } => {
  const issues: Issue[] = []
  if (!d.name.trim()) issues.push({ path: 'name', message: '请填写活动名称' })
  if (d.audience === 'expression' && !d.expression.trim())
    issues.push({ path: 'segment.expression', message: '请填写分群表达式' })
  if (d.audience === 'segment' && !d.segmentId)
    issues.push({ path: 'segment.segmentId', message: '请选择一个已保存的分群' })
  if (d.contentKind === 'article' && !d.articleId)
    issues.push({ path: 'content.articleId', message: '请选择一篇已发布的文章' })
  if (d.contentKind === 'template') {
    if (!d.title.trim()) issues.push({ path: 'content.title', message: '请填写消息标题' })
    if (!d.body.trim()) issues.push({ path: 'content.body', message: '请填写消息内容' })
  }
  const channels = d.channels.filter((c) => c.on).map((c) => c.channel)
  if (channels.length === 0) issues.push({ path: 'channels', message: '请至少选择一个发送渠道' })
  if (d.schedule === 'at' && !d.at) issues.push({ path: 'schedule.at', message: '请选择发送时间' })
  if (d.schedule === 'cron') {
    if (!cronOf(d.cron)) issues.push({ path: 'schedule.cron', message: '请填写 cron 表达式' })
    if (!d.endDate) issues.push({ path: 'schedule.endAt', message: '请选择结束日期' })
  }
  const goalDays = Number(d.goalDays)
  if (d.goalOn && !(Number.isInteger(goalDays) && goalDays >= 1 && goalDays <= 90))
    issues.push({ path: 'goal.withinDays', message: '请填写 1–90 的整数天数' })
  const expires = Number(d.expiresAfterHours)
  if (!(Number.isInteger(expires) && expires >= 1 && expires <= 72))
    issues.push({ path: 'expiresAfterHours', message: '请填写 1–72 的整数小时' })

  const body: z.input<typeof CampaignInput> = {
    name: d.name.trim(),
    segment: d.audience === 'segment' ? { segmentId: d.segmentId } : { expression: d.expression.trim() },
    content:
      d.contentKind === 'article'
        ? { kind: 'article', articleId: d.articleId }
        : {
            kind: 'template',
            title: d.title.trim(),
            body: d.body.trim(),
            ...(d.page.trim() ? { page: d.page.trim().replace(/^\//, '') } : {}),
          },
    channels,
    schedule:
      d.schedule === 'now'
        ? { kind: 'now' }
        : d.schedule === 'at'
          ? { kind: 'at', at: d.at }
          : { kind: 'cron', cron: cronOf(d.cron), endAt: `${d.endDate}T23:59` },
    goal: d.goalOn ? { event: d.goalEvent, withinDays: goalDays } : null,
    expiresAfterHours: expires,
  }
  return { body, issues }
}
