import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { JoinQrResponse, MyCommunity } from '@careloop/shared'

import CommunitiesPage from '../../src/pkg-community/communities/communities'
import CommunityJoinPage from '../../src/pkg-community/join/join'
import { __setRouterParams } from '../__mocks__/taro'
import { fail, fakeApi, logIn, me, ok, patient, SIM_BASE, simulatedConfig, type Reply } from '../fake-api'
import { taro } from '../taro-mock'

const DIABETES_ID = '65f0c0ffee00000000c00001'
const HEART_ID = '65f0c0ffee00000000c00002'
const WECOM_SIM = 'http://127.0.0.1:41999'
const QR_URL = `${WECOM_SIM}/_sim/wecom/qr.png?config_id=cfgSimJoinWay0001`

function community(extra: Partial<MyCommunity> = {}): MyCommunity {
  return {
    id: DIABETES_ID,
    name: '糖尿病病友交流群',
    description: '控糖经验交流，护士定期答疑',
    diseaseTagName: '糖尿病',
    ownerNurseName: '李娜',
    memberCount: 36,
    capacity: 200,
    full: false,
    joined: false,
    matchesMyTags: true,
    joinable: true,
    ...extra,
  }
}

const heart = (extra: Partial<MyCommunity> = {}) =>
  community({
    id: HEART_ID,
    name: '心脏康复俱乐部',
    description: null,
    diseaseTagName: '冠心病',
    ownerNurseName: null,
    memberCount: 200,
    full: true,
    joinable: false,
    matchesMyTags: false,
    ...extra,
  })

const qr = (extra: Partial<JoinQrResponse> = {}): JoinQrResponse => ({
  communityId: DIABETES_ID,
  qrCodeUrl: QR_URL,
  expiresAt: null,
  state: 'jt7Hq2x',
  joined: false,
  ...extra,
})

const list = (...communities: MyCommunity[]) => ok({ communities })
const JOIN_QR = `POST /api/v1/me/communities/${DIABETES_ID}/join-qr`

