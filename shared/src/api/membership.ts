import { z } from '../zod'
import { ObjectIdString } from './auth'
import { RequestId } from './questionnaires'
import { defineRoute } from './route'
import { IdParams } from './staff'

/**
 * Paid membership (F31) and its service quotas (F32). Amounts are integer fen (分). A patient buys
 * a plan with WeChat Pay (JSAPI): the server creates the order, calls prepay and answers the
 * `wx.requestPayment` parameters; payment is granted only from the platform's verified notify or
 * the server's own query, never from the client's word. Quotas count per calendar month in the
 * hospital's zone.
 */

export const MEMBERSHIP_PERIODS = ['month', 'year'] as const
export const MembershipPeriod = z.enum(MEMBERSHIP_PERIODS)
export type MembershipPeriod = z.infer<typeof MembershipPeriod>

/** The tier a plan grants while it is active (the points module's tier ids, lowest first). */
export const MEMBERSHIP_TIERS = ['standard', 'silver', 'gold', 'platinum'] as const
export const MembershipTier = z.enum(MEMBERSHIP_TIERS)
export type MembershipTier = z.infer<typeof MembershipTier>

export const QUOTA_KINDS = ['nurse_consult'] as const
export const QuotaKind = z.enum(QUOTA_KINDS)
export type QuotaKind = z.infer<typeof QuotaKind>

export const ORDER_STATUSES = ['PENDING', 'PAID', 'CLOSED', 'REFUNDED', 'FLAGGED'] as const
/**
 * PENDING (awaiting payment) → PAID (membership granted) → REFUNDED (fully refunded: membership
 * ended); PENDING → CLOSED (not paid within 30 minutes); FLAGGED: the platform reported a payment
 * that does not match the order (amount, currency, merchant) or came after it was closed — no grant,
 * for staff to review and refund.
 */
export const OrderStatus = z.enum(ORDER_STATUSES)
export type OrderStatus = z.infer<typeof OrderStatus>

export const REFUND_STATUSES = ['CREATED', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL'] as const
/** CREATED: recorded, not yet accepted by the platform (retried by the reconciliation job). */
export const RefundStatus = z.enum(REFUND_STATUSES)
export type RefundStatus = z.infer<typeof RefundStatus>

const PlanCode = z
  .string({ required_error: 'planCode is required' })
  .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be 2–32 lower-case letters, digits, _ or -')

export const PlanQuota = z
  .object({
    kind: QuotaKind,
    /** Uses per calendar month (hospital zone) while the membership is active. */
    perMonth: z.number().int().min(1).max(1000),
  })
  .strict()
export type PlanQuota = z.infer<typeof PlanQuota>

export const MembershipPlan = z
  .object({
    code: z.string(),
    name: z.string(),
    period: MembershipPeriod,
    priceFen: z.number().int(),
    tier: MembershipTier,
    quotas: z.array(PlanQuota),
    benefits: z.string(),
    active: z.boolean(),
    /** Display order, lowest first. */
    sort: z.number().int(),
  })
  .openapi('MembershipPlan')
export type MembershipPlan = z.infer<typeof MembershipPlan>

export const MembershipPlansResponse = z
  .object({ plans: z.array(MembershipPlan) })
  .openapi('MembershipPlansResponse')
export type MembershipPlansResponse = z.infer<typeof MembershipPlansResponse>

export const PlanCodeParams = z.object({ code: PlanCode })

export const SaveMembershipPlanRequest = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(40),
    period: MembershipPeriod,
    /** ¥0.01 – ¥100,000. */
    priceFen: z.number().int('priceFen must be whole fen').min(1).max(10_000_000),
    tier: MembershipTier,
    quotas: z
      .array(PlanQuota)
      .max(10)
      .refine((q) => new Set(q.map((x) => x.kind)).size === q.length, 'one entry per quota kind')
      .default([]),
    benefits: z.string().trim().max(500).default(''),
    active: z.boolean().default(true),
    sort: z.number().int().min(0).max(1000).default(100),
  })
  .strict()
  .openapi('SaveMembershipPlanRequest')
export type SaveMembershipPlanRequest = z.infer<typeof SaveMembershipPlanRequest>

export const QuotaStatus = z
  .object({
    kind: QuotaKind,
    /** `YYYY-MM` in the hospital's zone. */
    month: z.string(),
    perMonth: z.number().int(),
    used: z.number().int(),
    left: z.number().int(),
  })
  .openapi('QuotaStatus')
export type QuotaStatus = z.infer<typeof QuotaStatus>

