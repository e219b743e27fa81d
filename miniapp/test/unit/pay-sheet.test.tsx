import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import { PaySheet } from '../../src/components/PaySheet'
import { simulatorPlatform } from '../../src/platform/simulator'
import { fakeApi, ok, SIM_BASE, simulatedConfig } from '../fake-api'
import { taro } from '../taro-mock'

const PAY = 'http://127.0.0.1:41235'
const params = {
  outTradeNo: 'CL20260502ABCDEF',
  timeStamp: '1777777777',
  nonceStr: 'n',
  package: 'prepay_id=wx1',
  signType: 'RSA' as const,
  paySign: 's',
  amountFen: 2990,
  description: 'CareLoop 月度会员',
}
const routes = () =>
  fakeApi({
    'GET /api/v1/client-config': ok({ ...simulatedConfig, simulators: { wechat: SIM_BASE, pay: PAY } }),
    [`POST ${PAY}/_sim/pay/CL20260502ABCDEF/pay`]: ok({
      errMsg: 'requestPayment:ok',
      transaction_id: '42000001',
    }),
  })

describe('simulator 「微信支付」 sheet', () => {
  it('shows the amount and pays through the simulator hook on 确认支付', async () => {
    const sent = routes()
    const { container } = render(<PaySheet />)
    const paying = simulatorPlatform.requestPayment(params)
    await screen.findByText('确认支付')
    expect(container.querySelector('.pay-amount')?.textContent).toBe('¥29.90')
    expect(container.querySelector('.pay-desc')?.textContent).toBe('CareLoop 月度会员')
    expect(sent.some((r) => r.url.includes('/_sim/pay/'))).toBe(false)
    fireEvent.click(container.querySelector('.pay-confirm')!)
    await expect(paying).resolves.toBe('ok')
    expect(sent.at(-1)).toMatchObject({
      method: 'POST',
      url: `${PAY}/_sim/pay/CL20260502ABCDEF/pay`,
      data: {
        timeStamp: '1777777777',
        nonceStr: 'n',
        package: 'prepay_id=wx1',
        signType: 'RSA',
        paySign: 's',
      },
    })
    await waitFor(() => expect(container.querySelector('.pay-sheet')).toBeNull())
  })

  it('answers cancel on 取消 and pays nothing', async () => {
    const sent = routes()
    const { container } = render(<PaySheet />)
    const paying = simulatorPlatform.requestPayment(params)
    await screen.findByText('确认支付')
    fireEvent.click(container.querySelector('.pay-cancel')!)
    await expect(paying).resolves.toBe('cancel')
    expect(sent.some((r) => r.url.includes('/_sim/pay/'))).toBe(false)
  })

  it('asks with a plain 微信支付 dialog on a page without the sheet', async () => {
    const sent = routes()
    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    await expect(simulatorPlatform.requestPayment(params)).resolves.toBe('cancel')
    expect(taro.showModal).toHaveBeenCalledWith(
      expect.objectContaining({
        title: '微信支付',
        content: 'CareLoop 月度会员\n¥29.90',
        confirmText: '确认支付',
      }),
    )
    expect(sent.some((r) => r.url.includes('/_sim/pay/'))).toBe(false)
  })
})
