// GET/POST /wecom/callback (platform.md §3.5, §3.6): URL verification, then encrypted messages and
// events. The signature is verified before anything is decrypted; duplicates run the handler once.
import type { IncomingMessage } from 'node:http'
import { Router } from '@koa/router'
import type { Logger } from 'pino'
import { AppError } from '@careloop/shared'
import type { CallbackCrypto, SignedQuery } from './callback-crypto'
import { WecomCryptoError } from './callback-crypto'
import type { WecomInboundMessage } from './callback-xml'
import {
  buildEncryptedReplyXml,
  buildTextReplyXml,
  parseCallbackEnvelope,
  parseInboundMessage,
} from './callback-xml'
import type { Clock } from './clock'
import type { DedupeCache } from './dedupe-cache'

/** Returns the reply text for the nurse, or nothing. Only replies to text messages are sent. */
export type MessageHandler = (
  message: WecomInboundMessage,
) => Promise<string | null | undefined> | string | null | undefined

export interface BotState {
  requestId: string
}

export interface CallbackRouteDeps {
  crypto: CallbackCrypto
  corpId: string
  handler: MessageHandler
  clock: Clock
  logger: Logger
  dedupe: DedupeCache<string | null>
  bodyLimitBytes: number
}

export const CALLBACK_PATH = '/wecom/callback'

export function createCallbackRouter(deps: CallbackRouteDeps): Router<BotState> {
  const router = new Router<BotState>()

  router.get(CALLBACK_PATH, (ctx) => {
    const query = readSignedQuery(ctx.query)
    const echostr = readParam(ctx.query, 'echostr')
    if (echostr === undefined) {
      throw new AppError('WECOM_QUERY_INVALID', 'Missing query parameter echostr', { missing: ['echostr'] })
    }
    const plaintext = translateCryptoErrors(() => deps.crypto.verifyUrl(query, echostr))
    ctx.type = 'text/plain'
    ctx.body = plaintext
  })

  router.post(CALLBACK_PATH, async (ctx) => {
    const query = readSignedQuery(ctx.query)
    let raw: string
    try {
      raw = await readRawBody(ctx.req, deps.bodyLimitBytes)
    } catch (err) {
      if (err instanceof AppError && err.code === 'WECOM_BODY_TOO_LARGE') ctx.set('Connection', 'close')
      throw err
    }
    const envelope = parseCallbackEnvelope(raw)
    const xml = translateCryptoErrors(() => deps.crypto.openXml(query, envelope.encrypt))
    const message = parseInboundMessage(xml)
    if (!message) throw new AppError('WECOM_BODY_MALFORMED', 'The decrypted message has no MsgType')

    const key = dedupeKey(message)
    const { result, duplicate } = deps.dedupe.run(key, async () => {
      const reply = await deps.handler(message)
      return message.msgType === 'text' && reply ? reply : null
    })
    const replyText = await result
    deps.logger.info(
      {
        requestId: ctx.state.requestId,
        msgType: message.msgType,
        event: message.event,
        duplicate,
        replied: replyText !== null,
      },
      duplicate ? 'duplicate wecom callback' : 'wecom callback',
    )

    if (replyText === null) {
      ctx.status = 200
      ctx.body = ''
      return
    }
    const createTime = Math.floor(deps.clock.now().getTime() / 1000)
    const inner = buildTextReplyXml({
      toUserName: message.fromUserName,
      fromUserName: deps.corpId,
      createTime,
      content: replyText,
    })
    const sealed = deps.crypto.seal(inner, { timestamp: String(createTime) })
    ctx.type = 'application/xml'
    ctx.body = buildEncryptedReplyXml(sealed)
  })

  return router
}

/**
 * Messages dedupe on MsgId; events on FromUserName+CreateTime+Event (§3.6), plus the fields that tell
 * two different same-second events apart (customer-contact events all come FromUserName "sys").
 */
export function dedupeKey(message: WecomInboundMessage): string {
  if (message.msgId) return `msg:${message.msgId}`
  const parts = [message.fromUserName, message.createTime, message.msgType, message.event ?? '']
  for (const name of ['ChangeType', 'UserID', 'ExternalUserID', 'ChatId', 'Id', 'UpdateDetail', 'EventKey']) {
    const value = message.fields[name]
    parts.push(typeof value === 'string' ? value : '')
  }
  return `evt:${JSON.stringify(parts)}`
}

type Query = Record<string, string | string[] | undefined>

function readParam(query: Query, name: string): string | undefined {
  const value = query[name]
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined
}

function readSignedQuery(query: Query): SignedQuery {
  const msgSignature = readParam(query, 'msg_signature')
  const timestamp = readParam(query, 'timestamp')
  const nonce = readParam(query, 'nonce')
  if (msgSignature === undefined || timestamp === undefined || nonce === undefined) {
    const missing = ['msg_signature', 'timestamp', 'nonce'].filter(
      (name) => readParam(query, name) === undefined,
    )
    throw new AppError('WECOM_QUERY_INVALID', `Missing or invalid query parameters: ${missing.join(', ')}`, {
      missing,
    })
  }
  return { msgSignature, timestamp, nonce }
}

function translateCryptoErrors<T>(work: () => T): T {
  try {
    return work()
  } catch (err) {
    if (!(err instanceof WecomCryptoError)) throw err
    const details = { wecomCode: err.code, reason: err.reason }
    switch (err.reason) {
      case 'ValidateSignature':
        throw new AppError('WECOM_SIGNATURE_INVALID', 'msg_signature does not match', details)
      case 'ValidateCorpid':
        throw new AppError('WECOM_CORP_MISMATCH', 'The message is not addressed to this corp', details)
      case 'ParseXml':
      case 'DecryptAES':
      case 'IllegalBuffer':
      case 'DecodeBase64':
        throw new AppError('WECOM_DECRYPT_FAILED', 'The message could not be decrypted', details)
      default:
        throw err
    }
  }
}

/**
 * Reads the whole body as UTF-8, refusing more than `limit` bytes (by Content-Length, or as it streams).
 * An oversized body is not read further; the caller answers 413 with `Connection: close`.
 */
function readRawBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onFailure)
      req.off('close', onClose)
      // A late socket error while the rest is discarded must not become an unhandled 'error' event.
      req.on('error', ignore)
    }
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buffer.length
      if (size > limit) {
        cleanup()
        req.resume()
        reject(tooLarge(limit))
        return
      }
      chunks.push(buffer)
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks).toString('utf8'))
    }
    const onFailure = () => {
      cleanup()
      reject(new AppError('WECOM_BODY_MALFORMED', 'The request body could not be read'))
    }
    const onClose = () => {
      if (!req.complete) onFailure()
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onFailure)
    req.on('close', onClose)
  })
}

function ignore(): void {}

function tooLarge(limit: number): AppError {
  return new AppError('WECOM_BODY_TOO_LARGE', `Request body exceeds ${limit} bytes`, { limit })
}
