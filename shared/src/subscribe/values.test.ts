import {
  checkSubscribeValue,
  fitSubscribeValue,
  subscribeKeyType,
  validateSubscribeData,
  type SubscribeKeyType,
} from './values'

describe('subscribeKeyType', () => {
  it.each([
    ['thing1', 'thing'],
    ['time12', 'time'],
    ['phone_number3', 'phone_number'],
    ['character_string2', 'character_string'],
    ['number7', 'number'],
    ['car_number1', 'car_number'],
    ['amount4', 'amount'],
    ['date5', 'date'],
    ['name2', 'name'],
    ['phrase9', 'phrase'],
    ['letter1', 'letter'],
    ['symbol1', 'symbol'],
    ['enum1', 'enum'],
  ])('%s → %s', (key, type) => {
    expect(subscribeKeyType(key)).toBe(type)
  })

  it.each(['thing', 'thing0', 'Thing1', 'things1', 'thing1 ', 'foo1', '1thing', 'number_1', ''])(
    '%j is no key',
    (key) => {
      expect(subscribeKeyType(key)).toBeUndefined()
    },
  )
})

describe('checkSubscribeValue', () => {
  const ok: [SubscribeKeyType, string][] = [
    ['thing', '高血压复诊'],
    ['thing', '一二三四五六七八九十一二三四五六七八九十'],
    ['thing', 'Follow-up #3 (心内科)'],
    ['number', '12'],
    ['number', '3.1415'],
    ['letter', 'ABCxyz'],
    ['symbol', '★☆'],
    ['character_string', 'ORD-2024_0001'],
    ['phone_number', '+86 (10) 12345678'],
    ['car_number', '粤A8Z888挂'],
    ['name', '张三'],
    ['name', 'Zhang San'],
    ['phrase', '已完成'],
    ['amount', '¥100.50元'],
    ['amount', '$9'],
    ['time', '15:01'],
    ['time', '2019年10月1日 15:01'],
    ['time', '2019-10-01 08:00~09:30'],
    ['time', '2024/2/29 23:59:59'],
    ['date', '2019年10月1日'],
    ['date', '2019.10.01 15:01'],
    ['date', '2019-10-01 ~ 2019-10-07'],
  ]
  it.each(ok)('%s accepts %j', (type, value) => {
    expect(checkSubscribeValue(type, value)).toBeUndefined()
  })

  const bad: [SubscribeKeyType, string, string][] = [
    ['thing', '', 'is empty'],
    ['thing', '   ', 'is empty'],
    ['thing', '一二三四五六七八九十一二三四五六七八九十一', 'exceeds 20 characters'],
    ['thing', 'line\nbreak', 'contains control characters'],
    ['number', '1e5', 'must be digits, optionally with decimals'],
    ['number', '1'.repeat(33), 'exceeds 32 digits'],
    ['letter', 'abc1', 'must be letters only'],
    ['symbol', '!!!!!!', 'exceeds 5 characters'],
    ['character_string', 'a b', 'must be digits, letters or symbols'],
    ['phone_number', '1'.repeat(18), 'exceeds 17 characters'],
    ['phone_number', '---', 'must be a phone number (digits and + - ( ) # *)'],
    ['name', '欧阳一二三四五六七八九', 'exceeds 10 characters'],
    ['name', 'Zhang3', 'must be letters, CJK characters or symbols'],
    ['phrase', '完成了啊啊啊', 'exceeds 5 characters'],
    ['phrase', 'done', 'must be CJK characters only'],
    ['amount', '100', 'must be one currency symbol and digits, optionally ending in 元'],
    ['amount', '¥12345678901', 'exceeds 10 digits'],
  ]
  it.each(bad)('%s rejects %j: %s', (type, value, reason) => {
    expect(checkSubscribeValue(type, value)).toBe(reason)
  })

  it.each([
    ['time', '25:00'],
    ['time', '15:60'],
    ['time', '2019年10月1日'],
    ['time', '2023-02-29 10:00'],
    ['time', '10:00~11:00~12:00'],
    ['time', '明天下午'],
    ['date', '15:01'],
    ['date', '2019-13-01'],
    ['date', '2019-10/01'],
  ] as [SubscribeKeyType, string][])('%s rejects %j', (type, value) => {
    expect(checkSubscribeValue(type, value)).toMatch(/^must be a/)
  })

  it('enum values must be one of the template values when they are known', () => {
    expect(checkSubscribeValue('enum', '待支付', { enumValues: ['待支付', '已支付'] })).toBeUndefined()
    expect(checkSubscribeValue('enum', '已取消', { enumValues: ['待支付', '已支付'] })).toBe(
      'is not a value of the template',
    )
  })
})

