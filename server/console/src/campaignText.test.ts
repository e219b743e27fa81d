/// <reference types="jest" />
import { draftOf, requestOf } from './campaignDraft'
import {
  cronOf,
  describeCron,
  helperOf,
  reasonLabel,
  runIsLive,
  zhCampaignIssue,
  type CronHelper,
} from './campaignText'
import { articleChip } from './contentText'

/** The console's pure helpers of 营销活动 and 健康科普: the cron helper, the draft → request, chips. */

const helper = (over: Partial<CronHelper>): CronHelper => ({
  mode: 'weekly',
  weekday: 1,
  monthDay: 1,
  time: '09:00',
  custom: '',
  ...over,
})

describe('cron helper', () => {
  it('writes 每天 / 每周 / 每月 at a time as a 5-field cron with a fixed minute', () => {
    expect(cronOf(helper({ mode: 'weekly' }))).toBe('0 9 * * 1')
    expect(cronOf(helper({ mode: 'weekly', weekday: 0, time: '20:30' }))).toBe('30 20 * * 0')
    expect(cronOf(helper({ mode: 'daily', time: '07:05' }))).toBe('5 7 * * *')
    expect(cronOf(helper({ mode: 'monthly', monthDay: 15, time: '10:00' }))).toBe('0 10 15 * *')
    expect(cronOf(helper({ mode: 'custom', custom: '  0 9 * * 1-5 ' }))).toBe('0 9 * * 1-5')
  })

  it('reads back what it writes, and leaves anything else as a custom expression', () => {
    for (const h of [
      helper({ mode: 'weekly', weekday: 3, time: '18:45' }),
      helper({ mode: 'daily', time: '00:00' }),
      helper({ mode: 'monthly', monthDay: 28, time: '23:59' }),
    ])
      expect(helperOf(cronOf(h))).toMatchObject({ mode: h.mode, time: h.time })
    expect(helperOf('0 9 * * 7')).toMatchObject({ mode: 'weekly', weekday: 0 })
    for (const custom of ['0 9 * * 1-5', '*/5 9 * * *', '0 0 9 * * 1', '0 9 1 6 *', 'nonsense'])
      expect(helperOf(custom)).toMatchObject({ mode: 'custom', custom })
  })

  it('describes a schedule the way the editor shows it', () => {
    expect(describeCron('0 9 * * 1')).toBe('每周一 09:00')
    expect(describeCron('30 20 * * 0')).toBe('每周日 20:30')
    expect(describeCron('5 7 * * *')).toBe('每天 07:05')
    expect(describeCron('0 10 15 * *')).toBe('每月 15 日 10:00')
    expect(describeCron('0 9 * * 1-5')).toBe('按表达式 0 9 * * 1-5')
  })
})

