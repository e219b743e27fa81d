import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { PushPreferences } from '@careloop/shared'

import SettingsPage from '../../src/pages/settings/settings'
import { consents, fakeApi, logIn, me, ok, patient, policy } from '../fake-api'

const DEFAULT = { start: '21:00', end: '08:00' }
const prefs = (quietHours: PushPreferences['quietHours']): PushPreferences => ({
  quietHours,
  defaultQuietHours: DEFAULT,
})

function routes(initial: PushPreferences) {
  return fakeApi({
    'GET /api/v1/me': ok(me(patient('张三'))),
    'GET /api/v1/privacy-policy': ok(policy),
    'GET /api/v1/me/consents': ok(consents({ care: true })),
    'GET /api/v1/me/push-preferences': ok(initial),
    'PUT /api/v1/me/push-preferences': (req) =>
      ok(prefs((req.data as { quietHours: PushPreferences['quietHours'] }).quietHours)),
  })
}

const current = (c: HTMLElement) => c.querySelector('.quiet-current')?.textContent

describe('settings: 免打扰时段', () => {
  beforeEach(logIn)

  it('shows the hospital default, then saves a custom span, a changed end, off, and default again', async () => {
    const sent = routes(prefs(null))
    const { container } = render(<SettingsPage />)
    await screen.findByText('免打扰时段')
    await waitFor(() => expect(current(container)).toBe('21:00–次日 08:00'))
    expect(container.querySelector('.quiet-modes .chip-default')?.className).toContain('is-active')
    expect(container.querySelector('.quiet-times')).toBeNull()

    fireEvent.click(container.querySelector('.quiet-modes .chip-custom')!)
    await waitFor(() => expect(container.querySelector('.quiet-times')).toBeTruthy())
    fireEvent.change(container.querySelector('.quiet-end input')!, { target: { value: '07:30' } })
    await waitFor(() => expect(current(container)).toBe('21:00–次日 07:30'))

    fireEvent.click(container.querySelector('.quiet-modes .chip-off')!)
    await waitFor(() => expect(current(container)).toBe('已关闭'))
    fireEvent.click(container.querySelector('.quiet-modes .chip-default')!)
    await waitFor(() => expect(current(container)).toBe('21:00–次日 08:00'))

    expect(sent.filter((r) => r.method === 'PUT').map((r) => r.data)).toEqual([
      { quietHours: DEFAULT },
      { quietHours: { start: '21:00', end: '07:30' } },
      { quietHours: { start: '00:00', end: '00:00' } },
      { quietHours: null },
    ])
  })

  it('shows the account’s own span as 自定义', async () => {
    routes(prefs({ start: '13:00', end: '14:30' }))
    const { container } = render(<SettingsPage />)
    await waitFor(() => expect(current(container)).toBe('13:00–14:30'))
    expect(container.querySelector('.quiet-modes .chip-custom')?.className).toContain('is-active')
    expect((container.querySelector('.quiet-start input') as HTMLInputElement).value).toBe('13:00')
  })
})
