import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { Patient } from '@careloop/shared'

import FamilyPage from '../../src/pages/family/family'
import HomePage from '../../src/pages/index/index'
import { fail, fakeApi, logIn, me, member, ok, patient } from '../fake-api'
import { taro } from '../taro-mock'

const type = (container: HTMLElement, selector: string, value: string) =>
  fireEvent.change(container.querySelector(selector)!, { target: { value } })

const profilesOf = (active: Patient, profiles: Patient[]) => ({ activeProfileId: active.id, profiles })

/** 家庭成员 of an account with only itself (and `routes` besides), with the add form opened. */
async function openAddForm(routes: Parameters<typeof fakeApi>[0] = {}) {
  const self = patient('张三')
  const sent = fakeApi({ 'GET /api/v1/profiles': ok(profilesOf(self, [self])), ...routes })
  const { container } = render(<FamilyPage />)
  fireEvent.click(await screen.findByText('＋ 添加家庭成员'))
  return { sent, container }
}

/** What every new member needs: name 王桂兰, relation 父母 and (unless `agree` is false) the proxy-consent box. */
const fillMember = (container: HTMLElement, { agree = true } = {}) => {
  type(container, '.member-name-input', '王桂兰')
  fireEvent.click(container.querySelector('.relation-chips .chip-parent')!)
  if (agree) fireEvent.click(container.querySelector('.proxy-consent-check')!)
}

