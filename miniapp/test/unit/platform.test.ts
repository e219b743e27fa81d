import { platform } from '../../src/platform'
import { setSimPhone, setSimUser, simulatorPlatform } from '../../src/platform/simulator'
import { hostSubscribeSheet } from '../../src/platform/subscribe-sheet'
import { weappPlatform } from '../../src/platform/weapp'
import { fakeApi, ok, SIM_BASE, simulatedConfig } from '../fake-api'
import { taro } from '../taro-mock'

describe('platform selection', () => {
  it('uses the simulator outside the weapp build', () => {
    expect(platform).toBe(simulatorPlatform)
  })
})

describe('weapp platform', () => {
  it('returns the wx.login code', async () => {
    taro.login.mockResolvedValue({ code: 'wx-123', errMsg: 'login:ok' })
    await expect(weappPlatform.login()).resolves.toEqual({ code: 'wx-123' })
  })

  it('fails login with a Chinese message when WeChat gives no code', async () => {
    taro.login.mockRejectedValue(
      Object.assign(new Error('login:fail timeout'), { errMsg: 'login:fail timeout' }),
    )
    await expect(weappPlatform.login()).rejects.toMatchObject({
      message: '微信登录失败，请稍后重试',
      detail: 'login:fail timeout',
    })
  })

  it('maps a cancelled payment to cancel and a paid one to ok', async () => {
    const params = {
      outTradeNo: 'CL1',
      timeStamp: '1700000000',
      nonceStr: 'n',
      package: 'prepay_id=wx1',
      signType: 'RSA' as const,
      paySign: 'sig',
    }
    taro.requestPayment.mockRejectedValueOnce(
      Object.assign(new Error('requestPayment:fail cancel'), { errMsg: 'requestPayment:fail cancel' }),
    )
    await expect(weappPlatform.requestPayment(params)).resolves.toBe('cancel')
    taro.requestPayment.mockResolvedValueOnce({ errMsg: 'requestPayment:ok' })
    await expect(weappPlatform.requestPayment(params)).resolves.toBe('ok')
    expect(taro.requestPayment).toHaveBeenLastCalledWith({
      timeStamp: '1700000000',
      nonceStr: 'n',
      package: 'prepay_id=wx1',
      signType: 'RSA',
      paySign: 'sig',
    })
  })

  it('keeps only the decisions of the requested templates', async () => {
    taro.requestSubscribeMessage.mockResolvedValue({
      errMsg: 'requestSubscribeMessage:ok',
      T1: 'accept',
      T2: 'reject',
    })
    await expect(weappPlatform.requestSubscribeMessage(['T1', 'T2'])).resolves.toEqual({
      T1: 'accept',
      T2: 'reject',
    })
    await expect(weappPlatform.requestSubscribeMessage(['a', 'b', 'c', 'd'])).rejects.toThrow('at most 3')
  })

  it('takes the phone code from the button event', async () => {
    await expect(weappPlatform.phoneCode({ code: 'phone-1' })).resolves.toBe('phone-1')
    await expect(weappPlatform.phoneCode({ errMsg: 'getPhoneNumber:fail user deny' })).rejects.toThrow(
      '未获得手机号授权',
    )
  })
})