export const MembershipStatus = z
  .object({
    active: z.boolean(),
    /** The plan in force now (null when none). */
    plan: z.object({ code: z.string(), name: z.string(), period: MembershipPeriod }).nullable(),
    tier: MembershipTier.nullable(),
    /** When the paid membership (all purchases chained) ends; null when none is active. */
    until: z.string().datetime().nullable(),
    quotas: z.array(QuotaStatus),
  })
  .openapi('MembershipStatus')
export type MembershipStatus = z.infer<typeof MembershipStatus>

/** What `wx.requestPayment` takes (platform.md §5.3). */
export const PayParams = z
  .object({
    appId: z.string(),
    timeStamp: z.string(),
    nonceStr: z.string(),
    package: z.string(),
    signType: z.literal('RSA'),
    paySign: z.string(),
  })
  .openapi('PayParams')
export type PayParams = z.infer<typeof PayParams>

export const CreateOrderRequest = z
  .object({
    planCode: PlanCode,
    /** Client-generated; a retry with the same id answers the same order (and payment parameters). */
    requestId: RequestId,
  })
  .strict()
  .openapi('CreateOrderRequest')
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>

export const OrderRefund = z
  .object({
    outRefundNo: z.string(),
    amountFen: z.number().int(),
    status: RefundStatus,
    createdAt: z.string().datetime(),
    successAt: z.string().datetime().nullable(),
  })
  .openapi('OrderRefund')
export type OrderRefund = z.infer<typeof OrderRefund>

/** An order as its buyer sees it (the receipt). */
export const MembershipOrder = z
  .object({
    id: ObjectIdString,
    outTradeNo: z.string(),
    plan: z.object({ code: z.string(), name: z.string(), period: MembershipPeriod, tier: MembershipTier }),
    amountFen: z.number().int(),
    status: OrderStatus,
    createdAt: z.string().datetime(),
    /** Unpaid orders close at this instant. */
    expiresAt: z.string().datetime(),
    paidAt: z.string().datetime().nullable(),
    transactionId: z.string().nullable(),
    refundedFen: z.number().int(),
    refunds: z.array(OrderRefund),
    /** The membership period this purchase granted (null until granted, or when refunded in full). */
    grant: z.object({ from: z.string().datetime(), until: z.string().datetime() }).nullable(),
  })
  .openapi('MembershipOrder')
export type MembershipOrder = z.infer<typeof MembershipOrder>

export const CreateOrderResponse = z
  .object({
    order: MembershipOrder,
    /** Pass to `wx.requestPayment`; null once the order is no longer payable. */
    payParams: PayParams.nullable(),
    /** True when this requestId made the order earlier: nothing new was created. */
    duplicate: z.boolean(),
  })
  .openapi('CreateOrderResponse')
export type CreateOrderResponse = z.infer<typeof CreateOrderResponse>

export const MyOrdersResponse = z.object({ orders: z.array(MembershipOrder) }).openapi('MyOrdersResponse')
export type MyOrdersResponse = z.infer<typeof MyOrdersResponse>

// ---- staff ------------------------------------------------------------------------------------

const IsoDateTime = (name: string) =>
  z.string().datetime({ offset: true, message: `${name} must be an ISO 8601 date-time` })

export const StaffOrdersQuery = z
  .object({
    status: OrderStatus.optional(),
    patientId: ObjectIdString.optional(),
    outTradeNo: z
      .string()
      .regex(/^[0-9A-Za-z_\-|*]{6,32}$/, 'must be 6–32 characters of 0-9 A-Z a-z _ - | *')
      .optional(),
    /** Created at or after. */
    from: IsoDateTime('from').optional(),
    /** Created before. */
    to: IsoDateTime('to').optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
export type StaffOrdersQuery = z.infer<typeof StaffOrdersQuery>

export const StaffOrderRefund = OrderRefund.extend({
  reason: z.string(),
  refundId: z.string().nullable(),
  staffId: z.string().nullable(),
}).openapi('StaffOrderRefund')
export type StaffOrderRefund = z.infer<typeof StaffOrderRefund>

export const StaffOrder = MembershipOrder.omit({ refunds: true })
  .extend({
    patientId: ObjectIdString,
    patientName: z.string().nullable(),
    /** What the platform reported paid (fen); null until paid. */
    paidFen: z.number().int().nullable(),
    /** Why the order is FLAGGED (amount_mismatch, merchant_mismatch, paid_after_close) and the figures. */
    flag: z
      .object({ kind: z.string(), details: z.record(z.unknown()), at: z.string().datetime() })
      .nullable(),
    grantedAt: z.string().datetime().nullable(),
    pointsAwarded: z.number().int().nullable(),
    refunds: z.array(StaffOrderRefund),
  })
  .openapi('StaffOrder')
export type StaffOrder = z.infer<typeof StaffOrder>

export const StaffOrdersResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    orders: z.array(StaffOrder),
  })
  .openapi('StaffOrdersResponse')
