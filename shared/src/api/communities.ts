import { z } from '../zod'
import { GENDERS, MaskedPhone, ObjectIdString } from './auth'
import { defineRoute } from './route'
import { WecomUserId } from './staff'

/**
 * Disease-group communities (F10–F13): a community is one WeCom customer group (`chatId`) run by an
 * owner nurse for one disease tag. Patients join by a personal join-way QR (F11); membership is
 * synced from WeCom events and `groupchat/get` (F12); group SOP items become mass-send tasks the
 * owner confirms in WeCom, within the monthly cap (F13).
 *
 * Who may do what:
 * - head_nurse, admin: manage communities (create, update, pick WeCom groups) and every SOP item.
 * - nurse: sees and runs her own communities (those she owns): details, members, SOP.
 * - marketer: read-only statistics (list and detail without the member list); no SOP.
 */

/** WeCom allows 200 members in a customer group that patients join by QR. */
export const COMMUNITY_MAX_CAPACITY = 200
/** `add_msg_template` text limit (platform §4.4). */
export const GROUP_SOP_TEXT_MAX_BYTES = 4000
export const GROUP_SOP_DEFAULT_CONFIRM_HOURS = 24

export const COMMUNITY_STATUSES = ['active', 'archived', 'dismissed'] as const
/** `dismissed`: the WeCom group was dismissed (terminal); `archived`: hidden by staff (reversible). */
export const CommunityStatus = z.enum(COMMUNITY_STATUSES)
export type CommunityStatus = z.infer<typeof CommunityStatus>

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length

/** This month's (or another month's) mass sends to one group: WeCom allows as many as the month has days. */
export const GroupSendQuota = z
  .object({
    /** `YYYY-MM` in the hospital's zone. */
    month: z.string().regex(/^\d{4}-\d{2}$/),
    used: z.number().int().nonnegative(),
    cap: z.number().int().positive(),
    remaining: z.number().int().nonnegative(),
  })
  .openapi('GroupSendQuota')
export type GroupSendQuota = z.infer<typeof GroupSendQuota>

export const CommunityStats = z
  .object({
    /** Everyone in the WeCom group now, staff included (what the capacity counts). */
    membersNow: z.number().int().nonnegative(),
    /** External contacts (customers) in the group now. */
    customersNow: z.number().int().nonnegative(),
    /** Customers now in the group who are linked to a patient profile. */
    patientsLinked: z.number().int().nonnegative(),
    /** Customers who joined / left in the last 7 and 30 days. */
    joined7d: z.number().int().nonnegative(),
    left7d: z.number().int().nonnegative(),
    joined30d: z.number().int().nonnegative(),
    left30d: z.number().int().nonnegative(),
    capacity: z.number().int().positive(),
    /** membersNow / capacity, in percent (rounded). */
    capacityUsePercent: z.number().int().nonnegative(),
    full: z.boolean(),
    sendsThisMonth: GroupSendQuota,
    /** Mass-send tasks waiting for the owner's confirmation in WeCom. */
    pendingSends: z.number().int().nonnegative(),
  })
  .openapi('CommunityStats')
export type CommunityStats = z.infer<typeof CommunityStats>

export const Community = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    description: z.string().nullable(),
    /** The disease tag joiners receive; name null when the tag no longer exists. */
    diseaseTag: z.object({ id: ObjectIdString, name: z.string().nullable() }),
    ownerNurse: z.object({
      id: ObjectIdString,
      name: z.string().nullable(),
      wecomUserId: z.string().nullable(),
    }),
    chatId: z.string(),
    /** The group's name and owner in WeCom, as last synced. */
    groupName: z.string().nullable(),
    groupOwnerUserId: z.string().nullable(),
    capacity: z.number().int().positive(),
    status: CommunityStatus,
    lastSyncedAt: z.string().datetime().nullable(),
    createdAt: z.string().datetime(),
    stats: CommunityStats,
  })
  .openapi('Community')
export type Community = z.infer<typeof Community>

export const CommunitiesResponse = z
  .object({ communities: z.array(Community) })
  .openapi('CommunitiesResponse')
export type CommunitiesResponse = z.infer<typeof CommunitiesResponse>

