import { z } from '@careloop/shared'
import type { PayRefund, PayTransaction } from './pay-gateway'

/**
 * The shapes WeChat Pay v3 answers with (platform.md §5.5–5.6), as far as CareLoop reads them, and
 * their mapping to the gateway's camelCase types. Unknown fields are ignored.
 */

const TradeState = z.enum(['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'])
const RefundStatus = z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'])

/** A transaction: the query answer (§5.6) and the decrypted TRANSACTION.SUCCESS resource (§5.5). */
export const TransactionBody = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_state: TradeState,
  trade_state_desc: z.string().optional(),
  success_time: z.string().optional(),
  attach: z.string().optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  // an unpaid order's answer carries no total (only payer_currency)
  amount: z
    .object({
      total: z.number().int().optional(),
      payer_total: z.number().int().optional(),
      currency: z.string().optional(),
    })
    .optional(),
})
export type TransactionBody = z.infer<typeof TransactionBody>

/** A refund as `POST /v3/refund/domestic/refunds` and its query answer describe it. */
export const RefundBody = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  status: RefundStatus,
  success_time: z.string().optional(),
  amount: z.object({ refund: z.number().int(), total: z.number().int(), currency: z.string().optional() }),
})

/** The decrypted resource of REFUND.* notifies (note `refund_status`, not `status`). */
export const RefundNotifyResource = RefundBody.omit({ status: true }).extend({
  refund_status: RefundStatus,
  mchid: z.string().optional(),
})

export const NotifyEnvelope = z.object({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string().min(1),
  resource_type: z.string().optional(),
  summary: z.string().optional(),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional(),
    original_type: z.string().optional(),
  }),
})

export const CertificatesBody = z.object({
  data: z.array(
    z.object({
      serial_no: z.string().min(1),
      effective_time: z.string().optional(),
      expire_time: z.string().optional(),
      encrypt_certificate: z.object({
        algorithm: z.string(),
        nonce: z.string(),
        associated_data: z.string().optional(),
        ciphertext: z.string(),
      }),
    }),
  ),
})

export const toTransaction = (t: TransactionBody): PayTransaction => ({
  appid: t.appid,
  mchid: t.mchid,
  outTradeNo: t.out_trade_no,
  ...(t.transaction_id ? { transactionId: t.transaction_id } : {}),
  tradeState: t.trade_state,
  ...(t.trade_state_desc !== undefined ? { tradeStateDesc: t.trade_state_desc } : {}),
  ...(t.success_time ? { successTime: t.success_time } : {}),
  ...(t.attach !== undefined ? { attach: t.attach } : {}),
  ...(t.payer?.openid ? { payerOpenid: t.payer.openid } : {}),
  amount: {
    // 0 when the platform leaves the total out (NOTPAY): compare amounts of paid transactions only
    total: t.amount?.total ?? 0,
    ...(t.amount?.payer_total !== undefined ? { payerTotal: t.amount.payer_total } : {}),
    currency: t.amount?.currency ?? 'CNY',
  },
})

export const toRefund = (
  r: z.infer<typeof RefundBody> | z.infer<typeof RefundNotifyResource>,
): PayRefund => ({
  outRefundNo: r.out_refund_no,
  refundId: r.refund_id,
  outTradeNo: r.out_trade_no,
  ...(r.transaction_id ? { transactionId: r.transaction_id } : {}),
  status: 'status' in r ? r.status : r.refund_status,
  ...(r.success_time ? { successTime: r.success_time } : {}),
  amount: { refund: r.amount.refund, total: r.amount.total, currency: r.amount.currency ?? 'CNY' },
})
