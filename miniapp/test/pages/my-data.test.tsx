import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { ExportResponse } from '@careloop/shared'

import MyDataPage from '../../src/pkg-mine/my-data/my-data'
import LoginPage from '../../src/pages/login/login'
import { SESSION_KEYS } from '../../src/api/session'
import { ACCOUNT_ID, fail, fakeApi, logIn, member, noContent, ok, simulatedConfig } from '../fake-api'
import { stored, taro } from '../taro-mock'

const mother = member('王桂兰', 'parent', { gender: 'female', birthYear: 1956 })
const exported: ExportResponse = {
  exportedAt: '2026-11-05T02:03:00.000Z',
  account: {
    id: ACCOUNT_ID,
    phone: '13812345678',
    activeProfileId: mother.id,
    unionid: null,
    createdAt: '2026-11-01T00:00:00.000Z',
  },
  profile: mother,
  consents: [
    { purpose: 'care', granted: true, policyVersion: '2026-11', at: '2026-11-02T01:02:00.000Z', by: 'proxy' },
  ],
  sessions: [
    { createdAt: '2026-11-01T00:00:00.000Z', expiresAt: '2026-12-01T00:00:00.000Z', revoked: false },
  ],
}

describe('my data page', () => {
  beforeEach(logIn)

  it('exports the active profile: a readable summary, the JSON, and a copy button', async () => {
    fakeApi({ 'GET /api/v1/me/export': ok(exported) })
    const { container } = render(<MyDataPage />)
    fireEvent.click(container.querySelector('.export-button')!)
    expect(await screen.findByText('王桂兰（父母）')).toBeTruthy()
    expect(screen.getByText('1956年')).toBeTruthy()
    expect(screen.getByText('13812345678')).toBeTruthy()
    expect(container.querySelector('.export-id-number')?.textContent).toBe('未填写')
    const json = container.querySelector('.export-json')?.textContent ?? ''
    expect(JSON.parse(json)).toEqual(exported)

    fireEvent.click(container.querySelector('.copy-export')!)
    await waitFor(() => expect(taro.setClipboardData).toHaveBeenCalledWith({ data: json }))
  })

  it("shows the full ID number in the summary (the patient's own export)", async () => {
    fakeApi({
      'GET /api/v1/me/export': ok({ ...exported, profile: { ...mother, idNumber: '11010519491231002X' } }),
    })
    const { container } = render(<MyDataPage />)
    fireEvent.click(container.querySelector('.export-button')!)
    await screen.findByText('王桂兰（父母）')
    expect(container.querySelector('.export-id-number')?.textContent).toBe('11010519491231002X')
  })

  it('shows an export failure', async () => {
    fakeApi({ 'GET /api/v1/me/export': fail(500, 'INTERNAL', 'boom') })
    const { container } = render(<MyDataPage />)
    fireEvent.click(container.querySelector('.export-button')!)
    expect(await screen.findByText('服务器开小差了，请稍后重试')).toBeTruthy()
  })

  it('erases only after the acknowledgement and the final confirmation, then shows login with a message', async () => {
    const sent = fakeApi({
      'DELETE /api/v1/me/account': noContent(),
      'GET /api/v1/client-config': ok(simulatedConfig),
    })
    const { container } = render(<MyDataPage />)
    const button = () => container.querySelector<HTMLButtonElement>('.erase-account')!

    // first confirmation: the acknowledgement box
    expect(button().disabled).toBe(true)
    fireEvent.click(container.querySelector('.erase-ack')!)
    expect(button().disabled).toBe(false)

    // second confirmation: the dialog; cancelled → nothing happens
    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    fireEvent.click(button())
    await waitFor(() => expect(taro.showModal).toHaveBeenCalledTimes(1))
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(0)

    fireEvent.click(button())
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(1)
    expect(stored(SESSION_KEYS.accessToken)).toBe('')
    expect(stored(SESSION_KEYS.refreshToken)).toBe('')

    render(<LoginPage />)
    expect(screen.getByText(/您的账号已注销/)).toBeTruthy()
    await screen.findByText(/示例医院/)
  })

  it('keeps the session when erasure fails', async () => {
    fakeApi({ 'DELETE /api/v1/me/account': fail(500, 'INTERNAL', 'boom') })
    const { container } = render(<MyDataPage />)
    fireEvent.click(container.querySelector('.erase-ack')!)
    fireEvent.click(container.querySelector('.erase-account')!)
    expect(await screen.findByText('服务器开小差了，请稍后重试')).toBeTruthy()
    expect(stored(SESSION_KEYS.refreshToken)).toBe('refresh-1')
    expect(taro.reLaunch).not.toHaveBeenCalled()
  })
})
