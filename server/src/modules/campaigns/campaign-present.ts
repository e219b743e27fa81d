import type { Campaign, CampaignRun } from '@careloop/shared'
import { formatLocal } from '../communities/zoned-time'
import type { CampaignDoc, CampaignRunDoc } from './campaign.model'

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

export const toCampaignRun = (r: CampaignRunDoc, timeZone: string): CampaignRun => ({
  id: r._id.toHexString(),
  campaignId: r.campaignId.toHexString(),
  slot: r.slot.toISOString(),
  slotLocal: formatLocal(r.slot, timeZone),
  state: r.state,
  progress: { materialised: r.materialised, total: r.total },
  startedAt: iso(r.startedAt),
  finishedAt: iso(r.finishedAt),
  failure: r.failure ? { code: r.failure.code, reason: r.failure.reason } : null,
  contentVersion: r.contentVersion,
})

export const toCampaign = (
  c: CampaignDoc,
  o: { lastRun: CampaignRunDoc | null; nextRunAt: Date | null; timeZone: string },
): Campaign => ({
  id: c._id.toHexString(),
  name: c.name,
  segment: {
    expression: c.segment.expression,
    segmentId: c.segment.segmentId?.toHexString() ?? null,
  },
  content:
    c.content.kind === 'article'
      ? { kind: 'article', articleId: c.content.articleId }
      : {
          kind: 'template',
          title: c.content.title,
          body: c.content.body,
          ...(c.content.page ? { page: c.content.page } : {}),
        },
  channels: c.channels,
  subscribeKind: c.channels.includes('subscribe') ? 'health_notice' : null,
  schedule:
    c.schedule.kind === 'now'
      ? { kind: 'now' }
      : c.schedule.kind === 'at'
        ? { kind: 'at', at: c.schedule.at!.toISOString() }
        : { kind: 'cron', cron: c.schedule.cron!, endAt: c.schedule.endAt!.toISOString() },
  goal: c.goal ? { event: c.goal.event, withinDays: c.goal.withinDays } : null,
  expiresAfterHours: c.expiresAfterHours,
  state: c.state,
  approvals: c.approvals.map((a) => ({
    by: a.by,
    at: a.at.toISOString(),
    decision: a.decision,
    comment: a.comment,
  })),
  createdBy: c.createdBy,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  nextRunAt: iso(o.nextRunAt),
  lastRun: o.lastRun ? toCampaignRun(o.lastRun, o.timeZone) : null,
})
