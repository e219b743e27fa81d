import { fireEvent, render, screen, waitFor } from '@testing-library/react'

import HomePage from '../../src/pages/index/index'
import MessagesPage from '../../src/pkg-mine/messages/index'
import { fakeApi, logIn, me, ok, patient } from '../fake-api'
import { followup, message, Q_STEP_ID } from '../followup-fixtures'
import { taro } from '../taro-mock'

const OLDER_ID = '65f0c0ffee00000000d00002'
const NEXT_ID = '65f0c0ffee00000000d00003'

const older = message({
  id: OLDER_ID,
  title: '健康通知',
  body: '本周六上午有糖尿病饮食讲座。',
  page: null,
  readAt: '2026-11-03T02:00:00.000Z',
  createdAt: '2026-11-03T01:00:00.000Z',
})

const click = (el: Element | null) => fireEvent.click(el!)

describe('message centre', () => {
  beforeEach(logIn)

  it('lists messages newest first with an unread dot and the unread count', async () => {
    fakeApi({
      'GET /api/v1/me/inbox': ok({ messages: [message(), older], nextCursor: null, unread: 1 }),
    })
    const { container } = render(<MessagesPage />)
    await screen.findByText('1 条未读')
    const rows = [...container.querySelectorAll('.message-row')]
    expect(rows.map((r) => r.querySelector('.message-title')?.textContent)).toEqual([
      '术后第 3 天伤口评估',
      '健康通知',
    ])
    expect(rows[0]!.className).toContain('is-unread')
    expect(rows[0]!.querySelector('.unread-dot')).toBeTruthy()
    expect(rows[0]!.querySelector('.message-go')?.textContent).toBe('查看详情 ›')
    expect(rows[1]!.querySelector('.unread-dot')).toBeNull()
    expect(rows[1]!.querySelector('.message-go')).toBeNull()
    expect(container.querySelector('.messages-more')).toBeNull()
  })

  it('tapping a message marks it read, then opens its page', async () => {
    const sent = fakeApi({
      'GET /api/v1/me/inbox': ok({ messages: [message(), older], nextCursor: null, unread: 1 }),
      [`POST /api/v1/me/inbox/${message().id}/read`]: ok({ unread: 0 }),
    })
    const { container } = render(<MessagesPage />)
    await screen.findByText('1 条未读')
    click(container.querySelector('.message-row'))
    await waitFor(() =>
      expect(taro.navigateTo).toHaveBeenCalledWith({
        url: `/pkg-followup/questionnaire/index?step=${Q_STEP_ID}`,
      }),
    )
    expect(sent.map((r) => `${r.method} ${r.url}`)).toContain(`POST /api/v1/me/inbox/${message().id}/read`)
    expect(screen.getByText('没有未读消息')).toBeTruthy()
    expect(container.querySelector('.unread-dot')).toBeNull()

    // a read message without a page: nothing is sent, nothing opens
    taro.navigateTo.mockClear()
    click(container.querySelectorAll('.message-row')[1]!)
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(taro.navigateTo).not.toHaveBeenCalled()
  })

  it('never opens a page that is not one of the app’s', async () => {
    fakeApi({
      'GET /api/v1/me/inbox': ok({
        messages: [message({ page: 'pages/evil/evil?x=1', readAt: '2026-11-04T02:00:00.000Z' })],
        nextCursor: null,
        unread: 0,
      }),
    })
    const { container } = render(<MessagesPage />)
    await screen.findByText('没有未读消息')
    click(container.querySelector('.message-row'))
    expect(taro.navigateTo).not.toHaveBeenCalled()
  })

  it('全部已读 clears every dot; 加载更多 appends the next page', async () => {
    const sent = fakeApi({
      'GET /api/v1/me/inbox': ok({ messages: [message()], nextCursor: NEXT_ID, unread: 2 }),
      [`GET /api/v1/me/inbox?cursor=${NEXT_ID}`]: ok({
        messages: [message({ id: NEXT_ID, title: '随访提醒' }), older],
        nextCursor: null,
        unread: 2,
      }),
      'POST /api/v1/me/inbox/read-all': ok({ unread: 0 }),
    })
    const { container } = render(<MessagesPage />)
    await screen.findByText('2 条未读')
    click(container.querySelector('.messages-more'))
    await waitFor(() => expect(container.querySelectorAll('.message-row')).toHaveLength(3))
    expect(container.querySelector('.messages-more')).toBeNull()
    expect(container.querySelectorAll('.unread-dot')).toHaveLength(2)

    click(container.querySelector('.read-all'))
    await screen.findByText('没有未读消息')
    expect(container.querySelectorAll('.unread-dot')).toHaveLength(0)
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/v1/me/inbox/read-all'])
  })

  it('shows an empty state without messages', async () => {
    fakeApi({ 'GET /api/v1/me/inbox': ok({ messages: [], nextCursor: null, unread: 0 }) })
    render(<MessagesPage />)
    expect(await screen.findByText('暂无消息')).toBeTruthy()
  })
})

describe('首页 follow-up and message entries', () => {
  beforeEach(logIn)

  it('shows the unread badge on 消息中心 and the next steps under 今日随访', async () => {
    fakeApi({
      'GET /api/v1/me': ok(me(patient('张三'))),
      'GET /api/v1/me/followup': ok(followup()),
      'GET /api/v1/me/inbox/unread-count': ok({ unread: 3 }),
    })
    const { container } = render(<HomePage />)
    await waitFor(() =>
      expect(container.querySelector('.entry-messages .unread-badge')?.textContent).toBe('3'),
    )
    const today = [...container.querySelectorAll('.today-step')]
    expect(today.map((t) => t.querySelector('.today-title')?.textContent)).toEqual([
      '出院第 1 天：按时服药',
      '术后第 3 天伤口评估',
      '康复期饮食指导',
    ])
    expect(today[0]!.querySelector('.today-status')?.textContent).toBe('待完成')
    expect(today[2]!.querySelector('.today-status')?.textContent).toBe('未开始')
    click(today[1]!)
    expect(taro.navigateTo).toHaveBeenLastCalledWith({
      url: `/pkg-followup/questionnaire/index?step=${Q_STEP_ID}`,
    })
    click(container.querySelector('.entry-followup'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pkg-followup/plan/index' })
    click(container.querySelector('.entry-messages'))
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pkg-mine/messages/index' })
  })

  it('keeps the empty state and no badge when follow-up and inbox cannot be loaded', async () => {
    fakeApi({ 'GET /api/v1/me': ok(me(patient('张三'))) })
    const { container } = render(<HomePage />)
    await screen.findByText('暂无待完成的随访任务')
    expect(container.querySelector('.unread-badge')).toBeNull()
  })
})