describe('campaign draft → request', () => {
  const now = new Date('2026-05-01T08:00:00+08:00')

  it('turns a weekly article campaign into the shared CampaignInput', () => {
    const d = {
      ...draftOf(null, now),
      name: ' 糖尿病患者每周控糖科普 ',
      expression: '糖尿病 AND age>=60',
      articleId: 'a'.repeat(24),
      schedule: 'cron' as const,
      endDate: '2026-06-30',
      goalOn: true,
      goalDays: '7',
    }
    const { body, issues } = requestOf(d)
    expect(issues).toEqual([])
    expect(body).toEqual({
      name: '糖尿病患者每周控糖科普',
      segment: { expression: '糖尿病 AND age>=60' },
      content: { kind: 'article', articleId: 'a'.repeat(24) },
      channels: ['subscribe', 'inbox'],
      schedule: { kind: 'cron', cron: '0 9 * * 1', endAt: '2026-06-30T23:59' },
      goal: { event: 'article_read', withinDays: 7 },
      expiresAfterHours: 24,
    })
  })

  it('keeps the channel order and drops the unticked ones; a template keeps its page without a slash', () => {
    const d = {
      ...draftOf(null, now),
      name: '春季体检',
      audience: 'segment' as const,
      segmentId: 'b'.repeat(24),
      contentKind: 'template' as const,
      title: '春季免费体检',
      body: '本周六上午门诊楼一楼',
      page: '/pages/index/index',
      channels: [
        { channel: 'inbox' as const, on: true },
        { channel: 'subscribe' as const, on: false },
      ],
      schedule: 'at' as const,
      at: '2026-05-03T09:00',
    }
    const { body, issues } = requestOf(d)
    expect(issues).toEqual([])
    expect(body).toMatchObject({
      segment: { segmentId: 'b'.repeat(24) },
      content: {
        kind: 'template',
        title: '春季免费体检',
        body: '本周六上午门诊楼一楼',
        page: 'pages/index/index',
      },
      channels: ['inbox'],
      schedule: { kind: 'at', at: '2026-05-03T09:00' },
      goal: null,
    })
  })

  it('names every missing field before asking the server', () => {
    const d = {
      ...draftOf(null, now),
      channels: draftOf(null, now).channels.map((c) => ({ ...c, on: false })),
      goalOn: true,
      goalDays: '0',
      expiresAfterHours: '100',
    }
    expect(requestOf(d).issues.map((i) => i.path)).toEqual([
      'name',
      'segment.expression',
      'content.articleId',
      'channels',
      'goal.withinDays',
      'expiresAfterHours',
    ])
  })

  it('reads an existing campaign back into the form', () => {
    const d = draftOf(
      {
        id: 'c'.repeat(24),
        name: '每周科普',
        segment: { expression: '糖尿病', segmentId: null },
        content: { kind: 'article', articleId: 'a'.repeat(24) },
        channels: ['inbox'],
        subscribeKind: null,
        schedule: { kind: 'cron', cron: '30 18 * * 5', endAt: '2026-06-30T15:59:00.000Z' },
        goal: { event: 'community_joined', withinDays: 14 },
        expiresAfterHours: 12,
        state: 'draft',
        approvals: [],
        createdBy: 'x',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        nextRunAt: null,
        lastRun: null,
      },
      now,
    )
    expect(d).toMatchObject({
      audience: 'expression',
      schedule: 'cron',
      cron: { mode: 'weekly', weekday: 5, time: '18:30' },
      channels: [
        { channel: 'inbox', on: true },
        { channel: 'subscribe', on: false },
      ],
      goalOn: true,
      goalEvent: 'community_joined',
      goalDays: '14',
      expiresAfterHours: '12',
    })
  })
})

describe('labels', () => {
  it('a run is live while it generates its list or has messages waiting', () => {
    const stats = (pending: number) => ({ pending }) as Parameters<typeof runIsLive>[1]
    expect(runIsLive('materialising', null)).toBe(true)
    expect(runIsLive('materialised', stats(3))).toBe(true)
    expect(runIsLive('materialised', stats(0))).toBe(false)
    expect(runIsLive('cancelled', stats(3))).toBe(false)
  })

  it('an article draft opened by a rejection shows 已驳回, an edit of the published one 草稿', () => {
    expect(articleChip({ status: 'draft', workingVersion: 1, approvedVersion: null })).toBe('draft')
    expect(articleChip({ status: 'draft', workingVersion: 2, approvedVersion: null })).toBe('rejected')
    expect(articleChip({ status: 'draft', workingVersion: 2, approvedVersion: 1 })).toBe('draft')
    expect(articleChip({ status: 'draft', workingVersion: 3, approvedVersion: 1 })).toBe('rejected')
    expect(articleChip({ status: 'clinical_review', workingVersion: 2, approvedVersion: null })).toBe(
      'clinical_review',
    )
  })

  it('says the server reasons and messages in Chinese', () => {
    expect(reasonLabel('NO_CONSENT')).toBe('未同意接收营销信息')
    expect(reasonLabel('SOMETHING_NEW')).toBe('SOMETHING_NEW')
    expect(zhCampaignIssue('schedule.at must be in the future')).toBe('时间须晚于现在')
    expect(zhCampaignIssue('campaigns run at most once an hour: give one fixed minute')).toContain('每小时')
  })
})
