import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import ProfilePage from '../../src/pages/profile/profile'
import { fail, fakeApi, logIn, me, ok, patient, SIM_BASE, simulatedConfig } from '../fake-api'
import { taro } from '../taro-mock'

const type = (container: HTMLElement, selector: string, value: string) =>
  fireEvent.change(container.querySelector(selector)!, { target: { value } })

/** 个人资料 rendered over `routes` (and the simulated client config): what it sent, and its container. */
const renderProfile = (routes: Parameters<typeof fakeApi>[0]) => {
  const sent = fakeApi({ ...routes, 'GET /api/v1/client-config': ok(simulatedConfig) })
  const { container } = render(<ProfilePage />)
  return { sent, container }
}

describe('profile page', () => {
  beforeEach(logIn)

  it('saves name, gender, birth year and hospital patient id with PUT (empty optional fields cleared)', async () => {
    const saved = patient('张三丰', { gender: 'male', birthYear: 1960, hospitalPatientId: 'ZY-001' })
    const { sent, container } = renderProfile({
      'GET /api/v1/me': ok(me(patient('张三', { hospitalPatientId: 'OLD' }))),
      'PUT /api/v1/me': ok(me(saved)),
    })
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
    const { sent, container } = renderProfile({
      'GET /api/v1/me': ok(me(patient('张三'))),
    })
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
    const { container } = renderProfile({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'PUT /api/v1/me': fail(400, 'VALIDATION_FAILED', 'Invalid body', [
        { path: 'name', message: 'name must not contain control characters' },
      ]),
    })
    await screen.findByText('基本信息')
    fireEvent.click(container.querySelector('.profile-save')!)
    expect(await screen.findByText('请输入 1–20 个字的姓名')).toBeTruthy()
    expect(container.querySelector('.has-error .profile-name-input')).toBeTruthy()
  })

  it('binds the phone with a getPhoneNumber code and shows it masked', async () => {
    const { sent, container } = renderProfile({
      'GET /api/v1/me': ok(me(patient('张三'))),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': ok(me(patient('张三'), { phone: '139****1111' })),
    })
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
    renderProfile({
      'GET /api/v1/me': ok(me(patient('张三'))),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': fail(400, 'PHONE_CODE_INVALID', 'invalid code'),
    })
    await screen.findByText('未绑定')
    fireEvent.click(screen.getByText('绑定手机号'))
    expect(await screen.findByText('手机号授权已失效，请重新获取')).toBeTruthy()
  })

  it('sends a profile without care consent to the consent page (CONSENT_REQUIRED)', async () => {
    renderProfile({
      'GET /api/v1/me': ok(me(patient('张三'))),
      [`POST ${SIM_BASE}/_sim/wx/phone`]: ok({ code: 'phone-code-9' }),
      'POST /api/v1/me/phone': fail(403, 'CONSENT_REQUIRED', 'consent required'),
    })
    await screen.findByText('未绑定')
    fireEvent.click(screen.getByText('绑定手机号'))
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
  })

  describe('身份证号', () => {
    const MASKED = '1101**********1234'
    const SAMPLE = '11010519491231002X'
    const SAMPLE_MASKED = '1101**********002X'
    const withId = patient('张三', { idNumber: MASKED })
    const putBody = (sent: { method: string; data?: unknown }[]) =>
      sent.find((r) => r.method === 'PUT')?.data as Record<string, unknown> | undefined

    it('shows the stored number masked and read-only, and omits idNumber from the PUT when untouched', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(withId)),
        'PUT /api/v1/me': ok(me(patient('张三丰', { idNumber: MASKED }))),
      })
      expect(await screen.findByText(MASKED)).toBeTruthy()
      expect(container.querySelector('.id-number-input')).toBeNull()
      expect(screen.getByText('修改')).toBeTruthy()
      expect(screen.getByText('删除')).toBeTruthy()
      type(container, '.profile-name-input', '张三丰')
      fireEvent.click(container.querySelector('.profile-save')!)
      await waitFor(() => expect(taro.showToast).toHaveBeenCalled())
      const body = putBody(sent)
      expect(body).toEqual({ name: '张三丰', gender: null, birthYear: null, hospitalPatientId: null })
      expect(body).not.toHaveProperty('idNumber')
      expect(screen.getByText(MASKED)).toBeTruthy()
    })

    it('修改 opens an empty input; a newly typed number is sent (uppercased) and comes back masked', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(withId)),
        'PUT /api/v1/me': ok(me(patient('张三', { idNumber: SAMPLE_MASKED }))),
      })
      fireEvent.click(await screen.findByText('修改'))
      const input = container.querySelector<HTMLInputElement>('.id-number-input')!
      expect(input.value).toBe('')
      type(container, '.id-number-input', ' 11010519491231002x ')
      fireEvent.click(container.querySelector('.profile-save')!)
      expect(await screen.findByText(SAMPLE_MASKED)).toBeTruthy()
      expect(putBody(sent)).toMatchObject({ name: '张三', idNumber: SAMPLE })
      expect(container.querySelector('.id-number-input')).toBeNull()
    })

    it('修改 then 取消, or an input left empty, keeps the stored number (omitted)', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(withId)),
        'PUT /api/v1/me': ok(me(withId)),
      })
      fireEvent.click(await screen.findByText('修改'))
      type(container, '.id-number-input', SAMPLE)
      fireEvent.click(screen.getByText('取消'))
      expect(container.querySelector('.id-number-input')).toBeNull()
      fireEvent.click(container.querySelector('.profile-save')!)
      await waitFor(() => expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(1))
      expect(putBody(sent)).not.toHaveProperty('idNumber')

      fireEvent.click(await screen.findByText('修改'))
      fireEvent.click(container.querySelector('.profile-save')!)
      await waitFor(() => expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(2))
      expect(sent.filter((r) => r.method === 'PUT')[1]?.data).not.toHaveProperty('idNumber')
    })

    it('删除 sends null on 保存 (and 撤销 takes it back)', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(withId)),
        'PUT /api/v1/me': ok(me(patient('张三'))),
      })
      fireEvent.click(await screen.findByText('删除'))
      expect(screen.getByText('保存后删除')).toBeTruthy()
      fireEvent.click(screen.getByText('撤销'))
      expect(screen.queryByText('保存后删除')).toBeNull()
      fireEvent.click(screen.getByText('删除'))
      fireEvent.click(container.querySelector('.profile-save')!)
      await waitFor(() => expect(taro.showToast).toHaveBeenCalled())
      expect(putBody(sent)).toEqual({
        name: '张三',
        gender: null,
        birthYear: null,
        hospitalPatientId: null,
        idNumber: null,
      })
      expect(screen.queryByText(MASKED)).toBeNull()
      // nothing stored: the input is offered directly
      expect(container.querySelector('.id-number-input')).toBeTruthy()
    })

    it('without a stored number shows the input; empty is omitted, a typed one is sent', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(patient('张三'))),
        'PUT /api/v1/me': ok(me(patient('张三', { idNumber: SAMPLE_MASKED }))),
      })
      await screen.findByText('基本信息')
      expect(screen.queryByText('修改')).toBeNull()
      type(container, '.id-number-input', SAMPLE)
      fireEvent.click(container.querySelector('.profile-save')!)
      expect(await screen.findByText(SAMPLE_MASKED)).toBeTruthy()
      expect(putBody(sent)).toMatchObject({ idNumber: SAMPLE })
    })

    it('checks the number inline (length and GB 11643 check character) without calling the server', async () => {
      const { sent, container } = renderProfile({
        'GET /api/v1/me': ok(me(patient('张三'))),
      })
      await screen.findByText('基本信息')
      type(container, '.id-number-input', '1101051949')
      fireEvent.click(container.querySelector('.profile-save')!)
      expect(screen.getByText('请输入 18 位身份证号（末位可为 X）')).toBeTruthy()
      type(container, '.id-number-input', '110105194912310021')
      expect(screen.queryByText('请输入 18 位身份证号（末位可为 X）')).toBeNull()
      fireEvent.click(container.querySelector('.profile-save')!)
      expect(screen.getByText('身份证号格式不正确')).toBeTruthy()
      expect(container.querySelector('.has-error .id-number-input')).toBeTruthy()
      expect(sent.filter((r) => r.method === 'PUT')).toHaveLength(0)
    })

    it('maps a server 400 at path idNumber to the field', async () => {
      const { container } = renderProfile({
        'GET /api/v1/me': ok(me(withId)),
        'PUT /api/v1/me': fail(400, 'VALIDATION_FAILED', 'Invalid body', [
          { path: 'idNumber', message: 'idNumber must be a valid 18-character resident ID number' },
        ]),
      })
      fireEvent.click(await screen.findByText('修改'))
      type(container, '.id-number-input', SAMPLE)
      fireEvent.click(container.querySelector('.profile-save')!)
      expect(await screen.findByText('身份证号格式不正确')).toBeTruthy()
      expect(container.querySelector('.has-error .id-number-input')).toBeTruthy()
      expect(container.querySelector('.profile-save-error')).toBeNull()
    })
  })
})
