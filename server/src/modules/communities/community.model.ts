import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Communities (F10–F13). Documents are typed by hand (not InferSchemaType) to keep type-checking
 * cheap. Sync, join tickets and SOP claims are coordinated with single-document atomic updates
 * (guards, leases, unique keys): no multi-document transactions (architecture §5).
 */

export type CommunityStatusValue = 'active' | 'archived' | 'dismissed'

export interface CommunityDoc {
  _id: Types.ObjectId
  name: string
  description: string | null
  diseaseTagId: string
  ownerNurseId: Types.ObjectId
  chatId: string
  capacity: number
  status: CommunityStatusValue
  /** groupchat/get's name and owner userid, as last synced. */
  groupName: string | null
  groupOwnerUserId: string | null
  /** The member_version our membership rows reflect (fast path of change_external_chat, §3.7). */
  memberVersion: string | null
  lastSyncedAt: Date | null
  dismissedAt: Date | null
  /** Sync lease: one sync of a community at a time; `syncRequested` asks the holder to sync again. */
  syncLockUntil: Date
  syncLockOwner: string | null
  syncRequested: boolean
  createdBy: string | null
  createdAt: Date
  updatedAt: Date
}

const communitySchema = new Schema<CommunityDoc>(
  {
    name: { type: String, required: true },
    description: { type: String, default: null },
    diseaseTagId: { type: String, required: true },
    ownerNurseId: { type: Schema.Types.ObjectId, required: true },
    chatId: { type: String, required: true },
    capacity: { type: Number, required: true },
    status: { type: String, enum: ['active', 'archived', 'dismissed'], required: true },
    groupName: { type: String, default: null },
    groupOwnerUserId: { type: String, default: null },
    memberVersion: { type: String, default: null },
    lastSyncedAt: { type: Date, default: null },
    dismissedAt: { type: Date, default: null },
    syncLockUntil: { type: Date, default: () => new Date(0) },
    syncLockOwner: { type: String, default: null },
    syncRequested: { type: Boolean, default: false },
    createdBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'communities' },
)
// One community per WeCom group; events find their community by chat id (E11000 → COMMUNITY_CHAT_TAKEN).
communitySchema.index({ chatId: 1 }, { unique: true })
// A nurse's communities (console list, bot 群/待发).
communitySchema.index({ ownerNurseId: 1, status: 1 })
// Active communities (recommendations, reconciliation job).
communitySchema.index({ status: 1 })

export type MemberEndReason = 'left' | 'removed' | 'dismissed' | 'missing'
export type MembershipViaValue = 'ticket' | 'qr' | 'invite' | 'link' | 'unknown'

/** One stay of a member in a community's group: opened on join, closed on leave (history is kept). */
export interface MembershipDoc {
  _id: Types.ObjectId
  communityId: Types.ObjectId
  /** WeCom userid (staff) or external_userid (customer). */
  memberId: string
  /** The member's n-th stay in this community (unique with communityId + memberId). */
  seq: number
  memberType: 'staff' | 'customer'
  name: string | null
  patientId: Types.ObjectId | null
  /** The join QR's state the member came in with (an opaque ticket), if any. */
  state: string | null
  /** groupchat/get's join_scene: 1 invited, 2 link, 3 QR; 0 unknown. */
  joinScene: number
  via: MembershipViaValue
  invitor: string | null
  joinedAt: Date
  leftAt: Date | null
  /** change_external_chat QuitScene: 0 left, 1 removed; null when not known. */
  quitScene: number | null
  endReason: MemberEndReason | null
  /** joinedAt, then leftAt: orders the join/leave history. */
  lastEventAt: Date
  createdAt: Date
}

const membershipSchema = new Schema<MembershipDoc>(
  {
    communityId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: String, required: true },
    seq: { type: Number, required: true },
    memberType: { type: String, enum: ['staff', 'customer'], required: true },
    name: { type: String, default: null },
    patientId: { type: Schema.Types.ObjectId, default: null },
    state: { type: String, default: null },
    joinScene: { type: Number, default: 0 },
    via: { type: String, enum: ['ticket', 'qr', 'invite', 'link', 'unknown'], default: 'unknown' },
    invitor: { type: String, default: null },
    joinedAt: { type: Date, required: true },
    leftAt: { type: Date, default: null },
    quitScene: { type: Number, default: null },
    endReason: { type: String, enum: ['left', 'removed', 'dismissed', 'missing', null], default: null },
    lastEventAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'community_memberships' },
)
// A member's stays in a community; the unique key makes a racing second "open" fail instead of doubling.
membershipSchema.index({ communityId: 1, memberId: 1, seq: 1 }, { unique: true })
// Current members (leftAt null) and statistics by join / leave time.
membershipSchema.index({ communityId: 1, leftAt: 1 })
membershipSchema.index({ communityId: 1, joinedAt: 1 })
// The join/leave history, latest first.
membershipSchema.index({ communityId: 1, lastEventAt: -1 })
// A patient's communities (mini-program "joined", patient views, erasure).
membershipSchema.index({ patientId: 1 }, { sparse: true })

/** A patient profile's personal join QR for one community: `state` is the opaque ticket it carries. */
export interface JoinTicketDoc {
  _id: Types.ObjectId
  state: string
  communityId: Types.ObjectId
  patientId: Types.ObjectId
  configId: string | null
  qrCode: string | null
  /** Lease of the one request creating the join way. */
  creatingUntil: Date
  createdAt: Date
}

