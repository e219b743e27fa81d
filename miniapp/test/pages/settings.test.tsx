import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import SettingsPage from '../../src/pages/settings/settings'
import { consents, fakeApi, logIn, me, member, noContent, ok, patient, policy } from '../fake-api'
import { taro } from '../taro-mock'

const history = [
  {
    purpose: 'care' as const,
    granted: true,
    policyVersion: '2026-11',
    at: '2026-11-02T01:02:00.000Z',
    by: 'self' as const,
  },
  {
    purpose: 'marketing' as const,
    granted: true,
    policyVersion: '2026-11',
    at: '2026-11-03T01:02:00.000Z',
    by: 'self' as const,
  },
]

describe('settings page', () => {
  beforeEach(logIn)

  it('shows care as required and granted, the optional toggles, and the history newest first', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true, marketing: true }, history)),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    expect(container.querySelector('.consent-care')?.textContent).toContain('必需')
    expect(container.querySelector('.consent-care')?.textContent).toContain('已同意 · 版本 2026-11')
    expect(container.querySelector('.toggle-marketing')?.className).toContain('is-on')
    expect(container.querySelector('.toggle-research')?.className).not.toContain('is-on')
    const rows = [...container.querySelectorAll('.history-row')].map((r) => r.textContent)
    expect(rows[0]).toContain('健康活动与优惠信息')
    expect(rows[0]).toContain('同意')
    expect(rows[0]).toContain('本人')
    expect(rows[1]).toContain('诊疗服务与随访提醒')
  })

  it('withdraws marketing with the current policy version and records it', async () => {
    const withdrawn = consents({ care: true, marketing: false }, [
      ...history,
      {
        purpose: 'marketing',
        granted: false,
        policyVersion: '2026-11',
        at: '2026-11-04T01:02:00.000Z',
        by: 'self',
      },
    ])
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true, marketing: true }, history)),
      'POST /api/v1/me/consents': ok(withdrawn),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    fireEvent.click(container.querySelector('.toggle-marketing')!)
    await waitFor(() =>
      expect(container.querySelector('.toggle-marketing')?.className).not.toContain('is-on'),
    )
    expect(sent.find((r) => r.method === 'POST')?.data).toEqual({
      purpose: 'marketing',
      granted: false,
      policyVersion: '2026-11',
    })
    expect(container.querySelector('.history-row')?.textContent).toContain('撤回')
  })

  it('withdrawing care explains the consequences and then leads to the consent page', async () => {
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true }, history)),
      'POST /api/v1/me/consents': ok(consents({ care: false })),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    fireEvent.click(container.querySelector('.withdraw-care')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
    const modal = (taro.showModal.mock.calls[0] as [{ content: string }])[0]
    expect(modal.content).toContain('提醒将停止')
    expect(sent.find((r) => r.method === 'POST')?.data).toEqual({
      purpose: 'care',
      granted: false,
      policyVersion: '2026-11',
    })
  })

  it('keeps care when the withdrawal is cancelled', async () => {
    const sent = fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true }, history)),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    fireEvent.click(container.querySelector('.withdraw-care')!)
    await waitFor(() => expect(taro.showModal).toHaveBeenCalled())
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0)
    expect(taro.reLaunch).not.toHaveBeenCalled()
  })

  it('shows whose consents these are and marks proxy entries 家属代办', async () => {
    const mother = member('王桂兰', 'parent')
    fakeApi({
      'GET /api/v1/me': ok(me(mother, { others: [patient('张三')] })),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true }, [{ ...history[0]!, by: 'proxy' }])),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    expect(container.querySelector('.subject-card')?.textContent).toContain('王桂兰')
    expect(container.querySelector('.history-row')?.textContent).toContain('家属代办')
  })

  it('links to the policy and logs out', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me/consents': ok(consents({ care: true })),
      'POST /api/v1/auth/logout': noContent(),
    })
    const { container } = render(<SettingsPage />)
    await screen.findByText('授权记录')
    fireEvent.click(container.querySelector('.policy-link')!)
    expect(taro.navigateTo).toHaveBeenCalledWith({ url: '/pkg-mine/policy/policy' })
    fireEvent.click(container.querySelector('.settings-logout')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
  })
})
