import {
  AppError,
  type Campaign,
  type CampaignDecisionRequest,
  type CampaignInput,
  type CampaignPreviewResponse,
  type CampaignState,
  type CampaignsResponse,
} from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { SubscribeTemplateConfig } from '../../config'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { ContentPort } from '../content/content.port'
import type { SegmentService } from '../segments/segment.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { CampaignDoc } from './campaign.model'
import {
  CAMPAIGN_SUBSCRIBE_KIND,
  outboxContentOf,
  pageOf,
  renderSubscribe,
  resolveContent,
} from './campaign-message'
import { toCampaign } from './campaign-present'
import type { CampaignDraft, CampaignRepo } from './campaign.repo'
import type { CampaignRunRepo } from './campaign-run.repo'
import { slotStateOf, type SegmentExpressionOf } from './campaign-runner'
import { nextSlot, parseSchedule } from './campaign-schedule'

/**
 * Drafting, approval and preview of campaigns (F23). Marketers and admins draft and edit; a draft is
 * submitted; a head nurse or admin who neither wrote nor edited it approves (after the preview: the
 * audience count now and the message per channel) or rejects it back to draft with a comment.
 * Approving checks again what may have changed since the draft: the schedule is still ahead, the
 * segment still compiles, the article has an approved version.
 */
