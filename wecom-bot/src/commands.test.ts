import type { WecomInboundMessage } from './callback-xml'
import { ENROL_USAGE_TEXT } from './followup-format'
import {
  addressOf,
  COMPLETE_USAGE_TEXT,
  handleNurseCommand,
  HELP_TEXT,
  NEEDS_SERVER_TEXT,
  NURSE_COMMANDS,
  nurseMessageHandler,
  TAG_USAGE_TEXT,
} from './commands'

describe('handleNurseCommand', () => {
  it.each(['帮助', 'help', 'HELP', '?', '？', '  帮助  ', ''])('answers %j with the help text', (text) => {
    expect(handleNurseCommand('ChenJiaShun', text)).toBe(HELP_TEXT)
  })

  it('lists every command and says which ones work now', () => {
    for (const usage of [
      '标签 <患者> <标签名> [原因]',
      '去标签 <患者> <标签名> [原因]',
      '群',
      '待发',
      '今日随访',
      '完成 <序号>',
      '入组 <患者> <方案名> [日期]',
      '查患者 <姓名/手机尾号>',
    ]) {
      expect(HELP_TEXT).toContain(usage)
    }
    const [now, later] = HELP_TEXT.split('即将上线（暂不可用）：')
    expect(now).toContain('现在可用：')
    expect(now).toContain('帮助')
    expect(now).toContain('标签 <患者> -<标签名>')
    expect(now).toContain('手机尾号')
    expect(now).toContain('今日随访')
    expect(now).not.toContain('查患者')
    expect(later).toContain('查患者')
    expect(NURSE_COMMANDS.filter((command) => command.available).map((command) => command.usage)).toEqual([
      '帮助',
      '标签 <患者> <标签名> [原因]',
      '去标签 <患者> <标签名> [原因]',
      '群',
      '待发',
      '今日随访',
      '完成 <序号>',
      '入组 <患者> <方案名> [日期]',
    ])
    expect(new TextEncoder().encode(`李娜护士长，您好。\n${HELP_TEXT}`).length).toBeLessThanOrEqual(2048)
  })

  it('does not pretend the planned commands work', () => {
    expect(handleNurseCommand('u1', '查患者 张三')).toBe(
      '暂不支持「查患者 张三」。发送「帮助」查看可用指令。',
    )
  })

  it('without a server, says the server commands cannot run but still explains their usage', () => {
    expect(handleNurseCommand('u1', '群')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '待发')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '标签 张三 糖尿病')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '标签 张三')).toBe(TAG_USAGE_TEXT('tag'))
    expect(handleNurseCommand('u1', '今日随访')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '完成 2')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '入组 张三 术后随访')).toBe(NEEDS_SERVER_TEXT)
    expect(handleNurseCommand('u1', '完成')).toBe(COMPLETE_USAGE_TEXT)
    expect(handleNurseCommand('u1', '入组 张三')).toBe(ENROL_USAGE_TEXT)
  })

  it('answers anything else with the unsupported text, shortening long input', () => {
    expect(handleNurseCommand('u1', '你好')).toBe('暂不支持「你好」。发送「帮助」查看可用指令。')
    const long = '一'.repeat(50)
    expect(handleNurseCommand('u1', long)).toBe(`暂不支持「${'一'.repeat(20)}…」。发送「帮助」查看可用指令。`)
  })
})

describe('nurseMessageHandler', () => {
  const message = (fields: Partial<WecomInboundMessage>): WecomInboundMessage => ({
    toUserName: 'ww1436e0e65a779aee',
    fromUserName: 'ChenJiaShun',
    createTime: '1476422779',
    msgType: 'text',
    fields: {},
    ...fields,
  })

  it('replies to text messages', async () => {
    expect(await nurseMessageHandler(message({ content: '帮助' }))).toBe(HELP_TEXT)
  })

  it('does not reply to events or other message types', async () => {
    expect(await nurseMessageHandler(message({ msgType: 'event', event: 'enter_agent' }))).toBeNull()
    expect(await nurseMessageHandler(message({ msgType: 'image' }))).toBeNull()
  })
})

describe('addressOf', () => {
  it('adds the role unless the name already carries it', () => {
    expect(addressOf({ name: '李娜', role: 'nurse' })).toBe('李娜护士')
    expect(addressOf({ name: '王护士长', role: 'head_nurse' })).toBe('王护士长')
    expect(addressOf({ name: '张敏', role: 'head_nurse' })).toBe('张敏护士长')
  })
})
