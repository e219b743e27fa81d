import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import ProfilePage from '../../src/pages/profile/profile'
import { fail, fakeApi, logIn, me, ok, patient, SIM_BASE, simulatedConfig } from '../fake-api'
import { taro } from '../taro-mock'

const type = (container: HTMLElement, selector: string, value: string) =>
  fireEvent.change(container.querySelector(selector)!, { target: { value } })

describe('profile page', () => {
  beforeEach(logIn)

  it('saves name, gender, birth year and hospital patient id with PUT (empty optional fields cleared)', async () => {
    const saved = patient('张三丰', { gender: 'male', birthYear: 1960, hospitalPatientId: 'ZY-001' })
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三', { hospitalPatientId: 'OLD' }))),
      'PUT /api/v1/me': ok(me(saved)),
      'GET /api/v1/client-config': ok(simulatedConfig),
    })
    const { container } = render(<ProfilePage />)
    await screen.findByText('基本信息')
    type(container, '.profile-name-input', '张三丰')
    fireEvent.click(container.querySelector('.gender-chips .chip-male')!)
    type(container, '.birth-year-input', '1960')
    type(container, '.hospital-id-input', ' ZY-001 ')
    fireEvent.click(container.querySelector('.profile-save')!)
    await waitFor(() => expect(taro.showToast).toHaveBeenCalled())
    expect(sent.find((r) => r.method === 'PUT')?.data).toEqual({
      name: '张三丰',
      gender: 'male',
      birthYear: 1960,
      hospitalPatientId: 'ZY-001',
    })
  })

  it('shows inline errors for bad input without calling the server', async () => {
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/client-config': ok(simulatedConfig),
    })
    const { container } = render(<ProfilePage />)
    await screen.findByText('基本信息')
    type(container, '.profile-name-input', '  ')
    type(container, '.birth-year-input', '3000')
    type(container, '.hospital-id-input', '住院号')
    fireEvent.click(container.querySelector('.profile-save')!)
    expect(screen.getByText('请输入姓名')).toBeTruthy()
    expect(screen.getByText('出生年份不能晚于今年')).toBeTruthy()
    expect(screen.getByText(/住院号只能包含字母/)).toBeTruthy()
    expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(0)
  })

  it('maps a server 400 to the field it names', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/client-config': ok(simulatedConfig),
      'PUT /api/v1/me': fail(400, 'VALIDATION_FAILED', 'Invalid body', [
        { path: 'name', message: 'name must not contain control characters' },
      ]),
    })
    const { container } = render(<ProfilePage />)
    await screen.findByText('基本信息')
    fireEvent.click(container.querySelector('.profile-save')!)
    expect(await screen.findByText('请输入 1–20 个字的姓名')).toBeTruthy()
    expect(container.querySelector('.has-error .profile-name-input')).toBeTruthy()
  })

  it('binds the phone with a getPhoneNumber code and shows it masked', async () => {
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': ok(me(patient('张三'), { phone: '139****1111' })),
    })
    const { container } = render(<ProfilePage />)
    await screen.findByText('未绑定')
    await screen.findByText('模拟器 · 微信手机号')
    // the simulator panel picks the number the simulated WeChat hands out
    type(container, '.sim-phone-input', '13900001111')
    fireEvent.click(screen.getByText('绑定手机号'))
    expect(await screen.findByText('139****1111')).toBeTruthy()
    expect(sent.find((r) => r.url.endsWith('/_sim/wx/phone'))?.data).toMatchObject({ phone: '13900001111' })
    expect(sent.find((r) => r.url === '/api/v1/me/phone')?.data).toEqual({ code: 'phone-code-9' })
    expect(screen.getByText('更换手机号')).toBeTruthy()
  })

  it('shows an invalid phone code in Chinese', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': fail(400, 'PHONE_CODE_INVALID', 'invalid code'),
    })
    render(<ProfilePage />)
    await screen.findByText('未绑定')
    fireEvent.click(screen.getByText('绑定手机号'))
    expect(await screen.findByText('手机号授权已失效，请重新获取')).toBeTruthy()
  })

  it('sends a profile without care consent to the consent page (CONSENT_REQUIRED)', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': fail(403, 'CONSENT_REQUIRED', 'consent required'),
    })
    render(<ProfilePage />)
    await screen.findByText('未绑定')
    fireEvent.click(screen.getByText('绑定手机号'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
  })
})