describe('family page', () => {
  beforeEach(logIn)

  it('lists the profiles with relation labels and marks the active one', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent', { gender: 'female', birthYear: 1956 })
    fakeApi({ 'GET /api/v1/profiles': ok(profilesOf(self, [self, mother])) })
    const { container } = render(<FamilyPage />)
    await screen.findByText('王桂兰')
    const cards = [...container.querySelectorAll('.member-card')]
    expect(cards.map((c) => c.querySelector('.member-relation')?.textContent)).toEqual(['本人', '父母'])
    expect(cards[0]!.querySelector('.member-active')?.textContent).toBe('当前就诊人')
    expect(cards[1]!.textContent).toContain('女 · 1956年生')
    // self cannot be removed; the active one cannot be activated
    expect(cards[0]!.querySelector('.member-remove')).toBeNull()
    expect(cards[0]!.querySelector('.member-activate')).toBeNull()
    expect(screen.getByText('已添加 1/5 位家庭成员')).toBeTruthy()
  })

  it('adds a parent only with the proxy-consent box ticked, sending proxyConsent true', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent')
    const { sent, container } = await openAddForm({
      'POST /api/v1/profiles': { status: 201, data: profilesOf(self, [self, mother]) },
    })
    fillMember(container, { agree: false })
    fireEvent.click(container.querySelector('.gender-chips .chip-female')!)
    type(container, '.member-birth-year-input', '1956')

    fireEvent.click(container.querySelector('.add-submit')!)
    expect(screen.getByText('请先确认已获得该家庭成员的同意')).toBeTruthy()
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0)

    fireEvent.click(container.querySelector('.proxy-consent-check')!)
    fireEvent.click(container.querySelector('.add-submit')!)
    await waitFor(() => expect(container.querySelectorAll('.member-card')).toHaveLength(2))
    expect(sent.find((r) => r.method === 'POST')?.data).toEqual({
      name: '王桂兰',
      relation: 'parent',
      gender: 'female',
      birthYear: 1956,
      hospitalPatientId: null,
      proxyConsent: true,
    })
    expect(sent.find((r) => r.method === 'POST')?.data).not.toHaveProperty('idNumber')
  })

  it('sends an ID number typed for the new member, checked inline first', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent', { idNumber: '1101**********002X' })
    const { sent, container } = await openAddForm({
      'POST /api/v1/profiles': { status: 201, data: profilesOf(self, [self, mother]) },
    })
    fillMember(container)
    type(container, '.member-id-number-input', '110105194912310021')
    fireEvent.click(container.querySelector('.add-submit')!)
    expect(screen.getByText('身份证号格式不正确')).toBeTruthy()
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(0)

    type(container, '.member-id-number-input', '11010519491231002x')
    fireEvent.click(container.querySelector('.add-submit')!)
    await waitFor(() => expect(container.querySelectorAll('.member-card')).toHaveLength(2))
    expect(sent.find((r) => r.method === 'POST')?.data).toMatchObject({
      name: '王桂兰',
      relation: 'parent',
      idNumber: '11010519491231002X',
      proxyConsent: true,
    })
  })

  it('checks the form inline before calling the server', async () => {
    const { sent, container } = await openAddForm()
    type(container, '.member-birth-year-input', '1850')
    fireEvent.click(container.querySelector('.add-submit')!)
    expect(screen.getByText('请输入姓名')).toBeTruthy()
    expect(screen.getByText('请选择与您的关系')).toBeTruthy()
    expect(screen.getByText('出生年份不能早于 1900 年')).toBeTruthy()
    expect(sent).toHaveLength(1)
  })

  it('shows the server field errors next to the fields', async () => {
    const { container } = await openAddForm({
      'POST /api/v1/profiles': fail(400, 'VALIDATION_FAILED', 'Invalid body', [
        { path: 'birthYear', message: 'birthYear must not be in the future' },
      ]),
    })
    fillMember(container)
    fireEvent.click(container.querySelector('.add-submit')!)
    expect(await screen.findByText(/出生年份应为 1900–/)).toBeTruthy()
    expect(container.querySelector('.has-error .member-birth-year-input')).toBeTruthy()
  })

  it('at 5 family members shows the limit instead of the add button', async () => {
    const self = patient('张三')
    const family = ['甲', '乙', '丙', '丁', '戊'].map((n) => member(n, 'other'))
    fakeApi({ 'GET /api/v1/profiles': ok(profilesOf(self, [self, ...family])) })
    const { container } = render(<FamilyPage />)
    expect(await screen.findByText(/已达到 5 位家庭成员的上限/)).toBeTruthy()
    expect(container.querySelector('.add-member')).toBeNull()
  })

  it('reports FAMILY_LIMIT_REACHED from the server (e.g. added on another device)', async () => {
    const { container } = await openAddForm({
      'POST /api/v1/profiles': fail(409, 'FAMILY_LIMIT_REACHED', 'limit'),
    })
    fillMember(container)
    fireEvent.click(container.querySelector('.add-submit')!)
    expect(await screen.findByText('最多可添加 5 位家庭成员，请先移除不再需要管理的成员')).toBeTruthy()
  })

  it('switches the active profile, and 首页 then greets the family member', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent')
    const sent = fakeApi({
      'GET /api/v1/profiles': ok(profilesOf(self, [self, mother])),
      [`POST /api/v1/profiles/${mother.id}/activate`]: ok(profilesOf(mother, [self, mother])),
      'GET /api/v1/me': ok(me(mother, { others: [self] })),
    })
    const { container } = render(<FamilyPage />)
    await screen.findByText('王桂兰')
    fireEvent.click(container.querySelector('.member-activate')!)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/index/index' }))
    expect(sent.some((r) => r.url === `/api/v1/profiles/${mother.id}/activate`)).toBe(true)

    render(<HomePage />)
    expect(await screen.findByText('王桂兰，您好')).toBeTruthy()
  })

  it('switching to a member without care consent leads to the consent page', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent')
    fakeApi({ 'GET /api/v1/me': ok(me(mother, { others: [self], careConsent: false })) })
    render(<HomePage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
  })

  it('removes a member after confirmation, and not when cancelled', async () => {
    const self = patient('张三')
    const mother = member('王桂兰', 'parent')
    const sent = fakeApi({
      'GET /api/v1/profiles': ok(profilesOf(self, [self, mother])),
      [`DELETE /api/v1/profiles/${mother.id}`]: ok(profilesOf(self, [self])),
    })
    const { container } = render(<FamilyPage />)
    await screen.findByText('王桂兰')

    taro.showModal.mockResolvedValueOnce({ errMsg: 'showModal:ok', confirm: false, cancel: true })
    fireEvent.click(container.querySelector('.member-remove')!)
    await waitFor(() => expect(taro.showModal).toHaveBeenCalledTimes(1))
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(0)

    fireEvent.click(container.querySelector('.member-remove')!)
    await waitFor(() => expect(container.querySelectorAll('.member-card')).toHaveLength(1))
    expect(sent.filter((r) => r.method === 'DELETE')).toHaveLength(1)
    expect(String((taro.showModal.mock.calls[1] as [{ content: string }])[0].content)).toContain('王桂兰')
  })
})
