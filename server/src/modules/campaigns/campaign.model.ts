import type { CampaignState } from '@careloop/shared'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

export type CampaignContent =
  | { kind: 'article'; articleId: string }
  | { kind: 'template'; title: string; body: string; page: string | null }

export interface CampaignApprovalEntry {
  by: string
  at: Date
  decision: 'submit' | 'approve' | 'reject'
  comment: string | null
}

export interface CampaignScheduleDoc {
  kind: 'now' | 'at' | 'cron'
  at: Date | null
  cron: string | null
  endAt: Date | null
}

export type GoalEvent = 'community_joined' | 'membership_bought' | 'article_read'

/** A marketing campaign (`campaigns`, F23). */
export interface CampaignDoc {
  _id: Types.ObjectId
  name: string
  segment: { expression: string | null; segmentId: Types.ObjectId | null }
  content: CampaignContent
  channels: ('subscribe' | 'inbox')[]
  schedule: CampaignScheduleDoc
  goal: { event: GoalEvent; withinDays: number } | null
  expiresAfterHours: number
  state: CampaignState
  approvals: CampaignApprovalEntry[]
  createdBy: string
  /** Everyone who wrote it (author and editors): none of them may approve it. */
  editors: string[]
  approvedAt: Date | null
  /** Cron slots at or before this are not run (approval, resume). */
  anchor: Date | null
  /** The latest slot a run was created for. */
  lastSlotAt: Date | null
  /**
   * The state a pause came from, restored on resume (completed: every run materialised, rows may
   * still wait for quiet hours or the cap).
   */
  pausedFrom: 'approved' | 'running' | 'completed' | null
  createdAt: Date
  updatedAt: Date
}

const approvalSchema = new Schema<CampaignApprovalEntry>(
  {
    by: { type: String, required: true },
    at: { type: Date, required: true },
    decision: { type: String, enum: ['submit', 'approve', 'reject'], required: true },
    comment: { type: String, default: null },
  },
  { _id: false },
)

const campaignSchema = new Schema<CampaignDoc>(
  {
    name: { type: String, required: true },
    segment: {
      expression: { type: String, default: null },
      segmentId: { type: Schema.Types.ObjectId, default: null },
    },
    content: { type: Schema.Types.Mixed, required: true },
    channels: { type: [String], required: true },
    schedule: {
      kind: { type: String, enum: ['now', 'at', 'cron'], required: true },
      at: { type: Date, default: null },
      cron: { type: String, default: null },
      endAt: { type: Date, default: null },
    },
    goal: { type: Schema.Types.Mixed, default: null },
    expiresAfterHours: { type: Number, required: true },
    state: { type: String, required: true },
    approvals: { type: [approvalSchema], default: [] },
    createdBy: { type: String, required: true },
    editors: { type: [String], default: [] },
    approvedAt: { type: Date, default: null },
    anchor: { type: Date, default: null },
    lastSlotAt: { type: Date, default: null },
    pausedFrom: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'campaigns', versionKey: false },
)
// The tick: approved and running campaigns.
campaignSchema.index({ state: 1 })
// The console list, newest first (optionally by state).
campaignSchema.index({ createdAt: -1 })

export const campaignModel = (conn: Connection): Model<CampaignDoc> =>
  (conn.models.Campaign as Model<CampaignDoc> | undefined) ??
  conn.model<CampaignDoc>('Campaign', campaignSchema)

export type RunState = 'materialising' | 'paused' | 'materialised' | 'failed' | 'cancelled'

/**
 * One run of a campaign (`campaign_runs`): the materialisation of one slot. Unique per campaign and
 * slot, so every instance's tick may try to create it and only one insert wins. The instance that
 * materialises holds a lease (`owner`, `leaseUntil`), renewed with every batch; `cursor` is the last
 * patient id whose batch is in the outbox, so a run whose instance died is resumed there by another.
 */
export interface CampaignRunDoc {
  _id: Types.ObjectId
  campaignId: Types.ObjectId
  slot: Date
  state: RunState
  owner: string | null
  leaseUntil: Date | null
  cursor: string | null
  /** Patients handed to the outbox (new rows and rows already there). */
  materialised: number
  /** Rows the outbox took as new. */
  created: number
  /** The segment's count when materialisation started. */
  total: number | null
  contentVersion: number | null
  startedAt: Date | null
  finishedAt: Date | null
  failure: { code: string; reason: string } | null
  createdAt: Date
  updatedAt: Date
}

const runSchema = new Schema<CampaignRunDoc>(
  {
    campaignId: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Date, required: true },
    state: { type: String, required: true },
    owner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    cursor: { type: String, default: null },
    materialised: { type: Number, default: 0 },
    created: { type: Number, default: 0 },
    total: { type: Number, default: null },
    contentVersion: { type: Number, default: null },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    failure: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'campaign_runs', versionKey: false },
)
// Once per slot, across instances: the insert of a due run is the election.
runSchema.index({ campaignId: 1, slot: 1 }, { unique: true })
// The tick: runs still materialising whose lease is free or expired.
runSchema.index({ state: 1, leaseUntil: 1 })

export const campaignRunModel = (conn: Connection): Model<CampaignRunDoc> =>
  (conn.models.CampaignRun as Model<CampaignRunDoc> | undefined) ??
  conn.model<CampaignRunDoc>('CampaignRun', runSchema)