export type StaffOrdersResponse = z.infer<typeof StaffOrdersResponse>

export const PayNotifyRecord = z
  .object({
    id: z.string(),
    eventType: z.string(),
    receivedAt: z.string().datetime(),
    /** How it was handled: paid, flagged, refund_updated, ignored … */
    result: z.string().nullable(),
    /** Deliveries of this notify id (redeliveries counted). */
    deliveries: z.number().int(),
  })
  .openapi('PayNotifyRecord')
export type PayNotifyRecord = z.infer<typeof PayNotifyRecord>

export const StaffOrderDetail = z
  .object({ order: StaffOrder, notifies: z.array(PayNotifyRecord) })
  .openapi('StaffOrderDetail')
export type StaffOrderDetail = z.infer<typeof StaffOrderDetail>

export const RefundRequest = z
  .object({
    /** Fen; the refunds of an order never exceed what was paid. */
    amountFen: z.number().int('amountFen must be whole fen').min(1, 'amountFen must be at least 1'),
    reason: z.string().trim().min(1, 'reason is required').max(80),
    /** A retry with the same id answers the same refund. */
    requestId: RequestId,
  })
  .strict()
  .openapi('RefundRequest')
export type RefundRequest = z.infer<typeof RefundRequest>

export const RefundResponse = z
  .object({ order: StaffOrder, refund: StaffOrderRefund, duplicate: z.boolean() })
  .openapi('RefundResponse')
export type RefundResponse = z.infer<typeof RefundResponse>

export const QuotaUsageRequest = z
  .object({
    kind: QuotaKind,
    requestId: RequestId,
    note: z.string().trim().max(200).default(''),
  })
  .strict()
  .openapi('QuotaUsageRequest')
export type QuotaUsageRequest = z.infer<typeof QuotaUsageRequest>

export const QuotaUsageResponse = z
  .object({
    quota: QuotaStatus,
    /** True when this requestId was recorded before: nothing more was used. */
    duplicate: z.boolean(),
  })
  .openapi('QuotaUsageResponse')
export type QuotaUsageResponse = z.infer<typeof QuotaUsageResponse>