describe('simulator platform', () => {
  it('mints a login code from the WeChat simulator the server names', async () => {
    const sent = fakeApi({
      'GET /api/v1/client-config': ok({ ...simulatedConfig, simulators: { wechat: `${SIM_BASE}/` } }),
      [`POST ${SIM_BASE}/_sim/wx/login`]: ok({ code: 'sim-code', openid: 'o' }),
    })
    await expect(simulatorPlatform.login()).resolves.toEqual({ code: 'sim-code' })
    expect(sent[1]!.data).toEqual({ user: expect.stringMatching(/^sim-/) as unknown })
  })

  it('refuses to log in against a production server', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok({ mode: 'production', hospitalName: 'H' }) })
    await expect(simulatorPlatform.login()).rejects.toThrow('请在微信中打开小程序登录')
  })

  it('mints a getPhoneNumber code for the phone the tester chose (default 13812345678)', async () => {
    const sent = fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-1' }),
    })
    setSimUser('demo')
    await expect(simulatorPlatform.phoneCode()).resolves.toBe('phone-code-1')
    expect(sent[1]!.data).toEqual({ user: 'demo', phone: '13812345678' })

    setSimPhone('13900001111')
    await simulatorPlatform.phoneCode()
    expect(sent[2]!.data).toEqual({ user: 'demo', phone: '13900001111' })
    expect(() => setSimPhone('12345')).toThrow('请输入 11 位手机号')
  })

  it('copies through Taro.setClipboardData and reports a failure in Chinese', async () => {
    await simulatorPlatform.setClipboard('{"a":1}')
    expect(taro.setClipboardData).toHaveBeenCalledWith({ data: '{"a":1}' })
    taro.setClipboardData.mockRejectedValueOnce({ errMsg: 'setClipboardData:fail' })
    await expect(weappPlatform.setClipboard('x')).rejects.toThrow('复制失败')
  })

  it('asks in the sheet, then tells the WeChat simulator the decisions for the logged-in user', async () => {
    setSimUser('demo')
    const sent = fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`GET ${SIM_BASE}/_sim/wx/templates`]: ok({
        templates: [
          { id: 'T1', title: '随访提醒' },
          { id: 'T2', title: '问卷填写提醒' },
        ],
      }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [{ user: 'demo', openid: 'o-demo', unionid: 'u' }] }),
      [`POST ${SIM_BASE}/_sim/wx/subscribe`]: ok({ openid: 'o-demo', credits: [] }),
    })
    const answered: string[][] = []
    const unhost = hostSubscribeSheet((r) => {
      if (!r) return
      answered.push(r.templates.map((t) => t.title))
      r.answer({ T1: 'accept' })
    })
    try {
      await expect(simulatorPlatform.requestSubscribeMessage(['T1', 'T2'])).resolves.toEqual({
        T1: 'accept',
        T2: 'reject',
      })
    } finally {
      unhost()
    }
    expect(answered).toEqual([['随访提醒', '问卷填写提醒']])
    expect(sent.at(-1)).toMatchObject({
      method: 'POST',
      url: `${SIM_BASE}/_sim/wx/subscribe`,
      data: { openid: 'o-demo', decisions: { T1: 'accept', T2: 'reject' } },
    })
    await expect(simulatorPlatform.requestSubscribeMessage(['a', 'b', 'c', 'd'])).rejects.toThrow('at most 3')
  })

  it('without a sheet on the page, asks with one confirm dialog (取消 refuses all)', async () => {
    setSimUser('demo')
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`GET ${SIM_BASE}/_sim/wx/templates`]: ok({ templates: [] }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [{ user: 'demo', openid: 'o-demo', unionid: 'u' }] }),
      [`POST ${SIM_BASE}/_sim/wx/subscribe`]: ok({ openid: 'o-demo', credits: [] }),
    })
    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    await expect(simulatorPlatform.requestSubscribeMessage(['T1'])).resolves.toEqual({ T1: 'reject' })
    expect(taro.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ confirmText: '允许', cancelText: '拒绝' }),
    )
  })

  it('refuses to record a decision the simulator does not know the user for', async () => {
    setSimUser('nobody')
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`GET ${SIM_BASE}/_sim/wx/templates`]: ok({ templates: [] }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [] }),
    })
    await expect(simulatorPlatform.requestSubscribeMessage(['T1'])).rejects.toThrow('请重新登录')
  })

  const payParams = {
    outTradeNo: 'CL1',
    timeStamp: '1',
    nonceStr: 'n',
    package: 'prepay_id=1',
    signType: 'RSA' as const,
    paySign: 's',
  }

  it('does not pretend a payment succeeded when no WeChat Pay simulator is configured', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok(simulatedConfig) })
    await expect(simulatorPlatform.requestPayment(payParams)).rejects.toThrow('not available in this build')
  })

  it('pays through the WeChat Pay simulator client hook, as WeChat would', async () => {
    const PAY = 'http://127.0.0.1:41235'
    const sent = fakeApi({
      'GET /api/v1/client-config': ok({
        ...simulatedConfig,
        simulators: { wechat: SIM_BASE, pay: `${PAY}/` },
      }),
      [`POST ${PAY}/_sim/pay/CL1/pay`]: ok({ errMsg: 'requestPayment:ok' }),
    })
    await expect(simulatorPlatform.requestPayment(payParams)).resolves.toBe('ok')
    expect(sent.at(-1)!.data).toEqual({
      timeStamp: '1',
      nonceStr: 'n',
      package: 'prepay_id=1',
      signType: 'RSA',
      paySign: 's',
    })
    fakeApi({
      'GET /api/v1/client-config': ok({ ...simulatedConfig, simulators: { wechat: SIM_BASE, pay: PAY } }),
      [`POST ${PAY}/_sim/pay/CL1/pay`]: {
        status: 400,
        data: { errMsg: 'requestPayment:fail invalid paySign', error: 'requestPayment:fail invalid paySign' },
      },
    })
    await expect(simulatorPlatform.requestPayment(payParams)).rejects.toThrow(
      '支付失败：requestPayment:fail invalid paySign',
    )
  })
})