describe('validateSubscribeData', () => {
  it('passes valid data', () => {
    expect(
      validateSubscribeData({ thing1: { value: '复诊' }, time2: { value: '2024年5月1日 09:00' } }),
    ).toEqual({ ok: true })
  })

  it('words failures like WeChat 47003 and names the field', () => {
    expect(validateSubscribeData({ thing1: { value: '' } })).toEqual({
      ok: false,
      field: 'thing1',
      message: 'argument invalid! data.thing1.value is empty',
    })
    expect(validateSubscribeData({ thing1: { value: 'x'.repeat(21) } })).toEqual({
      ok: false,
      field: 'thing1',
      message: 'argument invalid! data.thing1.value exceeds limit',
    })
    expect(validateSubscribeData({ thing1: { value: 'a' }, time2: { value: 'soon' } })).toEqual({
      ok: false,
      field: 'time2',
      message: 'argument invalid! data.time2.value invalid',
    })
  })

  it('checks the template keys when given: a missing key is empty, an unknown one invalid', () => {
    const keys = ['thing1', 'time2']
    expect(validateSubscribeData({ thing1: { value: 'a' } }, { keys })).toMatchObject({
      ok: false,
      field: 'time2',
      message: 'argument invalid! data.time2.value is empty',
    })
    expect(validateSubscribeData({ foo1: { value: 'a' } })).toMatchObject({ ok: false, field: 'foo1' })
    const notString = { thing1: { value: 5 } } as unknown as Record<string, { value: string }>
    expect(validateSubscribeData(notString)).toMatchObject({ ok: false, field: 'thing1' })
  })

  it('checks enum keys against their values', () => {
    const data = { enum1: { value: 'x' } }
    expect(validateSubscribeData(data, { enumValues: { enum1: ['y'] } })).toMatchObject({ ok: false })
    expect(validateSubscribeData(data, { enumValues: { enum1: ['x'] } })).toEqual({ ok: true })
  })
})

describe('fitSubscribeValue', () => {
  it('makes thing values fit: control characters out, ends trimmed, cut to 20 with …', () => {
    expect(fitSubscribeValue('thing', '  复诊\n提醒\t ')).toBe('复诊 提醒')
    const long = fitSubscribeValue('thing', '一二三四五六七八九十一二三四五六七八九十一二')
    expect(long).toBe('一二三四五六七八九十一二三四五六七八九…')
    expect([...long!]).toHaveLength(20)
    expect(fitSubscribeValue('thing', '\n\t ')).toBeUndefined()
  })

  it('passes valid values of other types through (trimmed) and gives up on the rest', () => {
    expect(fitSubscribeValue('time', ' 2024-05-01 09:00 ')).toBe('2024-05-01 09:00')
    expect(fitSubscribeValue('date', '2024年5月1日')).toBe('2024年5月1日')
    expect(fitSubscribeValue('time', 'tomorrow')).toBeUndefined()
    expect(fitSubscribeValue('phrase', '已经全部完成了')).toBeUndefined()
    expect(fitSubscribeValue('name', '欧阳一二三四五六七八九')).toBeUndefined()
    expect(fitSubscribeValue('character_string', 'A-1')).toBe('A-1')
  })
})
