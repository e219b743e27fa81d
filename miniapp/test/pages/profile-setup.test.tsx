import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import ProfileSetupPage from '../../src/pages/profile-setup/profile-setup'
import { saveSession, SESSION_KEYS } from '../../src/api/session'
import { fail, fakeApi, me, ok, patient } from '../fake-api'
import { taro, stored } from '../taro-mock'

const typeName = (container: HTMLElement, value: string) =>
  fireEvent.change(container.querySelector('.name-input')!, { target: { value } })

describe('profile setup page', () => {
  beforeEach(() => saveSession({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 7200 }))

  it('saves the name with the access token and goes home', async () => {
    const sent = fakeApi({ 'PUT /api/v1/me': ok(me(patient('李四'))) })
    const { container } = render(<ProfileSetupPage />)

    typeName(container, '  李四 ')
    fireEvent.click(screen.getByText('保存'))

    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.data).toEqual({ name: '李四' })
    expect(sent[0]!.header.Authorization).toBe('Bearer access-1')
  })

  it('asks for a name before calling the server', () => {
    const sent = fakeApi({})
    render(<ProfileSetupPage />)
    fireEvent.click(screen.getByText('保存'))
    expect(screen.getByText('请输入姓名')).toBeTruthy()
    expect(sent).toHaveLength(0)
  })

  it('shows a validation failure in Chinese even when the server message is English', async () => {
    fakeApi({ 'PUT /api/v1/me': fail(400, 'VALIDATION_FAILED', 'Invalid body: name: too long') })
    const { container } = render(<ProfileSetupPage />)
    typeName(container, '王五')
    fireEvent.click(screen.getByText('保存'))
    expect(await screen.findByText('填写的信息有误，请检查后重试')).toBeTruthy()
    expect(taro.reLaunch).not.toHaveBeenCalled()
  })

  it('sends a patient whose session was rejected back to login', async () => {
    fakeApi({ 'PUT /api/v1/me': fail(401, 'AUTH_TOKEN_INVALID', 'bad token') })
    const { container } = render(<ProfileSetupPage />)
    typeName(container, '王五')
    fireEvent.click(screen.getByText('保存'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
  })
})

describe('profile setup page without a session', () => {
  it('redirects to login', () => {
    fakeApi({})
    render(<ProfileSetupPage />)
    expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' })
  })
})
