import { AppError } from '@careloop/shared'
import { WechatApiError } from '../../platform/wechat/wechat-client'
import { WecomApiError } from '../../platform/wecom/wecom-client'
import { classifyPushError, fieldOf47003 } from './push-errors'

const wx = (code: number, msg = 'x'): WechatApiError => new WechatApiError(code, msg, 'subscribe/send')
const wc = (code: number, msg = 'x'): WecomApiError => new WecomApiError(code, msg, 'message/send')

describe('classifyPushError', () => {
  it.each([
    [wx(-1), 'retry'],
    [wx(43108), 'retry'],
    [wx(42001), 'retry'],
    [new AppError('UPSTREAM_UNAVAILABLE', 'WeChat subscribe/send unreachable'), 'retry'],
    [new Error('socket hang up'), 'retry'],
    [wc(45009), 'backoff'],
    [wx(45011), 'backoff'],
    [wx(43101), 'fallback'],
    [wx(47003), 'permanent'],
    [wx(40037), 'permanent'],
    [wc(81013), 'permanent'],
    [wc(93000), 'permanent'],
  ] as const)('%s → %s', (e, kind) => {
    expect(classifyPushError(e).kind).toBe(kind)
  })

  it('names the field of a permanent failure', () => {
    expect(classifyPushError(wx(47003, 'argument invalid! data.time2.value invalid, rid: 1'))).toEqual({
      kind: 'permanent',
      code: '47003',
      reason: 'argument invalid! data.time2.value invalid',
      field: 'time2',
    })
    expect(classifyPushError(wx(40037))).toMatchObject({ field: 'template_id' })
    expect(classifyPushError(wx(41030))).toMatchObject({ field: 'page' })
    expect(classifyPushError(wc(93000))).toMatchObject({ field: 'key' })
  })

  it('fieldOf47003 reads WeChat wording', () => {
    expect(fieldOf47003('argument invalid! data.thing1.value is empty')).toBe('thing1')
    expect(fieldOf47003('argument invalid! data.character_string12.value exceeds limit')).toBe(
      'character_string12',
    )
    expect(fieldOf47003('something else')).toBeNull()
  })
})
