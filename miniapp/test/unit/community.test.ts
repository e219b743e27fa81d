import type { MyCommunity } from '@careloop/shared'

import { simConfigIdOf, simulateScanJoin } from '../../src/platform'
import {
  fillPercent,
  groupCommunities,
  membersText,
  reasonOf,
  statusOf,
  waitUntilJoined,
} from '../../src/services/community'
import { fakeApi, logIn, ok, SIM_BASE, simulatedConfig } from '../fake-api'

const WECOM_SIM = 'http://127.0.0.1:41999'

const c = (extra: Partial<MyCommunity> = {}): MyCommunity => ({
  id: '65f0c0ffee00000000c00001',
  name: '糖尿病病友交流群',
  description: null,
  diseaseTagName: '糖尿病',
  ownerNurseName: '李娜',
  memberCount: 50,
  capacity: 200,
  full: false,
  joined: false,
  matchesMyTags: true,
  joinable: true,
  ...extra,
})

describe('community helpers', () => {
  it('tells joined, joinable, full and closed apart', () => {
    expect(statusOf(c({ joined: true, joinable: false }))).toBe('joined')
    expect(statusOf(c())).toBe('joinable')
    expect(statusOf(c({ full: true, joinable: false }))).toBe('full')
    expect(statusOf(c({ joinable: false }))).toBe('closed')
  })

  it('puts the matching communities first, keeping the server order within each group', () => {
    const a = c({ id: 'a', matchesMyTags: false })
    const b = c({ id: 'b' })
    const d = c({ id: 'd', matchesMyTags: false })
    const e = c({ id: 'e' })
    const { recommended, others } = groupCommunities([a, b, d, e])
    expect(recommended.map((x) => x.id)).toEqual(['b', 'e'])
    expect(others.map((x) => x.id)).toEqual(['a', 'd'])
  })

  it('explains why a community is shown', () => {
    expect(reasonOf(c())).toBe('与您的健康标签「糖尿病」匹配')
    expect(reasonOf(c({ diseaseTagName: null }))).toBe('与您的健康标签匹配')
    expect(reasonOf(c({ matchesMyTags: false }))).toBe('医院开设的病友社群，欢迎加入交流')
  })

  it('shows members against capacity', () => {
    expect(membersText(c())).toBe('50/200 人')
    expect(fillPercent(c())).toBe(25)
    expect(fillPercent(c({ memberCount: 250 }))).toBe(100)
    expect(fillPercent(c({ memberCount: 0 }))).toBe(0)
  })

  it('reads the membership until the profile is in the group', async () => {
    logIn()
    let reads = 0
    fakeApi({
      'GET /api/v1/me/communities': () =>
        ok({ communities: [c(++reads >= 3 ? { joined: true, joinable: false } : {})] }),
    })
    await expect(waitUntilJoined(c().id, { intervalMs: 0 })).resolves.toMatchObject({ joined: true })
    expect(reads).toBe(3)
  })

  it('gives up after its tries', async () => {
    logIn()
    fakeApi({ 'GET /api/v1/me/communities': ok({ communities: [c()] }) })
    await expect(waitUntilJoined(c().id, { tries: 2, intervalMs: 0 })).resolves.toBeNull()
  })
})

describe('simulated scan of a join QR', () => {
  it('reads the join way from the simulator QR URL', () => {
    expect(simConfigIdOf(`${WECOM_SIM}/_sim/wecom/qr.png?config_id=cfgSimJoinWay0007`)).toBe(
      'cfgSimJoinWay0007',
    )
    expect(simConfigIdOf('https://wework.qpic.cn/wwpic/123/0')).toBeNull()
  })

  it('counts an already joined user as done', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok({
        ...simulatedConfig,
        simulators: { wechat: SIM_BASE, wecom: WECOM_SIM },
      }),
      [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [] }),
      [`POST ${WECOM_SIM}/_sim/wecom/groups/join`]: {
        status: 409,
        data: { error: 'wmSimExt0001 is already in the group' },
      },
    })
    await expect(
      simulateScanJoin({ qrCodeUrl: `${WECOM_SIM}/_sim/wecom/qr.png?config_id=cfg1`, name: '张三' }),
    ).resolves.toBeUndefined()
  })

  it('refuses without a WeCom simulator', async () => {
    fakeApi({ 'GET /api/v1/client-config': ok(simulatedConfig) })
    await expect(
      simulateScanJoin({ qrCodeUrl: `${WECOM_SIM}/_sim/wecom/qr.png?config_id=cfg1`, name: '张三' }),
    ).rejects.toMatchObject({ message: '当前环境未连接企业微信模拟器，请用微信扫码加入' })
  })
})
