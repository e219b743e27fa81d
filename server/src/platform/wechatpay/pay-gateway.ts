/**
 * The WeChat Pay v3 operations CareLoop uses (platform.md §5), as the membership module sees them.
 * `WechatPayClient` (wechatpay-node-v3 plus our wrapper: response verification, public-key mode,
 * typed errors, our own paySign) implements it against the real host or the simulator in `tests/`.
 * Amounts are in fen (分), integers.
 *
 * Errors: upstream failures throw AppError PAY_UPSTREAM_ERROR with `details: { status, code }` (the
 * platform's code, e.g. OUT_TRADE_NO_USED); a response or notify whose signature does not verify
 * throws PAY_SIGNATURE_INVALID; a notify that is malformed or does not decrypt throws PAY_NOTIFY_INVALID.
 */

export interface PayParams {
  appId: string
  timeStamp: string
  nonceStr: string
  /** `prepay_id=…` */
  package: string
  signType: 'RSA'
  paySign: string
}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR'

/** A transaction as query and the TRANSACTION.SUCCESS notify describe it. */
export interface PayTransaction {
  appid: string
  mchid: string
  outTradeNo: string
  transactionId?: string
  tradeState: TradeState
  tradeStateDesc?: string
  successTime?: string
  attach?: string
  payerOpenid?: string
  amount: { total: number; payerTotal?: number; currency: string }
}

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL'

export interface PayRefund {
  outRefundNo: string
  refundId: string
  outTradeNo: string
  transactionId?: string
  status: RefundStatus
  successTime?: string
  amount: { refund: number; total: number; currency: string }
}

/** A verified, decrypted notify (§5.4, §5.5). */
export type PayNotify =
  | { id: string; eventType: 'TRANSACTION.SUCCESS'; createTime: string; transaction: PayTransaction }
  | {
      id: string
      eventType: 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'
      createTime: string
      refund: PayRefund
    }

export interface PayGateway {
  readonly appid: string
  readonly mchid: string
  /** JSAPI prepay (§5.1) and the `wx.requestPayment` parameters signed by us (§5.3). */
  prepayJsapi(order: {
    outTradeNo: string
    description: string
    amountFen: number
    payerOpenid: string
    timeExpire: Date
    attach?: string
  }): Promise<{ prepayId: string; payParams: PayParams }>
  /** Query by out_trade_no (§5.6); undefined when the platform answers 404 ORDER_NOT_EXIST. */
  queryOrder(outTradeNo: string): Promise<PayTransaction | undefined>
  /** Close an unpaid order (§5.6, 204). */
  closeOrder(outTradeNo: string): Promise<void>
  /** Full or partial refund; `outRefundNo` refunds once (§5.6). */
  refund(input: {
    outTradeNo: string
    outRefundNo: string
    reason?: string
    refundFen: number
    totalFen: number
  }): Promise<PayRefund>
  queryRefund(outRefundNo: string): Promise<PayRefund | undefined>
  /**
   * Checks a notify (§5.4: timestamp window ±300 s, SIGNTEST probes rejected, serial known in either
   * key mode, RSA-SHA256 over the raw body) and decrypts its resource (§5.5 AEAD_AES_256_GCM, tag and
   * AAD checked). `headers` are lower-cased header names.
   */
  parseNotify(headers: Record<string, string | undefined>, rawBody: string): PayNotify
}