const ORDER_ERRORS = ['VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'CONSENT_REQUIRED'] as const

export const membershipRoutes = {
  membershipPlans: defineRoute({
    id: 'membershipPlans',
    method: 'get',
    path: '/api/v1/me/membership/plans',
    summary: 'Membership plans on sale',
    tag: 'membership',
    auth: 'patient',
    response: MembershipPlansResponse,
    errors: ['CONSENT_REQUIRED'],
  }),
  myMembership: defineRoute({
    id: 'myMembership',
    method: 'get',
    path: '/api/v1/me/membership',
    summary: 'My paid membership (active profile): plan, until, tier, quotas used and left this month',
    tag: 'membership',
    auth: 'patient',
    response: MembershipStatus,
    errors: ['CONSENT_REQUIRED'],
  }),
  createMembershipOrder: defineRoute({
    id: 'createMembershipOrder',
    method: 'post',
    path: '/api/v1/me/membership/orders',
    summary: 'Buy a plan for the active profile: creates the order and answers wx.requestPayment parameters',
    tag: 'membership',
    auth: 'patient',
    body: CreateOrderRequest,
    response: CreateOrderResponse,
    status: 201,
    errors: [
      'VALIDATION_FAILED',
      'MEMBERSHIP_PLAN_NOT_FOUND',
      'PAY_NOT_CONFIGURED',
      'PAY_UPSTREAM_ERROR',
      'CONSENT_REQUIRED',
    ],
  }),
  myMembershipOrders: defineRoute({
    id: 'myMembershipOrders',
    method: 'get',
    path: '/api/v1/me/orders',
    summary: "My account's membership orders, newest first",
    tag: 'membership',
    auth: 'patient',
    response: MyOrdersResponse,
    errors: ['CONSENT_REQUIRED'],
  }),
  myMembershipOrder: defineRoute({
    id: 'myMembershipOrder',
    method: 'get',
    path: '/api/v1/me/orders/:id',
    summary: 'One of my orders (the receipt)',
    tag: 'membership',
    auth: 'patient',
    params: IdParams,
    response: MembershipOrder,
    errors: [...ORDER_ERRORS],
  }),
  syncMembershipOrder: defineRoute({
    id: 'syncMembershipOrder',
    method: 'post',
    path: '/api/v1/me/orders/:id/sync',
    summary: 'After wx.requestPayment succeeded: the server queries the platform and settles the order',
    tag: 'membership',
    auth: 'patient',
    params: IdParams,
    response: MembershipOrder,
    errors: [...ORDER_ERRORS, 'PAY_NOT_CONFIGURED', 'PAY_UPSTREAM_ERROR'],
  }),
  payNotify: defineRoute({
    id: 'payNotify',
    method: 'post',
    path: '/api/v1/pay/notify',
    summary:
      'WeChat Pay v3 notify (platform protocol): verified and decrypted; 204 = accepted, failures answer ' +
      '{"code":"FAIL","message":"失败"} (not ErrorBody) with 400/401/404/500 so the platform retries',
    tag: 'membership',
    auth: 'public',
    response: z.null(),
    status: 204,
    errors: ['PAY_SIGNATURE_INVALID', 'PAY_NOTIFY_INVALID', 'ORDER_NOT_FOUND', 'PAY_NOT_CONFIGURED'],
  }),
  staffMembershipPlans: defineRoute({
    id: 'staffMembershipPlans',
    method: 'get',
    path: '/api/v1/staff/membership/plans',
    summary: 'Every membership plan, on sale or not',
    tag: 'membership',
    auth: 'staff',
    roles: ['admin', 'head_nurse', 'marketer'],
    response: MembershipPlansResponse,
  }),
  saveMembershipPlan: defineRoute({
    id: 'saveMembershipPlan',
    method: 'put',
    path: '/api/v1/staff/membership/plans/:code',
    summary: 'Create or replace a plan (orders keep the terms they were bought with)',
    tag: 'membership',
    auth: 'staff',
    roles: ['admin'],
    params: PlanCodeParams,
    body: SaveMembershipPlanRequest,
    response: MembershipPlan,
    errors: ['VALIDATION_FAILED'],
  }),
  listMembershipOrders: defineRoute({
    id: 'listMembershipOrders',
    method: 'get',
    path: '/api/v1/staff/orders',
    summary: 'Membership orders, newest first, with filters',
    tag: 'membership',
    auth: 'staff',
    roles: ['admin', 'head_nurse'],
    query: StaffOrdersQuery,
    response: StaffOrdersResponse,
    errors: ['VALIDATION_FAILED'],
  }),
  getMembershipOrder: defineRoute({
    id: 'getMembershipOrder',
    method: 'get',
    path: '/api/v1/staff/orders/:id',
    summary: 'One order with its refunds and the platform notifies received for it',
    tag: 'membership',
    auth: 'staff',
    roles: ['admin', 'head_nurse'],
    params: IdParams,
    response: StaffOrderDetail,
    errors: ['VALIDATION_FAILED', 'ORDER_NOT_FOUND'],
  }),
  refundMembershipOrder: defineRoute({
    id: 'refundMembershipOrder',
    method: 'post',
    path: '/api/v1/staff/orders/:id/refunds',
    summary: 'Refund part or all of a paid order (a full refund ends the membership it granted)',
    tag: 'membership',
    auth: 'staff',
    roles: ['admin'],
    params: IdParams,
    body: RefundRequest,
    response: RefundResponse,
    status: 201,
    errors: [
      'VALIDATION_FAILED',
      'ORDER_NOT_FOUND',
      'ORDER_STATE',
      'REFUND_INVALID',
      'PAY_NOT_CONFIGURED',
      'PAY_UPSTREAM_ERROR',
    ],
  }),
  patientMembership: defineRoute({
    id: 'patientMembership',
    method: 'get',
    path: '/api/v1/staff/patients/:id/membership',
    summary: "A patient's paid membership and quotas this month (within the caller's scope)",
    tag: 'membership',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'admin'],
    params: IdParams,
    response: MembershipStatus,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND'],
  }),
  consumeQuota: defineRoute({
    id: 'consumeQuota',
    method: 'post',
    path: '/api/v1/staff/patients/:id/quota-usage',
    summary: "Record one use of a patient's membership quota (e.g. a nurse consult), idempotent by requestId",
    tag: 'membership',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'admin'],
    params: IdParams,
    body: QuotaUsageRequest,
    response: QuotaUsageResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'PATIENT_NOT_FOUND', 'QUOTA_EXHAUSTED'],
  }),
}
