import { parseNurseCommand } from './command-parse'

const tag = (patient: string, name: string, reason?: string) => ({
  kind: 'tag',
  action: 'tag',
  patient,
  tag: name,
  reason,
})
const untag = (patient: string, name: string, reason?: string) => ({
  ...tag(patient, name, reason),
  action: 'untag',
})

describe('parseNurseCommand', () => {
  it.each(['帮助', 'help', 'HELP', '?', '？', '  帮助  ', '', '帮助。', '　ｈｅｌｐ　'])(
    'reads %j as help',
    (text) => {
      expect(parseNurseCommand(text)).toEqual({ kind: 'help' })
    },
  )

  it.each(['群', '群统计', ' 群 ', '群。', '我的群', '群！'])('reads %j as 群', (text) => {
    expect(parseNurseCommand(text)).toEqual({ kind: 'groups' })
  })

  it.each(['待发', '待群发', '待发？', '　待发　'])('reads %j as 待发', (text) => {
    expect(parseNurseCommand(text)).toEqual({ kind: 'pendingSends' })
  })

  it('reads 标签 <患者> <标签名> [原因], the reason being the rest of the line', () => {
    expect(parseNurseCommand('标签 张三 糖尿病')).toEqual(tag('张三', '糖尿病'))
    expect(parseNurseCommand('标签 张三 糖尿病 门诊确诊 空腹血糖 8.1')).toEqual(
      tag('张三', '糖尿病', '门诊确诊 空腹血糖 8.1'),
    )
    expect(parseNurseCommand('打标签 1234 高血压')).toEqual(tag('1234', '高血压'))
    expect(parseNurseCommand('加标签 13800001234 高血压')).toEqual(tag('13800001234', '高血压'))
  })

  it('forgives full-width spaces and punctuation, repeated separators and a glued command word', () => {
    expect(parseNurseCommand('标签　张三　糖尿病　门诊确诊')).toEqual(tag('张三', '糖尿病', '门诊确诊'))
    expect(parseNurseCommand('标签：张三，糖尿病，门诊确诊')).toEqual(tag('张三', '糖尿病', '门诊确诊'))
    expect(parseNurseCommand('标签、张三、糖尿病')).toEqual(tag('张三', '糖尿病'))
    expect(parseNurseCommand('  标签   张三    糖尿病   ')).toEqual(tag('张三', '糖尿病'))
    expect(parseNurseCommand('标签张三 糖尿病')).toEqual(tag('张三', '糖尿病'))
    expect(parseNurseCommand('标签 １２３４ 糖尿病')).toEqual(tag('1234', '糖尿病'))
    expect(parseNurseCommand('标签 张三 糖尿病\n门诊\t确诊')).toEqual(tag('张三', '糖尿病', '门诊 确诊'))
  })

  it('reads untagging: 去标签 …, 取消标签 …, or a dash before the tag name', () => {
    expect(parseNurseCommand('去标签 张三 糖尿病 复查排除')).toEqual(untag('张三', '糖尿病', '复查排除'))
    expect(parseNurseCommand('取消标签 张三 糖尿病')).toEqual(untag('张三', '糖尿病'))
    expect(parseNurseCommand('标签 张三 -糖尿病')).toEqual(untag('张三', '糖尿病'))
    expect(parseNurseCommand('标签 张三 －糖尿病 误打')).toEqual(untag('张三', '糖尿病', '误打'))
    expect(parseNurseCommand('标签 张三 ——糖尿病')).toEqual(untag('张三', '糖尿病'))
    expect(parseNurseCommand('标签 张三 - 糖尿病 误打')).toEqual(untag('张三', '糖尿病', '误打'))
    expect(parseNurseCommand('去标签 张三 -糖尿病')).toEqual(untag('张三', '糖尿病'))
  })

  it('answers an incomplete 标签 with its usage', () => {
    expect(parseNurseCommand('标签')).toEqual({ kind: 'tagUsage', action: 'tag' })
    expect(parseNurseCommand('标签 张三')).toEqual({ kind: 'tagUsage', action: 'tag' })
    expect(parseNurseCommand('去标签 张三')).toEqual({ kind: 'tagUsage', action: 'untag' })
    expect(parseNurseCommand('标签 张三 -')).toEqual({ kind: 'tagUsage', action: 'untag' })
  })

  it.each(['今日随访', '随访', 'jr', 'JR', '今日随访。', '　随访　', '今天随访'])(
    'reads %j as 今日随访',
    (text) => {
      expect(parseNurseCommand(text)).toEqual({ kind: 'today' })
    },
  )

  it('reads 完成 <序号|任务号> [备注]', () => {
    const done = (item: string, note?: string) => ({ kind: 'complete', item, note })
    expect(parseNurseCommand('完成 1')).toEqual(done('1'))
    expect(parseNurseCommand(' 完成　42 ')).toEqual(done('42'))
    expect(parseNurseCommand('完成3')).toEqual(done('3'))
    expect(parseNurseCommand('完成 第2项')).toEqual(done('2'))
    expect(parseNurseCommand('完成 ＃A1B2C3')).toEqual(done('a1b2c3'))
    expect(parseNurseCommand('完成 a1b2c3 已电话联系，伤口正常')).toEqual(
      done('a1b2c3', '已电话联系,伤口正常'),
    )
    expect(parseNurseCommand('完成 １２')).toEqual(done('12'))
  })

  it('answers a 完成 without a usable item with its usage', () => {
    for (const text of ['完成', '完成 张三', '完成 1234', '完成 abcdefg'])
      expect(parseNurseCommand(text)).toEqual({ kind: 'completeUsage' })
  })

  it('reads 入组 <患者> <方案名> [日期], the plan name being everything before the date', () => {
    const enrol = (patient: string, plan: string, anchorDate?: string) => ({
      kind: 'enrol',
      patient,
      plan,
      anchorDate,
    })
    expect(parseNurseCommand('入组 张三 术后随访')).toEqual(enrol('张三', '术后随访'))
    expect(parseNurseCommand('入组 张三 术后随访 2026-03-05')).toEqual(
      enrol('张三', '术后随访', '2026-03-05'),
    )
    expect(parseNurseCommand('入组，1234，术后随访，2026/3/5')).toEqual(
      enrol('1234', '术后随访', '2026-03-05'),
    )
    expect(parseNurseCommand('入组 张三 髋关节 术后随访 2026.3.5')).toEqual(
      enrol('张三', '髋关节 术后随访', '2026-03-05'),
    )
    expect(parseNurseCommand('入组张三 术后随访')).toEqual(enrol('张三', '术后随访'))
    // a date alone is not a plan name
    expect(parseNurseCommand('入组 张三 2026-03-05')).toEqual(enrol('张三', '2026-03-05'))
  })

  it('answers an incomplete 入组 with its usage', () => {
    expect(parseNurseCommand('入组')).toEqual({ kind: 'enrolUsage' })
    expect(parseNurseCommand('入组 张三')).toEqual({ kind: 'enrolUsage' })
  })

  it('leaves everything else unknown (normalized)', () => {
    expect(parseNurseCommand('查患者 张三')).toEqual({ kind: 'unknown', text: '查患者 张三' })
    expect(parseNurseCommand('随访率')).toEqual({ kind: 'unknown', text: '随访率' })
    expect(parseNurseCommand('群里有多少人')).toEqual({ kind: 'unknown', text: '群里有多少人' })
  })
})
