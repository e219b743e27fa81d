import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { PatientArticle } from '@careloop/shared'

import HomePage from '../../src/pages/index/index'
import ArticlePage from '../../src/pkg-content/article/index'
import ContentListPage from '../../src/pkg-content/list/index'
import { __firePage, __setRouterParams } from '../__mocks__/taro'
import { fail, fakeApi, logIn, me, ok, patient, type SentRequest } from '../fake-api'
import { taro } from '../taro-mock'

const ARTICLE_ID = '65f0c0ffee00000000a00001'
const READS = `POST /api/v1/me/articles/${ARTICLE_ID}/reads`

const article = (over: Partial<PatientArticle> = {}): PatientArticle => ({
  id: ARTICLE_ID,
  version: 2,
  title: '控制血糖的五个好习惯',
  summary: '饮食、运动与监测',
  coverUrl: null,
  category: '糖尿病',
  publishedAt: '2026-11-05T02:00:00.000Z',
  tags: ['糖尿病'],
  bodyHtml:
    '<h2>规律监测</h2><p>每天固定时间测量<strong>血糖</strong>。</p><img src="https://cdn.example.com/a.png" alt="图" />',
  disclaimer: '本文仅供健康科普参考，不能替代医生的诊断和治疗。',
  ...over,
})

const reads = (sent: SentRequest[]) =>
  sent
    .filter((r) => `${r.method} ${r.url}` === READS)
    .map(
      (r) =>
        r.data as {
          event: string
          seconds: number
          completed?: boolean
          campaignRunId?: string
          readId: string
        },
    )

describe('article page', () => {
  beforeEach(logIn)

  it('shows the approved version with its disclaimer and reports the reading', async () => {
    __setRouterParams({ id: ARTICLE_ID, campaignRunId: 'run-42' })
    const sent = fakeApi({
      [`GET /api/v1/me/articles/${ARTICLE_ID}`]: ok(article()),
      [READS]: (req) => {
        const body = req.data as { readId: string; seconds: number; completed?: boolean }
        return ok({
          readId: body.readId,
          seconds: body.seconds,
          completed: !!body.completed,
          pointsAwarded: body.completed ? 5 : 0,
        })
      },
    })
    const { container, unmount } = render(<ArticlePage />)
    await screen.findByText('控制血糖的五个好习惯')
    expect(container.querySelector('.article-category')?.textContent).toBe('糖尿病')
    expect(container.querySelector('.article-date')?.textContent).toBe('2026年11月5日')
    const body = container.querySelector('.article-body')!
    expect(body.querySelector('h2')?.textContent).toBe('规律监测')
    expect(body.querySelector('strong')?.textContent).toBe('血糖')
    expect(body.querySelector('img')?.getAttribute('style')).toContain('max-width:100%')
    expect(container.querySelector('.article-disclaimer-text')?.textContent).toContain('不能替代医生')

    await waitFor(() => expect(reads(sent).map((r) => r.event)).toEqual(['open']))
    expect(reads(sent)[0]).toMatchObject({ seconds: 0, campaignRunId: 'run-42' })

    // scrolled to the end: a completed read, which earned points this time
    act(() => __firePage('reachBottom'))
    await waitFor(() =>
      expect(taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '阅读奖励 +5 积分' })),
    )
    act(() => __firePage('hide'))
    unmount()
    const events = reads(sent)
    expect(events.map((r) => [r.event, r.completed ?? false])).toEqual([
      ['open', false],
      ['progress', true],
      ['progress', true],
      ['close', true],
    ])
    expect(new Set(events.map((r) => r.readId)).size).toBe(1)
  })

  it('an article without an approved version shows why, and reports nothing', async () => {
    __setRouterParams({ id: ARTICLE_ID })
    const sent = fakeApi({
      [`GET /api/v1/me/articles/${ARTICLE_ID}`]: fail(404, 'CONTENT_NOT_FOUND', 'No such article'),
    })
    render(<ArticlePage />)
    await screen.findByText('该文章不存在或已下线')
    expect(reads(sent)).toEqual([])
    expect(sent).toHaveLength(1)
  })
})

describe('健康科普 list', () => {
  beforeEach(logIn)

  it('lists approved articles newest first and opens one', async () => {
    fakeApi({
      'GET /api/v1/me/articles': ok({
        articles: [
          { ...article(), summary: '最新' },
          { ...article({ id: '65f0c0ffee00000000a00002', title: '低盐饮食' }), summary: '' },
        ],
      }),
    })
    const { container } = render(<ContentListPage />)
    await screen.findByText('低盐饮食')
    const rows = [...container.querySelectorAll('.content-row')]
    expect(rows.map((r) => r.querySelector('.content-row-title')?.textContent)).toEqual([
      '控制血糖的五个好习惯',
      '低盐饮食',
    ])
    fireEvent.click(rows[0]!)
    expect(taro.navigateTo).toHaveBeenCalledWith({ url: `/pkg-content/article/index?id=${ARTICLE_ID}` })
  })

  it('says so when there is nothing yet; 首页 links the list', async () => {
    fakeApi({ 'GET /api/v1/me/articles': ok({ articles: [] }), 'GET /api/v1/me': ok(me(patient('张三'))) })
    render(<ContentListPage />)
    expect(await screen.findByText('暂无文章，敬请期待')).toBeTruthy()
    const home = render(<HomePage />)
    await screen.findByText('张三，您好')
    fireEvent.click(home.container.querySelector('.entry-content')!)
    expect(taro.navigateTo).toHaveBeenLastCalledWith({ url: '/pkg-content/list/index' })
  })
})