/**
 * How a member came in. `ticket`: scanned a patient's personal join QR (its `state` named the
 * profile); `qr`: another QR code; `invite` / `link`: invited by a member or by link.
 */
export const MembershipVia = z.enum(['ticket', 'qr', 'invite', 'link', 'unknown'])

/** One stay of a member in the group (join → leave); a member who leaves and rejoins has two. */
export const CommunityMembership = z
  .object({
    memberType: z.enum(['staff', 'customer']),
    /** The WeCom display name. */
    name: z.string().nullable(),
    patientId: ObjectIdString.nullable(),
    patientName: z.string().nullable(),
    via: MembershipVia,
    invitor: z.string().nullable(),
    joinedAt: z.string().datetime(),
    leftAt: z.string().datetime().nullable(),
    /** Why the stay ended: left by themselves, removed, group dismissed, or found missing by a re-read. */
    endReason: z.enum(['left', 'removed', 'dismissed', 'missing']).nullable(),
  })
  .openapi('CommunityMembership')
export type CommunityMembership = z.infer<typeof CommunityMembership>

export const CommunityDetail = z
  .object({
    community: Community,
    /** Current members (null for marketers: aggregates only). */
    members: z.array(CommunityMembership).nullable(),
    /** The 50 latest joins and leaves (null for marketers). */
    history: z.array(CommunityMembership).nullable(),
  })
  .openapi('CommunityDetail')
export type CommunityDetail = z.infer<typeof CommunityDetail>

const CommunityName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name must not be empty')
  .max(40, 'name must be at most 40 characters')
const Description = z.string().trim().max(200, 'description must be at most 200 characters').nullable()
const Capacity = z
  .number()
  .int()
  .min(1, 'capacity must be at least 1')
  .max(COMMUNITY_MAX_CAPACITY, `capacity must be at most ${COMMUNITY_MAX_CAPACITY}`)

export const CreateCommunityRequest = z
  .object({
    name: CommunityName,
    description: Description.optional(),
    diseaseTagId: ObjectIdString,
    ownerNurseId: ObjectIdString,
    /** A customer group the owner created in WeCom (pick it from `listWecomGroups`). */
    chatId: z.string({ required_error: 'chatId is required' }).trim().min(1).max(128),
    capacity: Capacity.default(COMMUNITY_MAX_CAPACITY),
  })
  .strict()
  .openapi('CreateCommunityRequest')
export type CreateCommunityRequest = z.infer<typeof CreateCommunityRequest>

