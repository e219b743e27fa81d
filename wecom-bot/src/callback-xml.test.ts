import {
  buildEncryptedReplyXml,
  buildTextReplyXml,
  parseCallbackEnvelope,
  parseInboundMessage,
  parseXmlRoot,
} from './callback-xml'
import { AppError } from '@careloop/shared'
import { NURSE_TEXT_XML } from './wecom-vectors.fixture'

describe('parseCallbackEnvelope', () => {
  it('reads Encrypt with or without CDATA', () => {
    const cdata =
      '<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>'
    expect(parseCallbackEnvelope(cdata)).toEqual({ encrypt: 'abc+/=', toUserName: 'ww1', agentId: '1000002' })
    const plain =
      '<?xml version="1.0"?>\n<xml>\n  <ToUserName>ww1</ToUserName>\n  <Encrypt>abc</Encrypt>\n</xml>\n'
    expect(parseCallbackEnvelope(plain).encrypt).toBe('abc')
  })

  it.each([
    ['empty', ''],
    ['JSON', '{"encrypt":"abc"}'],
    ['truncated', '<xml><Encrypt>abc</Encrypt>'],
    ['another root', '<foo><Encrypt>abc</Encrypt></foo>'],
    ['two roots', '<xml><Encrypt>a</Encrypt></xml><xml/>'],
    ['no Encrypt', '<xml><ToUserName>ww1</ToUserName></xml>'],
    ['empty Encrypt', '<xml><Encrypt></Encrypt></xml>'],
    ['nested Encrypt', '<xml><Encrypt><a>1</a></Encrypt></xml>'],
    ['DOCTYPE', '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Encrypt>&e;</Encrypt></xml>'],
    ['binary', '\u0000\u0001\u0002'],
  ])('rejects %s bodies with WECOM_BODY_MALFORMED', (_name, body) => {
    expect(() => parseCallbackEnvelope(body)).toThrow(AppError)
    try {
      parseCallbackEnvelope(body)
    } catch (err) {
      expect((err as AppError).code).toBe('WECOM_BODY_MALFORMED')
      expect((err as AppError).status).toBe(400)
    }
  })
})

describe('parseInboundMessage', () => {
  it('parses the §3.8 nurse text, keeping MsgId as a string', () => {
    expect(parseInboundMessage(NURSE_TEXT_XML)).toMatchObject({
      toUserName: 'ww1436e0e65a779aee',
      fromUserName: 'ChenJiaShun',
      createTime: '1476422779',
      msgType: 'text',
      content: '你好',
      msgId: '1456453720',
      agentId: '1000002',
    })
    const big = parseInboundMessage(NURSE_TEXT_XML.replace('1456453720', '4561255354251345929'))
    expect(big?.msgId).toBe('4561255354251345929')
  })

  it('parses the §3.7 customer-contact event', () => {
    const xml =
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime>\n' +
      '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType>\n' +
      '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID>\n' +
      '<State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>'
    const event = parseInboundMessage(xml)
    expect(event).toMatchObject({ fromUserName: 'sys', msgType: 'event', event: 'change_external_contact' })
    expect(event?.changeType).toBe('add_external_contact')
    expect(event?.fields.WelcomeCode).toBe('WELCOMECODE')
  })

  it('decodes only the predefined entities and ignores a __proto__ element', () => {
    const parsed = parseInboundMessage(
      '<xml><MsgType>text</MsgType><Content>a &amp; b &lt;c&gt;</Content><__proto__><x>1</x></__proto__></xml>',
    )
    expect(parsed?.content).toBe('a & b <c>')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('returns null without a MsgType or for non-XML', () => {
    expect(parseInboundMessage('<xml><Content>hi</Content></xml>')).toBeNull()
    expect(parseInboundMessage('1288432023552776189')).toBeNull()
    expect(parseXmlRoot('<xml>text</xml>')).toBeNull()
  })
})

describe('reply XML', () => {
  it('builds the §3.6 inner and outer documents, which parse back', () => {
    const inner = buildTextReplyXml({
      toUserName: 'ChenJiaShun',
      fromUserName: 'ww1436e0e65a779aee',
      createTime: 1476422780,
      content: 'a]]>b <c> & d',
    })
    expect(inner.startsWith('<xml><ToUserName><![CDATA[ChenJiaShun]]></ToUserName>')).toBe(true)
    expect(parseXmlRoot(inner)).toEqual({
      ToUserName: 'ChenJiaShun',
      FromUserName: 'ww1436e0e65a779aee',
      CreateTime: '1476422780',
      MsgType: 'text',
      Content: 'a]]>b <c> & d',
    })
    const outer = buildEncryptedReplyXml({ encrypt: 'abc=', msgSignature: 'sig', timestamp: '1', nonce: 'n' })
    expect(parseXmlRoot(outer)).toEqual({ Encrypt: 'abc=', MsgSignature: 'sig', TimeStamp: '1', Nonce: 'n' })
  })
})
