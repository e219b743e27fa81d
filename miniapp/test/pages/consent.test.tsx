import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import ConsentPage from '../../src/pages/consent/consent'
import { SESSION_KEYS } from '../../src/api/session'
import { consents, fail, fakeApi, logIn, me, member, noContent, ok, patient, policy } from '../fake-api'
import { stored, taro } from '../taro-mock'

const consentPosts = (sent: { method: string; url: string; data?: unknown }[]) =>
  sent.filter((r) => r.method === 'POST' && r.url === '/api/v1/me/consents').map((r) => r.data)

describe('consent page (first launch)', () => {
  beforeEach(logIn)

  it('shows the policy with its version and purposes; optional purposes start unticked', async () => {
    fakeApi({
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me': ok(me(patient(null), { careConsent: false })),
    })
    const { container } = render(<ConsentPage />)
    expect(await screen.findByText('CareLoop 患者服务隐私政策')).toBeTruthy()
    expect(screen.getByText(/版本 2026-11/)).toBeTruthy()
    expect(screen.getByText('我们收集哪些信息')).toBeTruthy()
    expect(screen.getByText('诊疗服务与随访提醒')).toBeTruthy()
    expect(container.querySelector('.consent-opt-marketing')?.className).not.toContain('is-checked')
    expect(container.querySelector('.consent-opt-research')?.className).not.toContain('is-checked')
  })

  it('同意并继续 grants care only (no optional purpose ticked) and continues to the name form', async () => {
    const sent = fakeApi({
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me': ok(me(patient(null), { careConsent: false })),
      'POST /api/v1/me/consents': ok(consents({ care: true })),
    })
    const { container } = render(<ConsentPage />)
    await screen.findByText('同意并继续')
    fireEvent.click(container.querySelector('.consent-accept')!)
    await waitFor(() =>
      expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/profile-setup/profile-setup' }),
    )
    expect(consentPosts(sent)).toEqual([{ purpose: 'care', granted: true, policyVersion: '2026-11' }])
  })

  it('grants the optional purposes the patient ticked, each separately, then goes home', async () => {
    const sent = fakeApi({
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me': ok(me(patient('张三'), { careConsent: false })),
      'POST /api/v1/me/consents': ok(consents({ care: true })),
    })
    const { container } = render(<ConsentPage />)
    await screen.findByText('同意并继续')
    fireEvent.click(container.querySelector('.consent-opt-research')!)
    fireEvent.click(container.querySelector('.consent-accept')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(consentPosts(sent)).toEqual([
      { purpose: 'care', granted: true, policyVersion: '2026-11' },
      { purpose: 'research', granted: true, policyVersion: '2026-11' },
    ])
  })

  it('不同意 explains the service cannot be used and offers 退出 (which logs out)', async () => {
    const sent = fakeApi({
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me': ok(me(patient(null), { careConsent: false })),
      'POST /api/v1/auth/logout': noContent(),
    })
    const { container } = render(<ConsentPage />)
    await screen.findByText('不同意')
    fireEvent.click(container.querySelector('.consent-decline')!)
    expect(screen.getByText('暂时无法使用随访服务')).toBeTruthy()
    expect(consentPosts(sent)).toEqual([])
    fireEvent.click(container.querySelector('.consent-logout')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(stored(SESSION_KEYS.refreshToken)).toBe('')
  })

  it('asks the managing account to consent by proxy for a family member, and can switch back to self', async () => {
    const mother = member('王桂兰', 'parent')
    const self = patient('张三')
    const sent = fakeApi({
      'GET /api/v1/privacy-policy': ok(policy),
      'GET /api/v1/me': ok(me(mother, { others: [self], careConsent: false })),
      [`POST /api/v1/profiles/${self.id}/activate`]: ok({
        activeProfileId: self.id,
        profiles: [self, mother],
      }),
    })
    const { container } = render(<ConsentPage />)
    expect(await screen.findByText('为家庭成员确认隐私政策')).toBeTruthy()
    expect(container.querySelector('.proxy-banner')?.textContent).toContain('王桂兰')
    fireEvent.click(container.querySelector('.consent-decline')!)
    fireEvent.click(container.querySelector('.consent-switch-self')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(sent.some((r) => r.url.endsWith('/activate'))).toBe(true)
  })

  it('reloads the policy when it changed while open (POLICY_VERSION_STALE)', async () => {
    let policyLoads = 0
    fakeApi({
      'GET /api/v1/privacy-policy': () => {
        policyLoads++
        return ok(policy)
      },
      'GET /api/v1/me': ok(me(patient(null), { careConsent: false })),
      'POST /api/v1/me/consents': fail(409, 'POLICY_VERSION_STALE', 'stale'),
    })
    const { container } = render(<ConsentPage />)
    await screen.findByText('同意并继续')
    fireEvent.click(container.querySelector('.consent-accept')!)
    expect(await screen.findByText('隐私政策已更新，请阅读最新版本后再确认')).toBeTruthy()
    await waitFor(() => expect(policyLoads).toBe(2))
    expect(taro.reLaunch).not.toHaveBeenCalled()
  })
})
