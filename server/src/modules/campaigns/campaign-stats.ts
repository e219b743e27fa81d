import type { CampaignStats } from '@careloop/shared'
import type { Connection, Types } from 'mongoose'
import type { CampaignReadStats, ContentPort } from '../content/content.port'
import { inboxModel } from '../push/inbox.model'
import { outboxModel } from '../push/outbox.model'
import type { CampaignDoc, CampaignRunDoc } from './campaign.model'
import { CAMPAIGN_SOURCE } from './campaign-message'
import { countConversions, goalSources } from './campaign-goals'

/**
 * Campaign statistics (F24), aggregated from the outbox by the run (`source.groupId`) — statistics
 * only, never on the send path. Definitions:
 * - targeted: rows materialised (one per patient of the segment at run time);
 * - skipped: rows the engine skipped on purpose, by reason (NO_CONSENT, FREQUENCY_CAP, EXPIRED …);
 * - fallbacks: channels passed over on the way to delivery, by reason (NO_SUBSCRIBE_CREDIT …);
 * - sent = delivered: WeChat accepted the subscribe message (it gives no delivery receipt) or the
 *   message was stored in the patient's inbox (message centre); by channel in deliveredByChannel;
 * - failed: permanent failures and dead letters, by reason;
 * - opened: distinct patients who read the inbox message or opened the article under this run;
 * - clicked: distinct patients who opened the article from the message (its link carries the run id);
 * - converted: distinct patients with the goal event within the goal's days after their message went out.
 */

const empty = (): CampaignStats => ({
  targeted: 0,
  skipped: {},
  fallbacks: {},
  sent: 0,
  delivered: 0,
  deliveredByChannel: {},
  failed: {},
  pending: 0,
  cancelled: 0,
  opened: 0,
  clicked: 0,
  converted: 0,
  funnel: [],
})

const add = (m: Record<string, number>, k: string, n: number): void => {
  m[k] = (m[k] ?? 0) + n
}

const withFunnel = (s: CampaignStats): CampaignStats => ({
  ...s,
  funnel: [
    { step: 'targeted', count: s.targeted },
    { step: 'delivered', count: s.delivered },
    { step: 'opened', count: s.opened },
    { step: 'clicked', count: s.clicked },
    { step: 'converted', count: s.converted },
  ],
})

const NO_READS = (runId: string): CampaignReadStats => ({
  campaignRunId: runId,
  openedProfiles: 0,
  completedProfiles: 0,
  readers: [],
})

export interface CampaignStatsService {
  ofRun(campaign: CampaignDoc, run: CampaignRunDoc): Promise<CampaignStats>
  /** Sums of several runs' statistics. */
  sum(all: CampaignStats[]): CampaignStats
}

export const createCampaignStats = (deps: { db: Connection; content: ContentPort }): CampaignStatsService => {
  const Outbox = outboxModel(deps.db)
  const Inbox = inboxModel(deps.db)
  const goals = goalSources(deps.db)
  const ofRunRows = (runId: string) => ({ 'source.kind': CAMPAIGN_SOURCE, 'source.groupId': runId })

  return {
    async ofRun(campaign, run) {
      const runId = run._id.toHexString()
      const match = ofRunRows(runId)
      const [groups, fallbacks, inboxRead, sentRows] = await Promise.all([
        Outbox.aggregate<{ _id: { status: string; code: string | null; channel: string | null }; n: number }>(
          [
            { $match: match },
            {
              $group: {
                _id: { status: '$status', code: '$outcome.code', channel: '$outcome.channel' },
                n: { $sum: 1 },
              },
            },
          ],
        ),
        // one count per row and reason, however often a retry fell back the same way
        Outbox.aggregate<{ _id: string | null; n: number }>([
          { $match: { ...match, 'history.result': 'fallback' } },
          { $unwind: '$history' },
          { $match: { 'history.result': 'fallback' } },
          { $group: { _id: { row: '$_id', code: '$history.code' } } },
          { $group: { _id: '$_id.code', n: { $sum: 1 } } },
        ]),
        Inbox.find(
          { dedupeKey: { $regex: `^campaign:${runId}:` }, readAt: { $ne: null } },
          { patientId: 1 },
        ).lean<{ patientId: Types.ObjectId }[]>(),
        campaign.goal
          ? Outbox.find({ ...match, status: 'sent' }, { patientId: 1, outcome: 1 }).lean<
              { patientId: Types.ObjectId | null; outcome: { at: Date } | null }[]
            >()
          : Promise.resolve([]),
      ])
      let readStats: CampaignReadStats | undefined
      const reads = async (): Promise<CampaignReadStats> =>
        (readStats ??=
          campaign.content.kind === 'article' ? await deps.content.readsForCampaign(runId) : NO_READS(runId))

      const s = empty()
      for (const g of groups) {
        const { status, code, channel } = g._id
        s.targeted += g.n
        if (status === 'sent') {
          s.sent += g.n
          s.delivered += g.n
          add(s.deliveredByChannel, channel ?? 'unknown', g.n)
        } else if (status === 'skipped') add(s.skipped, code ?? 'UNKNOWN', g.n)
        else if (status === 'failed' || status === 'dead') add(s.failed, code ?? 'UNKNOWN', g.n)
        else if (status === 'cancelled') s.cancelled += g.n
        else s.pending += g.n
      }
      for (const f of fallbacks) add(s.fallbacks, f._id ?? 'UNKNOWN', f.n)

      const readers = (await reads()).readers
      s.clicked = new Set(readers.map((r) => r.profileId)).size
      s.opened = new Set([
        ...inboxRead.map((r) => r.patientId.toHexString()),
        ...readers.map((r) => r.profileId),
      ]).size

      const sentAt = new Map<string, Date>()
      for (const r of sentRows)
        if (r.patientId && r.outcome?.at) sentAt.set(r.patientId.toHexString(), r.outcome.at)
      if (campaign.goal && sentAt.size) {
        let first = Infinity
        let last = -Infinity
        for (const d of sentAt.values()) {
          first = Math.min(first, d.getTime())
          last = Math.max(last, d.getTime())
        }
        const from = new Date(first)
        const to = new Date(last + campaign.goal.withinDays * 86_400_000)
        const hits = await goals[campaign.goal.event]({
          patientIds: sentRows.flatMap((r) => (r.patientId ? [r.patientId] : [])),
          from,
          to,
          reads,
        })
        s.converted = countConversions(sentAt, hits, campaign.goal.withinDays)
      }
      return withFunnel(s)
    },

    sum(all) {
      const t = empty()
      for (const s of all) {
        for (const k of [
          'targeted',
          'sent',
          'delivered',
          'pending',
          'cancelled',
          'opened',
          'clicked',
          'converted',
        ] as const)
          t[k] += s[k]
        for (const k of ['skipped', 'fallbacks', 'deliveredByChannel', 'failed'] as const)
          for (const [code, n] of Object.entries(s[k])) add(t[k], code, n)
      }
      return withFunnel(t)
    },
  }
}