const joinTicketSchema = new Schema<JoinTicketDoc>(
  {
    state: { type: String, required: true },
    communityId: { type: Schema.Types.ObjectId, required: true },
    patientId: { type: Schema.Types.ObjectId, required: true },
    configId: { type: String, default: null },
    qrCode: { type: String, default: null },
    creatingUntil: { type: Date, default: () => new Date(0) },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'join_tickets' },
)
// patientOfState: a member's state → its ticket.
joinTicketSchema.index({ state: 1 }, { unique: true })
// One ticket (and so one join way) per community and profile, even under concurrent requests.
joinTicketSchema.index({ communityId: 1, patientId: 1 }, { unique: true })

export type SopStatusValue =
  | 'SCHEDULED'
  | 'CREATING'
  | 'PENDING_CONFIRMATION'
  | 'SENT'
  | 'FAILED'
  | 'CANCELLED'
  | 'EXPIRED'

export type EscalationState = 'sending' | 'sent' | 'no_recipient' | 'failed'

export interface SopItemDoc {
  _id: Types.ObjectId
  communityId: Types.ObjectId
  text: string
  sendAt: Date
  /** `YYYY-MM` of sendAt in the hospital zone: the month whose quota it uses. */
  month: string
  confirmHours: number
  status: SopStatusValue
  /** `<communityId>:<requestId>` when the client sent a request id (idempotent create). */
  dedupeKey?: string
  createdBy: string | null
  // creating the WeCom task
  leaseOwner: string | null
  leaseUntil: Date
  attempts: number
  sender: string | null
  /** WeCom's task id (unique: one item per task). */
  msgid?: string
  taskCreatedAt: Date | null
  deadline: Date | null
  nextPollAt: Date
  sentAt: Date | null
  escalationState: EscalationState | null
  escalationAt: Date | null
  escalatedTo: string[]
  failure: string | null
  cancelledAt: Date | null
  cancelledBy: string | null
  createdAt: Date
  updatedAt: Date
}

const sopItemSchema = new Schema<SopItemDoc>(
  {
    communityId: { type: Schema.Types.ObjectId, required: true },
    text: { type: String, required: true },
    sendAt: { type: Date, required: true },
    month: { type: String, required: true },
    confirmHours: { type: Number, required: true },
    status: {
      type: String,
      enum: ['SCHEDULED', 'CREATING', 'PENDING_CONFIRMATION', 'SENT', 'FAILED', 'CANCELLED', 'EXPIRED'],
      required: true,
    },
    dedupeKey: { type: String },
    createdBy: { type: String, default: null },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: () => new Date(0) },
    attempts: { type: Number, default: 0 },
    sender: { type: String, default: null },
    msgid: { type: String },
    taskCreatedAt: { type: Date, default: null },
    deadline: { type: Date, default: null },
    nextPollAt: { type: Date, default: () => new Date(0) },
    sentAt: { type: Date, default: null },
    escalationState: {
      type: String,
      enum: ['sending', 'sent', 'no_recipient', 'failed', null],
      default: null,
    },
    escalationAt: { type: Date, default: null },
    escalatedTo: { type: [String], default: [] },
    failure: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
    cancelledBy: { type: String, default: null },
  },
  { timestamps: true, collection: 'group_sop_items' },
)
// A community's items (console list).
sopItemSchema.index({ communityId: 1, sendAt: -1 })
// The tick: due SCHEDULED items, expired CREATING leases, PENDING_CONFIRMATION polls and deadlines.
sopItemSchema.index({ status: 1, sendAt: 1 })
sopItemSchema.index({ status: 1, leaseUntil: 1 })
sopItemSchema.index({ status: 1, nextPollAt: 1 })
// One item per WeCom task; adopting a task found by get_groupmsg_list_v2 cannot attach it twice.
sopItemSchema.index({ msgid: 1 }, { unique: true, sparse: true })
// Idempotent create with a client request id.
sopItemSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true })

/** Mass sends reserved for one group in one month (the cap is the month's number of days). */
export interface SendQuotaDoc {
  _id: Types.ObjectId
  communityId: Types.ObjectId
  month: string
  used: number
}

const sendQuotaSchema = new Schema<SendQuotaDoc>(
  {
    communityId: { type: Schema.Types.ObjectId, required: true },
    month: { type: String, required: true },
    used: { type: Number, required: true, default: 0 },
  },
  { collection: 'group_send_quotas', versionKey: false },
)
// The counter a reservation increments under a `used < cap` guard (a racing upsert hits E11000).
sendQuotaSchema.index({ communityId: 1, month: 1 }, { unique: true })

export const communityModel = (conn: Connection): Model<CommunityDoc> =>
  (conn.models.Community as Model<CommunityDoc> | undefined) ??
  conn.model<CommunityDoc>('Community', communitySchema)

export const membershipModel = (conn: Connection): Model<MembershipDoc> =>
  (conn.models.CommunityMembership as Model<MembershipDoc> | undefined) ??
  conn.model<MembershipDoc>('CommunityMembership', membershipSchema)

export const joinTicketModel = (conn: Connection): Model<JoinTicketDoc> =>
  (conn.models.JoinTicket as Model<JoinTicketDoc> | undefined) ??
  conn.model<JoinTicketDoc>('JoinTicket', joinTicketSchema)

export const sopItemModel = (conn: Connection): Model<SopItemDoc> =>
  (conn.models.GroupSopItem as Model<SopItemDoc> | undefined) ??
  conn.model<SopItemDoc>('GroupSopItem', sopItemSchema)

export const sendQuotaModel = (conn: Connection): Model<SendQuotaDoc> =>
  (conn.models.GroupSendQuota as Model<SendQuotaDoc> | undefined) ??
  conn.model<SendQuotaDoc>('GroupSendQuota', sendQuotaSchema)