export interface CampaignService {
  list(q: { state?: CampaignState; limit: number }): Promise<CampaignsResponse>
  get(id: string): Promise<Campaign>
  create(p: StaffPrincipal, input: CampaignInput, meta: RequestMeta): Promise<Campaign>
  update(p: StaffPrincipal, id: string, input: CampaignInput, meta: RequestMeta): Promise<Campaign>
  submit(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<Campaign>
  decide(p: StaffPrincipal, id: string, d: CampaignDecisionRequest, meta: RequestMeta): Promise<Campaign>
  preview(p: StaffPrincipal, id: string, meta: RequestMeta): Promise<CampaignPreviewResponse>
}

export interface CampaignServiceDeps {
  campaigns: CampaignRepo
  runs: CampaignRunRepo
  segments: SegmentService
  savedSegments: () => Promise<{ _id: Types.ObjectId; expression: string }[]>
  expressionOf: SegmentExpressionOf
  content: ContentPort
  audit: AuditLog
  clock: Clock
  timeZone: string
  subscribeTemplates: Record<string, SubscribeTemplateConfig>
}

export const scheduleInvalid = (field: string, message: string): AppError =>
  new AppError('CAMPAIGN_SCHEDULE_INVALID', message, [{ path: field, message }])

export const notFound = (): AppError => new AppError('CAMPAIGN_NOT_FOUND', 'No such campaign')

export const stateError = (c: CampaignDoc, action: string): AppError =>
  new AppError('CAMPAIGN_STATE', `A ${c.state} campaign cannot be ${action}`, { state: c.state })

export const createCampaignService = (deps: CampaignServiceDeps): CampaignService => {
  const { campaigns, runs, clock, timeZone } = deps

  const present = async (c: CampaignDoc): Promise<Campaign> => {
    const [lastRun] = await runs.ofCampaign(c._id, 1)
    const live = c.state === 'approved' || c.state === 'running'
    return toCampaign(c, {
      lastRun: lastRun ?? null,
      nextRunAt: live ? nextSlot(slotStateOf(c), clock.now(), timeZone) : null,
      timeZone,
    })
  }

  const find = async (id: string): Promise<CampaignDoc> => {
    const c = await campaigns.findById(id)
    if (!c) throw notFound()
    return c
  }

  /** Input → stored draft: schedule in instants, the expression canonical, a saved segment that exists. */
  const toDraft = async (input: CampaignInput): Promise<CampaignDraft> => {
    const sch = parseSchedule(input.schedule, clock.now(), timeZone)
    if (!sch.ok) throw scheduleInvalid(sch.field, sch.message)
    let segment: CampaignDraft['segment']
    if ('expression' in input.segment) {
      const resolved = await deps.segments.resolve(input.segment.expression)
      segment = { expression: resolved.expression, segmentId: null }
    } else {
      const id = input.segment.segmentId
      if (!(await deps.savedSegments()).some((s) => s._id.toHexString() === id))
        throw new AppError('SEGMENT_INVALID', `no saved segment ${id}`, [
          { path: 'segment.segmentId', message: 'no such saved segment' },
        ])
      segment = { expression: null, segmentId: new Types.ObjectId(id) }
    }
    const s = sch.value
    return {
      name: input.name,
      segment,
      content:
        input.content.kind === 'article'
          ? { kind: 'article', articleId: input.content.articleId }
          : {
              kind: 'template',
              title: input.content.title,
              body: input.content.body,
              page: input.content.page ?? null,
            },
      channels: [...input.channels],
      schedule: {
        kind: s.kind,
        at: s.kind === 'at' ? s.at : null,
        cron: s.kind === 'cron' ? s.cron : null,
        endAt: s.kind === 'cron' ? s.endAt : null,
      },
      goal: input.goal ?? null,
      expiresAfterHours: input.expiresAfterHours,
    }
  }

  const record = (p: StaffPrincipal, action: string, c: CampaignDoc, meta: RequestMeta, detail = {}) =>
    deps.audit.record({
      actor: staffActor(p),
      action,
      detail: { campaignId: c._id.toHexString(), name: c.name, ...detail },
      ...meta,
    })

  /** What approval needs to hold now (it may have changed since the draft). */
  const checkApprovable = async (c: CampaignDoc): Promise<void> => {
    const now = clock.now()
    if (c.schedule.kind === 'at' && c.schedule.at!.getTime() <= now.getTime())
      throw scheduleInvalid('schedule.at', 'schedule.at has passed: edit the campaign and submit it again')
    if (c.schedule.kind === 'cron' && c.schedule.endAt!.getTime() <= now.getTime())
      throw scheduleInvalid(
        'schedule.endAt',
        'schedule.endAt has passed: edit the campaign and submit it again',
      )
    const expression = await deps.expressionOf(c)
    if (!expression) throw new AppError('SEGMENT_INVALID', 'the saved segment no longer exists')
    await deps.segments.resolve(expression)
    const content = await resolveContent(c, deps.content)
    if (!content.ok) throw new AppError('CAMPAIGN_CONTENT_NOT_APPROVED', content.reason)
  }

  const lastDecision = (c: CampaignDoc) =>
    [...c.approvals].reverse().find((a) => a.decision !== 'submit')?.decision ?? null

  return {
    async list(q) {
      const list = await campaigns.list(q)
      return { campaigns: await Promise.all(list.map(present)) }
    },

    get: async (id) => present(await find(id)),

    async create(p, input, meta) {
      const c = await campaigns.create(await toDraft(input), p.staffId, clock.now())
      await record(p, 'campaign.create', c, meta)
      return present(c)
    },

    async update(p, id, input, meta) {
      const before = await find(id)
      if (before.state !== 'draft') throw stateError(before, 'edited')
      const c = await campaigns.updateDraft(id, await toDraft(input), p.staffId, clock.now())
      if (!c) throw stateError(await find(id), 'edited')
      await record(p, 'campaign.update', c, meta)
      return present(c)
    },

    async submit(p, id, meta) {
      const now = clock.now()
      const moved = await campaigns.transition(id, ['draft'], 'pending_approval', now, {
        approval: { by: p.staffId, at: now, decision: 'submit', comment: null },
      })
      if (!moved) {
        const c = await find(id)
        if (c.state === 'pending_approval') return present(c) // a repeat
        throw stateError(c, 'submitted')
      }
      await record(p, 'campaign.submit', moved, meta)
      return present(moved)
    },

    async decide(p, id, d, meta) {
      const c = await find(id)
      if (c.editors.includes(p.staffId) || c.createdBy === p.staffId)
        throw new AppError(
          'CAMPAIGN_SELF_APPROVAL',
          'A campaign is approved by someone who did not write or edit it',
        )
      const now = clock.now()
      const approval = { by: p.staffId, at: now, decision: d.decision, comment: d.comment ?? null }
      if (c.state !== 'pending_approval') {
        // a repeat of the decision already taken answers the campaign as it is
        const repeat =
          d.decision === 'approve'
            ? c.state !== 'draft' && c.state !== 'cancelled' && lastDecision(c) === 'approve'
            : c.state === 'draft' && lastDecision(c) === 'reject'
        if (repeat) return present(c)
        throw stateError(c, d.decision === 'approve' ? 'approved' : 'rejected')
      }
      if (d.decision === 'approve') await checkApprovable(c)
      const moved =
        d.decision === 'approve'
          ? await campaigns.transition(id, ['pending_approval'], 'approved', now, {
              approval,
              set: { approvedAt: now, anchor: now },
            })
          : await campaigns.transition(id, ['pending_approval'], 'draft', now, { approval })
      if (!moved) throw stateError(await find(id), d.decision === 'approve' ? 'approved' : 'rejected')
      await record(p, `campaign.${d.decision}`, moved, meta, { comment: d.comment ?? null })
      return present(moved)
    },

    async preview(p, id, meta) {
      const c = await find(id)
      const expression = await deps.expressionOf(c)
      if (!expression) throw new AppError('SEGMENT_INVALID', 'the saved segment no longer exists')
      const segment = await deps.segments.resolve(expression)
      const audienceCount = await segment.count()
      const content = await resolveContent(c, deps.content)
      const now = clock.now()
      const live = c.state === 'approved' || c.state === 'running'
      const next = nextSlot({ ...slotStateOf(c), approvedAt: c.approvedAt ?? now }, now, timeZone)
      const channels: CampaignPreviewResponse['channels'] = []
      if (content.ok) {
        const slot = next ?? now
        const outbox = outboxContentOf(content.content, null, slot, timeZone)
        for (const ch of c.channels)
          channels.push(
            ch === 'subscribe'
              ? {
                  channel: 'subscribe',
                  kind: CAMPAIGN_SUBSCRIBE_KIND,
                  ...renderSubscribe(outbox, deps.subscribeTemplates[CAMPAIGN_SUBSCRIBE_KIND]),
                }
              : {
                  channel: 'inbox',
                  title: outbox.title,
                  body: outbox.body,
                  page: pageOf(content.content, null),
                },
          )
      }
      await record(p, 'campaign.preview', c, meta, { count: audienceCount })
      return {
        audienceCount,
        expression: segment.expression,
        content: content.ok
          ? { title: content.content.title, body: content.content.body, version: content.content.version }
          : null,
        contentProblem: content.ok ? null : content.reason,
        channels,
        nextRunAt: live || c.state === 'pending_approval' ? (next?.toISOString() ?? null) : null,
      }
    },
  }
}