describe('communities page', () => {
  beforeEach(logIn)

  it('lists the recommended communities first, with tag, members, why and joined badge', async () => {
    fakeApi({
      'GET /api/v1/me/communities': list(
        community(),
        community({ id: '65f0c0ffee00000000c00003', name: '控糖打卡群', joined: true, joinable: false }),
        heart(),
      ),
    })
    const { container } = render(<CommunitiesPage />)
    await screen.findByText('糖尿病病友交流群')

    const cards = [...container.querySelectorAll('.community-card')]
    expect(cards.map((c) => c.querySelector('.community-name')?.textContent)).toEqual([
      '糖尿病病友交流群',
      '控糖打卡群',
      '心脏康复俱乐部',
    ])
    expect(screen.getByText('为您推荐')).toBeTruthy()
    expect(screen.getByText('更多社群')).toBeTruthy()

    const [first, joined, full] = cards as [Element, Element, Element]
    expect(first.querySelector('.community-tag')?.textContent).toBe('糖尿病')
    expect(first.querySelector('.community-members')?.textContent).toBe('36/200 人')
    expect(first.querySelector('.community-reason')?.textContent).toBe('与您的健康标签「糖尿病」匹配')
    expect(first.querySelector('.community-join')).toBeTruthy()
    expect(first.querySelector('.community-joined')).toBeNull()

    expect(joined.querySelector('.community-joined')?.textContent).toBe('已加入')
    expect(joined.querySelector('.community-join')).toBeNull()

    expect(full.querySelector('.community-full')?.textContent).toBe('已满员')
    expect(full.querySelector('.community-join')).toBeNull()
    expect(full.querySelector('.community-reason')?.textContent).toBe('医院开设的病友社群，欢迎加入交流')
  })

  it('opens the join page of a community from 加入', async () => {
    fakeApi({ 'GET /api/v1/me/communities': list(community()) })
    const { container } = render(<CommunitiesPage />)
    await screen.findByText('糖尿病病友交流群')
    fireEvent.click(container.querySelector('.community-join')!)
    expect(taro.navigateTo).toHaveBeenLastCalledWith({
      url: `/pkg-community/join/join?id=${DIABETES_ID}`,
    })
  })

  it('shows an empty state when no community is offered', async () => {
    fakeApi({ 'GET /api/v1/me/communities': list() })
    const { container } = render(<CommunitiesPage />)
    expect(await screen.findByText('暂无可加入的社群')).toBeTruthy()
    expect(container.querySelector('.community-card')).toBeNull()
  })

  it('shows the error with 重新加载, which loads again', async () => {
    let calls = 0
    fakeApi({
      'GET /api/v1/me/communities': () => (++calls === 1 ? fail(500, 'INTERNAL', 'boom') : list(community())),
    })
    render(<CommunitiesPage />)
    expect(await screen.findByText('服务器开小差了，请稍后重试')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    expect(await screen.findByText('糖尿病病友交流群')).toBeTruthy()
  })

  it('sends a patient without consent to the consent page', async () => {
    fakeApi({
      'GET /api/v1/me/communities': fail(403, 'CONSENT_REQUIRED', 'Care consent is required'),
    })
    render(<CommunitiesPage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/consent/consent' }))
  })

  it('sends a visitor without a session to login', async () => {
    taro.removeStorageSync('careloop.accessToken')
    taro.removeStorageSync('careloop.refreshToken')
    const sent = fakeApi({})
    render(<CommunitiesPage />)
    await waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/login' }))
    expect(sent).toHaveLength(0)
  })
})

describe('community join page', () => {
  beforeEach(() => {
    logIn()
    __setRouterParams({ id: DIABETES_ID })
  })

  it('shows the personal QR with long-press, the instructions and no simulator panel in production', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok({ mode: 'production', hospitalName: '示例医院' }),
      'GET /api/v1/me/communities': list(community()),
      [JOIN_QR]: ok(qr()),
    })
    const { container } = render(<CommunityJoinPage />)
    await screen.findByText('扫码加入群聊')
    const img = container.querySelector<HTMLImageElement>('.join-qr-image')!
    expect(img.getAttribute('src')).toBe(QR_URL)
    expect(img.dataset.longPress).toBe('true')
    expect(container.querySelector('.join-name')?.textContent).toBe('糖尿病病友交流群')
    expect(container.textContent).toContain('识别图中的二维码')
    expect(container.textContent).toContain('扫一扫')
    expect(container.querySelector('.join-refresh')).toBeTruthy()
    await waitFor(() => expect(taro.request).toHaveBeenCalledTimes(3))
    expect(container.querySelector('.sim-scan-join')).toBeNull()
  })

  it('刷新 re-reads the membership: not yet → a hint; joined → 已加入 and the QR goes away', async () => {
    let joined = false
    fakeApi({
      'GET /api/v1/client-config': ok({ mode: 'production', hospitalName: '示例医院' }),
      'GET /api/v1/me/communities': () =>
        list(community(joined ? { joined: true, joinable: false, memberCount: 37 } : {})),
      [JOIN_QR]: ok(qr()),
    })
    const { container } = render(<CommunityJoinPage />)
    await screen.findByText('扫码加入群聊')

    fireEvent.click(container.querySelector('.join-refresh')!)
    expect(await screen.findByText(/暂未查询到您的入群记录/)).toBeTruthy()

    joined = true
    fireEvent.click(container.querySelector('.join-refresh')!)
    expect(await screen.findByText('您已加入该社群')).toBeTruthy()
    expect(container.querySelector('.join-joined-badge')?.textContent).toBe('已加入')
    expect(container.querySelector('.join-qr-image')).toBeNull()
    expect(container.querySelector('.join-notice')).toBeNull()
    expect(container.querySelector('.join-members')?.textContent).toBe('37/200 人')
    expect(taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已加入社群' }))
  })

  it('a joined community needs no QR', async () => {
    const sent = fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      'GET /api/v1/me/communities': list(community({ joined: true, joinable: false })),
    })
    const { container } = render(<CommunityJoinPage />)
    expect(await screen.findByText('您已加入该社群')).toBeTruthy()
    expect(sent.some((r) => r.url.endsWith('/join-qr'))).toBe(false)
    fireEvent.click(container.querySelector('.join-back')!)
    expect(taro.navigateBack).toHaveBeenCalled()
  })

  it('a full community says so instead of a QR', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      'GET /api/v1/me/communities': list(community({ full: true, joinable: false, memberCount: 200 })),
    })
    const { container } = render(<CommunityJoinPage />)
    expect(await screen.findByText(/该社群人数已满/)).toBeTruthy()
    expect(container.querySelector('.join-qr-image')).toBeNull()
  })

  it('shows the server error of the QR (e.g. full meanwhile) with 重新加载', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      'GET /api/v1/me/communities': list(community()),
      [JOIN_QR]: fail(409, 'COMMUNITY_FULL', 'The community is full'),
    })
    render(<CommunityJoinPage />)
    expect(await screen.findByText('该社群人数已满，暂时无法加入')).toBeTruthy()
    expect(screen.getByText('重新加载')).toBeTruthy()
  })

  it('a community no longer offered is an error', async () => {
    fakeApi({
      'GET /api/v1/client-config': ok(simulatedConfig),
      'GET /api/v1/me/communities': list(heart()),
    })
    render(<CommunityJoinPage />)
    expect(await screen.findByText('该社群不存在或已关闭')).toBeTruthy()
  })

  describe('模拟扫码入群 (h5 against the local simulators)', () => {
    const simConfig = ok({ ...simulatedConfig, simulators: { wechat: SIM_BASE, wecom: WECOM_SIM } })

    it('joins through the WeCom simulator as this browser’s WeChat user, then shows 已加入', async () => {
      taro.setStorageSync('careloop.simUser', 'demo')
      let joined = false
      const sent = fakeApi({
        'GET /api/v1/client-config': simConfig,
        'GET /api/v1/me/communities': () => list(community(joined ? { joined: true, joinable: false } : {})),
        [JOIN_QR]: ok(qr()),
        'GET /api/v1/me': ok(me(patient('张三'))),
        [`GET ${SIM_BASE}/_sim/wx/users`]: ok({
          users: [{ user: 'demo', openid: 'o-demo', unionid: 'u-demo' }],
        }),
        [`POST ${WECOM_SIM}/_sim/wecom/groups/join`]: (): Reply => {
          joined = true
          return ok({ chat_id: 'wrSimChat0001' })
        },
      })
      const { container } = render(<CommunityJoinPage />)
      const button = await screen.findByText('模拟扫码入群（本地模拟器）')
      expect(container.textContent).toContain('测试')
      fireEvent.click(button)

      expect(await screen.findByText('您已加入该社群')).toBeTruthy()
      expect(sent.find((r) => r.url.endsWith('/_sim/wecom/groups/join'))?.data).toEqual({
        config_id: 'cfgSimJoinWay0001',
        unionid: 'u-demo',
        name: '张三',
      })
      expect(container.querySelector('.sim-scan-join')).toBeNull()
    })

    it('shows the simulator’s refusal', async () => {
      fakeApi({
        'GET /api/v1/client-config': simConfig,
        'GET /api/v1/me/communities': list(community()),
        [JOIN_QR]: ok(qr()),
        'GET /api/v1/me': ok(me(patient('张三'))),
        [`GET ${SIM_BASE}/_sim/wx/users`]: ok({ users: [] }),
        [`POST ${WECOM_SIM}/_sim/wecom/groups/join`]: {
          status: 409,
          data: { error: 'every group of this join way is full' },
        },
      })
      render(<CommunityJoinPage />)
      fireEvent.click(await screen.findByText('模拟扫码入群（本地模拟器）'))
      expect(await screen.findByText('模拟扫码入群失败：every group of this join way is full')).toBeTruthy()
    })

    it('is not offered when the server names no WeCom simulator', async () => {
      fakeApi({
        'GET /api/v1/client-config': ok(simulatedConfig),
        'GET /api/v1/me/communities': list(community()),
        [JOIN_QR]: ok(qr()),
      })
      const { container } = render(<CommunityJoinPage />)
      await screen.findByText('扫码加入群聊')
      await waitFor(() => expect(taro.request).toHaveBeenCalledTimes(3))
      expect(container.querySelector('.sim-scan-join')).toBeNull()
    })
  })
})
