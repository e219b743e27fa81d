// XML of WeCom callbacks: the outer envelope, the decrypted inner message, and the passive reply.
// Parsing is deliberately narrow: no DOCTYPE (so no entity declarations, internal or external), no
// attributes, every leaf kept as a string (MsgId exceeds 2^53), only the five predefined XML entities.
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { AppError } from '@careloop/shared'

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
})

/** A decrypted callback: the fields we use, plus every top-level field as parsed. */
export interface WecomInboundMessage {
  toUserName: string
  /** The nurse's userid for app messages; `sys` for customer-contact events. */
  fromUserName: string
  createTime: string
  msgType: string
  content?: string
  msgId?: string
  event?: string
  changeType?: string
  agentId?: string
  fields: Readonly<Record<string, unknown>>
}

export interface CallbackEnvelope {
  encrypt: string
  toUserName?: string
  agentId?: string
}

/**
 * Parses `text` as one XML document whose single root element is `<xml>` with child elements.
 * Returns the root's children, or null for anything else (garbage, DOCTYPE, another root, text root).
 */
export function parseXmlRoot(text: string): Record<string, unknown> | null {
  const trimmed = text.trim()
  if (!trimmed.startsWith('<') || /<!DOCTYPE|<!ENTITY/i.test(trimmed)) return null
  if (XMLValidator.validate(trimmed) !== true) return null
  let parsed: unknown
  try {
    parsed = parser.parse(trimmed)
  } catch {
    return null
  }
  if (!isRecord(parsed)) return null
  const keys = Object.keys(parsed)
  if (keys.length !== 1 || keys[0] !== 'xml') return null
  const root = parsed.xml
  return isRecord(root) ? root : null
}

/** The outer POST body: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`, CDATA-wrapped or not. */
export function parseCallbackEnvelope(body: string): CallbackEnvelope {
  const root = parseXmlRoot(body)
  if (!root) throw new AppError('WECOM_BODY_MALFORMED', 'Request body is not a WeCom callback XML document')
  const encrypt = stringField(root, 'Encrypt')
  if (!encrypt) throw new AppError('WECOM_BODY_MALFORMED', 'Request body has no <Encrypt> element')
  return { encrypt, toUserName: stringField(root, 'ToUserName'), agentId: stringField(root, 'AgentID') }
}

/** The decrypted message or event (§3.7, §3.8); null when it is not an `<xml>` document with a MsgType. */
export function parseInboundMessage(xml: string): WecomInboundMessage | null {
  const root = parseXmlRoot(xml)
  if (!root) return null
  const msgType = stringField(root, 'MsgType')
  if (!msgType) return null
  return {
    toUserName: stringField(root, 'ToUserName') ?? '',
    fromUserName: stringField(root, 'FromUserName') ?? '',
    createTime: stringField(root, 'CreateTime') ?? '',
    msgType,
    content: stringField(root, 'Content'),
    msgId: stringField(root, 'MsgId'),
    event: stringField(root, 'Event'),
    changeType: stringField(root, 'ChangeType'),
    agentId: stringField(root, 'AgentID'),
    fields: root,
  }
}

export interface TextReply {
  /** The nurse's userid (the inbound FromUserName). */
  toUserName: string
  /** The corpid. */
  fromUserName: string
  /** Unix seconds. */
  createTime: number
  content: string
}

/** The plaintext of a passive text reply (§3.6), before encryption. */
export function buildTextReplyXml(reply: TextReply): string {
  return (
    `<xml><ToUserName>${cdata(reply.toUserName)}</ToUserName>` +
    `<FromUserName>${cdata(reply.fromUserName)}</FromUserName>` +
    `<CreateTime>${reply.createTime}</CreateTime>` +
    `<MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(reply.content)}</Content></xml>`
  )
}

export interface EncryptedReply {
  encrypt: string
  msgSignature: string
  timestamp: string
  nonce: string
}

/** The outer passive reply (§3.6): `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function buildEncryptedReplyXml(reply: EncryptedReply): string {
  return (
    `<xml><Encrypt>${cdata(reply.encrypt)}</Encrypt>` +
    `<MsgSignature>${cdata(reply.msgSignature)}</MsgSignature>` +
    `<TimeStamp>${reply.timestamp}</TimeStamp>` +
    `<Nonce>${cdata(reply.nonce)}</Nonce></xml>`
  )
}

/** Wraps text in CDATA; a literal `]]>` inside is split across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
}

function stringField(root: Record<string, unknown>, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(root, name)) return undefined
  const value = root[name]
  return typeof value === 'string' ? value : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
