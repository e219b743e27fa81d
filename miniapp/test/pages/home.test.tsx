import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import HomePage from '../../src/pages/index/index'
import { saveSession, SESSION_KEYS } from '../../src/api/session'
import { fail, fakeApi, ok, patient } from '../fake-api'
import { taro, stored } from '../taro-mock'

const logIn = () => saveSession({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 7200 })

describe('home page', () => {
  it('greets the patient by name and shows an empty follow-up list', async () => {
    logIn()
    const sent = fakeApi({ 'GET /api/v1/me': ok({ patient: patient('张三') }) })

    const { container } = render(<HomePage />)

    expect(await screen.findByText('张三，您好')).toBeTruthy()
    expect(container.querySelector('.greeting')?.textContent).toBe('张三，您好')
    expect(screen.getByText('今日随访')).toBeTruthy()
    expect(screen.getByText('暂无待完成的随访任务')).toBeTruthy()
    expect(sent[0]!.header.Authorization).toBe('Bearer access-1')
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

  it('sends a patient without a name to the profile form', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me': ok({ patient: patient(null) }) })
    render(<HomePage />)
    await waitFor(() =>
      expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/profile-setup/profile-setup' }),
    )
  })

  it('shows a load failure with a retry that works', async () => {
    logIn()
    let calls = 0
    fakeApi({
      'GET /api/v1/me': () =>
        ++calls === 1 ? fail(500, 'INTERNAL', 'boom') : ok({ patient: patient('张三') }),
    })
    render(<HomePage />)
    expect(await screen.findByText('服务器开小差了，请稍后重试')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    expect(await screen.findByText('张三，您好')).toBeTruthy()
  })

  it('logs out: clears the tokens and returns to login', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me': ok({ patient: patient('张三') }) })
    render(<HomePage />)
    fireEvent.click(await screen.findByText('退出登录'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
    expect(stored(SESSION_KEYS.refreshToken)).toBe('')
  })
})
