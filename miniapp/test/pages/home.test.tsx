import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import HomePage from '../../src/pages/index/index'
import { SESSION_KEYS } from '../../src/api/session'
import { fail, fakeApi, logIn, me, member, noContent, ok, patient } from '../fake-api'
import { taro, stored } from '../taro-mock'

describe('home page', () => {
  it('greets the patient by name and shows an empty follow-up list and the service entries', async () => {
    logIn()
    const sent = fakeApi({ 'GET /api/v1/me': ok(me(patient('张三'))) })

    const { container } = render(<HomePage />)

    expect(await screen.findByText('张三，您好')).toBeTruthy()
    expect(container.querySelector('.greeting')?.textContent).toBe('张三，您好')
    expect(screen.getByText('今日随访')).toBeTruthy()
    expect(screen.getByText('暂无待完成的随访任务')).toBeTruthy()
    for (const t of ['个人资料', '家庭成员', '设置', '我的数据']) expect(screen.getByText(t)).toBeTruthy()
    // no family members: no switcher
    expect(container.querySelector('.switch-profile')).toBeNull()
    expect(sent[0]!.header.Authorization).toBe('Bearer access-1')
  })

  it('opens each service page from its entry', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me': ok(me(patient('张三'))) })
    const { container } = render(<HomePage />)
    await screen.findByText('张三，您好')
    const expected: [string, string][] = [
      ['.entry-profile', '/pages/profile/profile'],
      ['.entry-family', '/pages/family/family'],
      ['.entry-settings', '/pages/settings/settings'],
      ['.entry-my-data', '/pkg-mine/my-data/my-data'],
      ['.entry-communities', '/pkg-community/communities/communities'],
    ]
    for (const [selector, url] of expected) {
      fireEvent.click(container.querySelector(selector)!)
      expect(taro.navigateTo).toHaveBeenLastCalledWith({ url })
    }
  })

  it('shows the active family member with a 切换 link when the account manages family', async () => {
    logIn()
    const mother = member('王桂兰', 'parent')
    fakeApi({ 'GET /api/v1/me': ok(me(mother, { others: [patient('张三')] })) })
    const { container } = render(<HomePage />)
    expect(await screen.findByText('王桂兰，您好')).toBeTruthy()
    expect(container.querySelector('.active-profile')?.textContent).toContain('父母')
    fireEvent.click(screen.getByText('切换 ›'))
    expect(taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/family/family' })
  })

  it('sends a profile without care consent to the privacy policy before anything else', async () => {
    logIn()
    const sent = fakeApi({ 'GET /api/v1/me': ok(me(patient(null), { careConsent: false })) })
    render(<HomePage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
    expect(sent.map((r) => r.url)).toEqual(['/api/v1/me'])
  })

  it('sends a visitor without a session to login without calling the API', async () => {
    const sent = fakeApi({})
    render(<HomePage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(sent).toHaveLength(0)
  })

  it('clears a rejected session and goes to login', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me': fail(401, 'AUTH_TOKEN_INVALID', 'invalid token') })
    render(<HomePage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
  })

  it('sends a consented patient without a name to the profile form', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me': ok(me(patient(null))) })
    render(<HomePage />)
    await waitFor(() =>
      expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/profile-setup/profile-setup' }),
    )
  })

  it('shows a load failure with a retry that works', async () => {
    logIn()
    let calls = 0
    fakeApi({
      'GET /api/v1/me': () => (++calls === 1 ? fail(500, 'INTERNAL', 'boom') : ok(me(patient('张三')))),
    })
    render(<HomePage />)
    expect(await screen.findByText('服务器开小差了，请稍后重试')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    expect(await screen.findByText('张三，您好')).toBeTruthy()
  })

  it('logs out: revokes the refresh token on the server, clears the tokens and returns to login', async () => {
    logIn()
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'POST /api/v1/auth/logout': noContent(),
    })
    render(<HomePage />)
    fireEvent.click(await screen.findByText('退出登录'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(sent.find((r) => r.url === '/api/v1/auth/logout')?.data).toEqual({ refreshToken: 'refresh-1' })
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
    expect(stored(SESSION_KEYS.refreshToken)).toBe('')
  })

  it('logs out locally even when the server cannot be reached', async () => {
    logIn()
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'POST /api/v1/auth/logout': { networkError: 'request:fail' },
    })
    render(<HomePage />)
    fireEvent.click(await screen.findByText('退出登录'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(stored(SESSION_KEYS.refreshToken)).toBe('')
  })
})
