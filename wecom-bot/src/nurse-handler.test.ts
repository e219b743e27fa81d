import type { Staff } from '@careloop/shared'
import type { WecomInboundMessage } from './callback-xml'
import { createNurseHandler, HELP_TEXT, NOT_BOUND_TEXT, SERVER_DOWN_TEXT } from './commands'
import type { ServerClient } from './server-client'

const lina: Staff = {
  id: '0123456789abcdef01234567',
  username: 'nurse.li',
  name: '李娜',
  role: 'nurse',
  wecomUserId: 'LiNa',
  active: true,
  createdAt: '2026-11-01T00:00:00.000Z',
}

const text = (from: string, content: string): WecomInboundMessage =>
  ({ msgType: 'text', fromUserName: from, content }) as WecomInboundMessage

const server = (impl: ServerClient['staffByWecomUserId']): ServerClient & { calls: string[] } => {
  const calls: string[] = []
  return {
    calls,
    staffByWecomUserId: (u) => {
      calls.push(u)
      return impl(u)
    },
  }
}

describe('createNurseHandler', () => {
  it('identifies the nurse by her WeCom userid and greets her by name', async () => {
    const s = server((u) => Promise.resolve(u === 'LiNa' ? lina : null))
    const reply = await createNurseHandler(s)(text('LiNa', '帮助'))
    expect(reply).toBe(`李娜护士，您好。\n${HELP_TEXT}`)
    expect(s.calls).toEqual(['LiNa'])
  })

  it('refuses a WeCom member who is not bound to an active staff account', async () => {
    const reply = await createNurseHandler(server(() => Promise.resolve(null)))(text('Stranger', '帮助'))
    expect(reply).toBe(NOT_BOUND_TEXT('Stranger'))
    expect(reply).toContain('员工管理')
  })

  it('answers politely when the server is down, and ignores non-text messages', async () => {
    const warn = jest.fn()
    const handler = createNurseHandler(
      server(() => Promise.reject(new Error('ECONNREFUSED'))),
      { warn },
    )
    expect(await handler(text('LiNa', '帮助'))).toBe(SERVER_DOWN_TEXT)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(await handler({ msgType: 'event', fromUserName: 'LiNa' } as WecomInboundMessage)).toBeNull()
  })
})
