import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import LoginPage from '../../src/pages/login/login'
import { platform } from '../../src/platform'
import { SESSION_KEYS } from '../../src/api/session'
import { SIM_USER_KEY } from '../../src/platform/simulator'
import { setNotice } from '../../src/services/notice'
import { ACCOUNT_ID, fail, fakeApi, ok, patient, SIM_BASE, simulatedConfig } from '../fake-api'
import { taro, stored } from '../taro-mock'

const loginOk = (name: string | null, careConsent = true) =>
  ok({
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
    expiresIn: 7200,
    account: { id: ACCOUNT_ID, phone: null, activeProfileId: patient(name).id },
    patient: patient(name),
    careConsent,
  })

const loginButton = () => screen.getByText('微信一键登录')
const simInput = (container: HTMLElement) => container.querySelector<HTMLInputElement>('.sim-user-input')

describe('login page', () => {
  it('logs a new patient in through the platform and the API, stores the tokens, then shows the privacy policy', async () => {
    const sent = fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/login`]: ok({ code: 'wx-code-1', openid: 'o-1', unionid: 'u-1' }),
      'POST /api/v1/auth/wechat/login': loginOk(null, false),
    })
    const login = jest.spyOn(platform, 'login')

    render(<LoginPage />)
    fireEvent.click(loginButton())

    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
    // nothing patient-scoped before consent
    expect(sent.map((r) => r.url)).toEqual([
      '/api/v1/client-config',
      `${SIM_BASE}/_sim/wx/login`,
      '/api/v1/auth/wechat/login',
    ])
    expect(login).toHaveBeenCalledTimes(1)
    expect(sent.find((r) => r.url === '/api/v1/auth/wechat/login')?.data).toEqual({ code: 'wx-code-1' })
    expect(stored(SESSION_KEYS.accessToken)).toBe('access-1')
    expect(stored(SESSION_KEYS.refreshToken)).toBe('refresh-1')
    login.mockRestore()
  })

  it('logs in as the simulated WeChat user typed into the panel and goes home when the name is known', async () => {
    const sent = fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/login`]: ok({ code: 'wx-code-demo', openid: 'o-demo' }),
      'POST /api/v1/auth/wechat/login': loginOk('张三'),
    })

    const { container } = render(<LoginPage />)
    expect(screen.getByText('模拟器 · 微信用户')).toBeTruthy()
    const input = simInput(container)!
    expect(input.value).toMatch(/^sim-[a-z0-9]{8}$/)

    fireEvent.change(input, { target: { value: ' demo ' } })
    fireEvent.click(loginButton())

    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(sent.find((r) => r.url === `${SIM_BASE}/_sim/wx/login`)?.data).toEqual({ user: 'demo' })
    expect(stored(SIM_USER_KEY)).toBe('demo')
  })

  it('asks a consented patient without a name for it', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/login`]: ok({ code: 'wx-code-3', openid: 'o-3' }),
      'POST /api/v1/auth/wechat/login': loginOk(null, true),
    })
    render(<LoginPage />)
    fireEvent.click(loginButton())
    await waitFor(() =>
      expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/profile-setup/profile-setup' }),
    )
  })

  it('shows a pending notice once (e.g. after the account was erased)', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok(simulatedConfig) })
    setNotice('您的账号已注销')
    const first = render(<LoginPage />)
    expect(screen.getByText('您的账号已注销')).toBeTruthy()
    first.unmount()
    render(<LoginPage />)
    await screen.findByText(/示例医院/)
    expect(screen.queryByText('您的账号已注销')).toBeNull()
  })

  it('keeps the same default simulated user across visits', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok(simulatedConfig) })
    const first = render(<LoginPage />)
    await screen.findByText(/示例医院/)
    const key = simInput(first.container)!.value
    first.unmount()
    const second = render(<LoginPage />)
    await screen.findByText(/示例医院/)
    expect(simInput(second.container)!.value).toBe(key)
  })

  it('shows the server error in Chinese, stays on the page and lets the patient retry', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/login`]: ok({ code: 'wx-code-2', openid: 'o-2' }),
      'POST /api/v1/auth/wechat/login': fail(400, 'AUTH_CODE_USED', 'code been used'),
    })

    render(<LoginPage />)
    fireEvent.click(loginButton())

    expect(await screen.findByText('微信登录凭证已失效，请重新登录')).toBeTruthy()
    expect(taro.reLaunch).not.toHaveBeenCalled()
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
    await waitFor(() => expect((loginButton() as HTMLButtonElement).disabled).toBe(false))
  })

  it('shows a network failure as a network message', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      [`POST ${SIM_BASE}/_sim/wx/login`]: { networkError: 'request:fail' },
    })
    render(<LoginPage />)
    fireEvent.click(loginButton())
    expect(await screen.findByText('网络连接失败，请检查网络后重试')).toBeTruthy()
  })

  it('hides the simulator panel against a production server', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok({ mode: 'production', hospitalName: '示例医院' }) })
    const { container } = render(<LoginPage />)
    await screen.findByText(/示例医院/)
    expect(container.querySelector('.sim-user-input')).toBeNull()
    expect(screen.queryByText('模拟器 · 微信用户')).toBeNull()
  })
})