export const UpdateCommunityRequest = z
  .object({
    name: CommunityName.optional(),
    description: Description.optional(),
    diseaseTagId: ObjectIdString.optional(),
    ownerNurseId: ObjectIdString.optional(),
    capacity: Capacity.optional(),
    /** Archive (hide, no new joins or sends) or reactivate; a dismissed group cannot come back. */
    status: z.enum(['active', 'archived']).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field is required')
  .openapi('UpdateCommunityRequest')
export type UpdateCommunityRequest = z.infer<typeof UpdateCommunityRequest>

export const WecomGroupsQuery = z.object({ ownerNurseId: ObjectIdString }).strict()

export const WecomGroup = z
  .object({
    chatId: z.string(),
    name: z.string(),
    memberCount: z.number().int().nonnegative(),
    /** groupchat/list status: 0 normal, 1 owner left, 2 inheriting, 3 inherited. */
    status: z.number().int(),
    /** The community already linked to this group, if any. */
    communityId: ObjectIdString.nullable(),
  })
  .openapi('WecomGroup')

export const WecomGroupsResponse = z
  .object({
    ownerNurse: z.object({ id: ObjectIdString, name: z.string(), wecomUserId: z.string() }),
    groups: z.array(WecomGroup),
  })
  .openapi('WecomGroupsResponse')
export type WecomGroupsResponse = z.infer<typeof WecomGroupsResponse>

// ---- patients (F11) ----

export const MyCommunity = z
  .object({
    id: ObjectIdString,
    name: z.string(),
    description: z.string().nullable(),
    diseaseTagName: z.string().nullable(),
    /** The nurse who runs the group (her name only: patients see who looks after them). */
    ownerNurseName: z.string().nullable(),
    memberCount: z.number().int().nonnegative(),
    capacity: z.number().int().positive(),
    full: z.boolean(),
    /** The active profile is in the group now. */
    joined: z.boolean(),
    /** The community's disease tag is one of the active profile's tags. */
    matchesMyTags: z.boolean(),
    /** Not joined and not full: the mini-program may offer the join QR. */
    joinable: z.boolean(),
  })
  .openapi('MyCommunity')
export type MyCommunity = z.infer<typeof MyCommunity>

export const MyCommunitiesResponse = z
  .object({
    /** Matching the profile's tags first, then the others; full ones are never joinable. */
    communities: z.array(MyCommunity),
  })
  .openapi('MyCommunitiesResponse')
export type MyCommunitiesResponse = z.infer<typeof MyCommunitiesResponse>

export const JoinQrResponse = z
  .object({
    communityId: ObjectIdString,
    /** An image URL: show it as is (a PNG with the simulator). */
    qrCodeUrl: z.string(),
    /** Join-way QR codes do not expire; null. */
    expiresAt: z.string().datetime().nullable(),
    /** The opaque ticket the QR carries (≤30 chars, no personal data). */
    state: z.string().max(30),
    joined: z.boolean(),
  })
  .openapi('JoinQrResponse')
export type JoinQrResponse = z.infer<typeof JoinQrResponse>

// ---- group SOP (F13) ----

export const GROUP_SOP_STATUSES = [
  'SCHEDULED',
  'CREATING',
  'PENDING_CONFIRMATION',
  'SENT',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
] as const
export const GroupSopStatus = z.enum(GROUP_SOP_STATUSES)
export type GroupSopStatus = z.infer<typeof GroupSopStatus>

/** `2026-05-03T09:00` (hospital zone) or an ISO instant with offset (`2026-05-03T01:00:00Z`). */
export const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/
export const SendAt = z
  .string({ required_error: 'sendAt is required' })
  .trim()
  .refine(
    (v) => LOCAL_DATETIME.test(v) || z.string().datetime({ offset: true }).safeParse(v).success,
    'sendAt must be YYYY-MM-DDTHH:mm (hospital time) or an ISO date-time with offset',
  )

export const CreateGroupSopRequest = z
  .object({
    text: z
      .string({ required_error: 'text is required' })
      .trim()
      .min(1, 'text must not be empty')
      .refine(
        (v) => utf8Bytes(v) <= GROUP_SOP_TEXT_MAX_BYTES,
        `text must be at most ${GROUP_SOP_TEXT_MAX_BYTES} bytes (UTF-8)`,
      ),
    sendAt: SendAt,
    /** Hours the owner has to confirm the task in WeCom before the head nurse is told (default 24). */
    confirmHours: z.number().int().min(1).max(168).default(GROUP_SOP_DEFAULT_CONFIRM_HOURS),
    /** Optional client key: repeating a request with the same key returns the first item. */
    requestId: z.string().trim().min(1).max(64).optional(),
  })
  .strict()
  .openapi('CreateGroupSopRequest')
export type CreateGroupSopRequest = z.infer<typeof CreateGroupSopRequest>

export const GroupSopItem = z
  .object({
    id: ObjectIdString,
    communityId: ObjectIdString,
    communityName: z.string(),
    text: z.string(),
    sendAt: z.string().datetime(),
    /** sendAt in the hospital's zone, `YYYY-MM-DD HH:mm`. */
    sendAtLocal: z.string(),
    confirmHours: z.number().int(),
    status: GroupSopStatus,
    /** WeCom's task id once created. */
    msgid: z.string().nullable(),
    taskCreatedAt: z.string().datetime().nullable(),
    /** Confirm by then, or the head nurse is told. */
    deadline: z.string().datetime().nullable(),
    sentAt: z.string().datetime().nullable(),
    escalatedAt: z.string().datetime().nullable(),
    failure: z.string().nullable(),
    createdBy: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('GroupSopItem')
export type GroupSopItem = z.infer<typeof GroupSopItem>

export const GroupSopListResponse = z
  .object({
    items: z.array(GroupSopItem),
    /** Mass sends to this group this month and next (shown before scheduling). */
    quota: GroupSendQuota,
    nextMonthQuota: GroupSendQuota,
  })
  .openapi('GroupSopListResponse')
export type GroupSopListResponse = z.infer<typeof GroupSopListResponse>

export const GroupSopItemResponse = z
  .object({ item: GroupSopItem, quota: GroupSendQuota })
  .openapi('GroupSopItemResponse')
export type GroupSopItemResponse = z.infer<typeof GroupSopItemResponse>

export const GroupSopParams = z.object({ id: ObjectIdString, itemId: ObjectIdString })

export const PendingGroupSend = z
  .object({
    itemId: ObjectIdString,
    communityId: ObjectIdString,
    communityName: z.string(),
    chatId: z.string(),
    text: z.string(),
    msgid: z.string(),
    ownerNurse: z.object({ id: ObjectIdString, name: z.string().nullable() }),
    taskCreatedAt: z.string().datetime(),
    deadline: z.string().datetime(),
    /** `YYYY-MM-DD HH:mm` in the hospital's zone. */
    deadlineLocal: z.string(),
    overdue: z.boolean(),
    escalatedAt: z.string().datetime().nullable(),
  })
  .openapi('PendingGroupSend')
export type PendingGroupSend = z.infer<typeof PendingGroupSend>

export const PendingGroupSendsResponse = z
  .object({ sends: z.array(PendingGroupSend) })
  .openapi('PendingGroupSendsResponse')
export type PendingGroupSendsResponse = z.infer<typeof PendingGroupSendsResponse>

/** head_nurse / admin may narrow to one nurse; a nurse always sees her own. */
export const PendingGroupSendsQuery = z.object({ nurseId: ObjectIdString.optional() }).strict()

// ---- service routes for the WeCom bot (群 / 待发 / 标签) ----

export const NurseUserIdParams = z.object({ userid: WecomUserId })

export const ServiceNurse = z.object({ id: ObjectIdString, name: z.string(), role: z.string() })

export const ServiceNurseCommunitiesResponse = z
  .object({ nurse: ServiceNurse, communities: z.array(Community) })
  .openapi('ServiceNurseCommunitiesResponse')
export type ServiceNurseCommunitiesResponse = z.infer<typeof ServiceNurseCommunitiesResponse>

export const ServicePendingSendsResponse = z
  .object({ nurse: ServiceNurse, sends: z.array(PendingGroupSend) })
  .openapi('ServicePendingSendsResponse')
export type ServicePendingSendsResponse = z.infer<typeof ServicePendingSendsResponse>

export const ServicePatientTagRequest = z
  .object({
    /** A name (prefix), a 4-digit phone tail, a full mobile number or a hospital patient id. */
    patient: z.string({ required_error: 'patient is required' }).trim().min(1).max(40),
    /** The tag's name (names are unique). */
    tag: z.string({ required_error: 'tag is required' }).trim().min(1).max(20),
    action: z.enum(['tag', 'untag']).default('tag'),
    reason: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .openapi('ServicePatientTagRequest')
export type ServicePatientTagRequest = z.infer<typeof ServicePatientTagRequest>

export const BotPatient = z
  .object({
    id: ObjectIdString,
    name: z.string().nullable(),
    phone: MaskedPhone.nullable(),
    gender: z.enum(GENDERS).nullable(),
    birthYear: z.number().int().nullable(),
  })
  .openapi('BotPatient')
export type BotPatient = z.infer<typeof BotPatient>

export const ServicePatientTagResponse = z
  .discriminatedUnion('outcome', [
    z.object({
      outcome: z.literal('done'),
      action: z.enum(['tag', 'untag']),
      /** false: the patient already had (or already lacked) the tag. */
      changed: z.boolean(),
      patient: BotPatient,
      tag: z.object({ id: ObjectIdString, name: z.string() }),
    }),
    z.object({
      outcome: z.literal('ambiguous'),
      /** Up to 10 candidates within the nurse's scope; ask the nurse to be more precise. */
      candidates: z.array(BotPatient),
      total: z.number().int(),
    }),
  ])
  .openapi('ServicePatientTagResponse')
export type ServicePatientTagResponse = z.infer<typeof ServicePatientTagResponse>

const MANAGERS = ['head_nurse', 'admin'] as const
const RUNNERS = ['nurse', 'head_nurse', 'admin'] as const
const VIEWERS = ['nurse', 'head_nurse', 'admin', 'marketer'] as const

export const communityRoutes = {
  listCommunities: defineRoute({
    id: 'listCommunities',
    method: 'get',
    path: '/api/v1/staff/communities',
    summary: 'Communities with statistics (nurse: her own; head nurse, admin: all; marketer: all, read-only)',
    tag: 'communities',
    auth: 'staff',
    roles: VIEWERS,
    response: CommunitiesResponse,
  }),
  getCommunity: defineRoute({
    id: 'getCommunity',
    method: 'get',
    path: '/api/v1/staff/communities/:id',
    summary:
      'A community with statistics, members and join/leave history (members omitted for marketers; nurse: her own only)',
    tag: 'communities',
    auth: 'staff',
    roles: VIEWERS,
    params: z.object({ id: ObjectIdString }),
    response: CommunityDetail,
    errors: ['COMMUNITY_NOT_FOUND'],
  }),
  createCommunity: defineRoute({
    id: 'createCommunity',
    method: 'post',
    path: '/api/v1/staff/communities',
    summary:
      "Link a WeCom customer group (one of the owner's, from listWecomGroups) as a community (head nurse, admin)",
    tag: 'communities',
    auth: 'staff',
    roles: MANAGERS,
    body: CreateCommunityRequest,
    response: Community,
    status: 201,
    errors: [
      'VALIDATION_FAILED',
      'TAG_NOT_FOUND',
      'COMMUNITY_OWNER_INVALID',
      'COMMUNITY_CHAT_INVALID',
      'COMMUNITY_CHAT_TAKEN',
      'WECOM_NOT_CONFIGURED',
      'UPSTREAM_UNAVAILABLE',
    ],
  }),
  updateCommunity: defineRoute({
    id: 'updateCommunity',
    method: 'put',
    path: '/api/v1/staff/communities/:id',
    summary: 'Edit, archive or reactivate a community (head nurse, admin)',
    tag: 'communities',
    auth: 'staff',
    roles: MANAGERS,
    params: z.object({ id: ObjectIdString }),
    body: UpdateCommunityRequest,
    response: Community,
    errors: [
      'VALIDATION_FAILED',
      'COMMUNITY_NOT_FOUND',
      'COMMUNITY_NOT_ACTIVE',
      'TAG_NOT_FOUND',
      'COMMUNITY_OWNER_INVALID',
      'COMMUNITY_CHAT_INVALID',
      'WECOM_NOT_CONFIGURED',
    ],
  }),
  listWecomGroups: defineRoute({
    id: 'listWecomGroups',
    method: 'get',
    path: '/api/v1/staff/wecom-groups',
    summary:
      "A nurse's WeCom customer groups (groupchat/list), to pick one for a community (head nurse, admin)",
    tag: 'communities',
    auth: 'staff',
    roles: MANAGERS,
    query: WecomGroupsQuery,
    response: WecomGroupsResponse,
    errors: ['VALIDATION_FAILED', 'COMMUNITY_OWNER_INVALID', 'WECOM_NOT_CONFIGURED', 'UPSTREAM_UNAVAILABLE'],
  }),
  listGroupSop: defineRoute({
    id: 'listGroupSop',
    method: 'get',
    path: '/api/v1/staff/communities/:id/sop',
    summary: "A community's scheduled group content, with this and next month's mass-send quota",
    tag: 'communities',
    auth: 'staff',
    roles: RUNNERS,
    params: z.object({ id: ObjectIdString }),
    response: GroupSopListResponse,
    errors: ['COMMUNITY_NOT_FOUND'],
  }),
  createGroupSop: defineRoute({
    id: 'createGroupSop',
    method: 'post',
    path: '/api/v1/staff/communities/:id/sop',
    summary:
      'Schedule group content: at sendAt it becomes a mass-send task the owner confirms in WeCom (refused past the monthly cap)',
    tag: 'communities',
    auth: 'staff',
    roles: RUNNERS,
    params: z.object({ id: ObjectIdString }),
    body: CreateGroupSopRequest,
    response: GroupSopItemResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'COMMUNITY_NOT_FOUND', 'COMMUNITY_NOT_ACTIVE', 'GROUP_SEND_CAP_REACHED'],
  }),
  cancelGroupSop: defineRoute({
    id: 'cancelGroupSop',
    method: 'delete',
    path: '/api/v1/staff/communities/:id/sop/:itemId',
    summary:
      'Cancel a scheduled item, or a task not yet confirmed (cancel_groupmsg_send); idempotent; frees its quota',
    tag: 'communities',
    auth: 'staff',
    roles: RUNNERS,
    params: GroupSopParams,
    response: GroupSopItemResponse,
    errors: [
      'COMMUNITY_NOT_FOUND',
      'GROUP_SOP_NOT_FOUND',
      'GROUP_SOP_NOT_CANCELLABLE',
      'UPSTREAM_UNAVAILABLE',
    ],
  }),
  pendingGroupSends: defineRoute({
    id: 'pendingGroupSends',
    method: 'get',
    path: '/api/v1/staff/group-sends/pending',
    summary:
      'Mass-send tasks waiting for confirmation, with deadlines (nurse: her own; head nurse, admin: all or ?nurseId)',
    tag: 'communities',
    auth: 'staff',
    roles: RUNNERS,
    query: PendingGroupSendsQuery,
    response: PendingGroupSendsResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  myCommunities: defineRoute({
    id: 'myCommunities',
    method: 'get',
    path: '/api/v1/me/communities',
    summary:
      "Communities recommended for the active profile: its tags' disease groups first; joined ones marked; full ones not joinable",
    tag: 'communities',
    auth: 'patient',
    response: MyCommunitiesResponse,
  }),
  communityJoinQr: defineRoute({
    id: 'communityJoinQr',
    method: 'post',
    path: '/api/v1/me/communities/:communityId/join-qr',
    summary:
      "The active profile's personal join QR for a community (created once, then reused; scanning it joins the WeCom group)",
    tag: 'communities',
    auth: 'patient',
    params: z.object({ communityId: ObjectIdString }),
    response: JoinQrResponse,
    errors: [
      'VALIDATION_FAILED',
      'COMMUNITY_NOT_FOUND',
      'COMMUNITY_FULL',
      'WECOM_NOT_CONFIGURED',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_BUSY',
    ],
  }),
  serviceNurseCommunities: defineRoute({
    id: 'serviceNurseCommunities',
    method: 'get',
    path: '/api/v1/service/nurses/:userid/communities',
    summary: 'For the WeCom bot (群): the communities of a nurse named by WeCom userid, with statistics',
    tag: 'service',
    auth: 'service',
    params: NurseUserIdParams,
    response: ServiceNurseCommunitiesResponse,
    errors: ['VALIDATION_FAILED', 'AUTH_TOKEN_INVALID', 'STAFF_NOT_FOUND'],
  }),
  serviceNursePendingSends: defineRoute({
    id: 'serviceNursePendingSends',
    method: 'get',
    path: '/api/v1/service/nurses/:userid/group-sends/pending',
    summary: "For the WeCom bot (待发): a nurse's mass-send tasks waiting for her confirmation",
    tag: 'service',
    auth: 'service',
    params: NurseUserIdParams,
    response: ServicePendingSendsResponse,
    errors: ['VALIDATION_FAILED', 'AUTH_TOKEN_INVALID', 'STAFF_NOT_FOUND'],
  }),
  servicePatientTag: defineRoute({
    id: 'servicePatientTag',
    method: 'post',
    path: '/api/v1/service/nurses/:userid/patient-tags',
    summary:
      'For the WeCom bot (标签): a nurse tags or untags a patient found by name or phone tail within her scope (ambiguous → candidates)',
    tag: 'service',
    auth: 'service',
    params: NurseUserIdParams,
    body: ServicePatientTagRequest,
    response: ServicePatientTagResponse,
    errors: [
      'VALIDATION_FAILED',
      'AUTH_TOKEN_INVALID',
      'STAFF_NOT_FOUND',
      'FORBIDDEN',
      'PATIENT_NOT_FOUND',
      'TAG_NOT_FOUND',
    ],
  }),
}
