import { randomBytes } from 'node:crypto'
import {
  Community,
  CommunityDetail,
  ErrorBody,
  JoinQrResponse,
  MyCommunitiesResponse,
  PatientTagsResponse,
  ServiceNurseCommunitiesResponse,
  ServicePatientTagResponse,
  ServicePendingSendsResponse,
  TagGroupsResponse,
  WecomEventResult,
  WecomGroupsResponse,
  type WecomEventInput,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { createSimGroup } from '../../../../tests/src/harness/community-fixture'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { SIM_WECOM } from '../../../../tests/src/sim/wecom/wecom-sim'
import { parseInboundMessage } from '../../../../wecom-bot/src/callback-xml'
import { toWecomEventInput } from '../../../../wecom-bot/src/event-forwarder'
import { createLogger } from '../../logger'
import { WecomClient } from '../../platform/wecom/wecom-client'
import { createPiiCrypto } from '../../privacy/pii-crypto'
import { accountModel } from '../accounts/account.model'
import { patientModel } from '../patients/patient.model'
import { phoneAad } from '../patients/profile.service'
import { staffModel } from '../staff/staff.model'
import { wecomIdentityModel } from '../wecom/wecom-identity.model'
import { joinTicketModel, membershipModel } from './community.model'
import { createCommunitiesModule } from './community.module'

/**
 * Communities end to end: the WeCom simulator plays the nurses' groups and the patients scanning
 * QR codes; its change_external_chat events reach the server through the bot's own XML mapping and
 * the real ingest route (or the sink directly, to replay them out of order and twice).
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const h = useStaffHarness({ env: { SERVICE_TOKEN } })
const code = (b: unknown): string => ErrorBody.parse(b).error.code
const tokens = { admin: '', head: '', nurse: '', marketer: '' }
let nurseLiId = ''
let headWangId = ''
let diabetes = ''
let hypertension = ''

const sim = async <T>(name: string, body?: unknown, method: 'GET' | 'POST' = 'POST'): Promise<T> => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const out = (await r.json()) as T
  if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${JSON.stringify(out)}`)
  return out
}
/** Two events of one kind in the same second share the bot's delivery key: keep them apart. */
const nextSecond = () => h.wecom.clock.set({ advanceMs: 1000 })
type SimChange = { event: { seq: number } }
const simJoin = async (body: Record<string, unknown>): Promise<number> => {
  nextSecond()
  return (await sim<SimChange>('groups/join', body)).event.seq
}
const simLeave = async (body: Record<string, unknown>): Promise<number> => {
  nextSecond()
  return (await sim<SimChange>('groups/leave', body)).event.seq
}

/** What the bot forwards for a recorded simulator event (its own XML → input mapping). */
const inputOf = (seq: number): WecomEventInput & { event: 'change_external_chat' } => {
  const rec = h.wecom.eventLog().find((e) => e.seq === seq)!
  return toWecomEventInput(
    parseInboundMessage(rec.xml)!,
    Math.floor(Date.now() / 1000),
  ) as WecomEventInput & {
    event: 'change_external_chat'
  }
}
const forward = async (seq: number): Promise<WecomEventResult> => {
  const r = await h.request('POST', '/api/v1/service/wecom/events', {
    token: SERVICE_TOKEN,
    body: inputOf(seq),
  })
  if (r.status !== 200) throw new Error(`forward: ${r.status} ${JSON.stringify(r.body)}`)
  return WecomEventResult.parse(r.body)
}

/** A second module instance on the same database and simulator (another worker, or the sink directly). */
const directModule = (o: { withoutWecom?: boolean } = {}) =>
  createCommunitiesModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    wecom: o.withoutWecom ? undefined : newClient(),
  })
const newClient = () =>
  new WecomClient({
    corpId: SIM_WECOM.corpId,
    agentSecret: SIM_WECOM.agentSecret,
    apiBase: h.wecom.url,
    clock: h.clock,
  })

const createTag = async (group: string, name: string): Promise<string> => {
  const groups = TagGroupsResponse.parse(
    (await h.request('GET', '/api/v1/staff/tag-groups', { token: tokens.admin })).body,
  )
  let g = groups.groups.find((x) => x.name === group)
  if (!g) {
    const r = await h.request('POST', '/api/v1/staff/tag-groups', {
      token: tokens.admin,
      body: { name: group, kind: 'disease' },
    })
    g = TagGroupsResponse.parse(r.body).groups.find((x) => x.name === group)!
  }
  const r = await h.request('POST', `/api/v1/staff/tag-groups/${g.id}/tags`, {
    token: tokens.admin,
    body: { name },
  })
  return TagGroupsResponse.parse(r.body)
    .groups.flatMap((x) => x.tags)
    .find((t) => t.name === name)!.id
}

const createCommunity = async (
  o: { name: string; chatId: string; tagId?: string; capacity?: number; owner?: string },
  token = tokens.head,
): Promise<Community> => {
  const r = await h.request('POST', '/api/v1/staff/communities', {
    token,
    body: {
      name: o.name,
      chatId: o.chatId,
      diseaseTagId: o.tagId ?? diabetes,
      ownerNurseId: o.owner ?? nurseLiId,
      ...(o.capacity ? { capacity: o.capacity } : {}),
    },
  })
  if (r.status !== 201) throw new Error(`create community: ${r.status} ${JSON.stringify(r.body)}`)
  return Community.parse(r.body)
}
const detail = async (id: string, token = tokens.admin): Promise<CommunityDetail> => {
  const r = await h.request('GET', `/api/v1/staff/communities/${id}`, { token })
  if (r.status !== 200) throw new Error(`detail: ${r.status} ${JSON.stringify(r.body)}`)
  return CommunityDetail.parse(r.body)
}
const patientTags = async (patientId: string) =>
  PatientTagsResponse.parse(
    (await h.request('GET', `/api/v1/staff/patients/${patientId}/tags`, { token: tokens.admin })).body,
  ).tags

interface Patient {
  token: string
  profileId: string
  unionid: string
}
const patient = async (user: string): Promise<Patient> => {
  const s = await h.login(user)
  const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
  const c = await h.request('POST', '/api/v1/me/consents', {
    token: s.accessToken,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
  expect(c.status).toBe(200)
  return { token: s.accessToken, profileId: s.patient.id, unionid: h.sim.identity(user).unionid }
}
const joinQr = (p: Patient, communityId: string) =>
  h.request('POST', `/api/v1/me/communities/${communityId}/join-qr`, { token: p.token })
const myCommunities = async (p: Patient) =>
  MyCommunitiesResponse.parse((await h.request('GET', '/api/v1/me/communities', { token: p.token })).body)
    .communities
const configIdOf = (qr: JoinQrResponse): string => new URL(qr.qrCodeUrl).searchParams.get('config_id')!
const openMembers = async (communityId: string) =>
  (
    await membershipModel(h.db)
      .find({ communityId: new Types.ObjectId(communityId), leftAt: null })
      .lean()
  )
    .map((m) => m.memberId)
    .sort()

beforeAll(async () => {
  await h.seedStaff()
  tokens.admin = (await h.staffLogin('admin')).accessToken
  tokens.head = (await h.staffLogin('headnurse.wang')).accessToken
  tokens.nurse = (await h.staffLogin('nurse.li')).accessToken
  tokens.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  nurseLiId = (await staffModel(h.db).findOne({ username: 'nurse.li' }).lean())!._id.toHexString()
  headWangId = (await staffModel(h.db).findOne({ username: 'headnurse.wang' }).lean())!._id.toHexString()
  await sim('seed', {
    members: [
      { userid: 'LiNa', name: '李娜' },
      { userid: 'WangFang', name: '王芳' },
    ],
  })
  diabetes = await createTag('病种', '糖尿病')
  hypertension = await createTag('病种', '高血压')
})

describe('communities (F10)', () => {
  it("lists the owner's WeCom groups and links one; the chat must be hers and unused", async () => {
    const mine = await createSimGroup(h, 'LiNa', '糖友互助群')
    const hers = await createSimGroup(h, 'WangFang', '护士长的群')
    const groups = async () =>
      WecomGroupsResponse.parse(
        (
          await h.request('GET', `/api/v1/staff/wecom-groups?ownerNurseId=${nurseLiId}`, {
            token: tokens.head,
          })
        ).body,
      )
    const before = await groups()
    expect(before.ownerNurse).toMatchObject({ id: nurseLiId, wecomUserId: 'LiNa' })
    expect(before.groups.find((g) => g.chatId === mine)).toEqual({
      chatId: mine,
      name: '糖友互助群',
      memberCount: 1,
      status: 0,
      communityId: null,
    })
    expect(before.groups.some((g) => g.chatId === hers)).toBe(false)

    const c = await createCommunity({ name: '糖尿病之家', chatId: mine })
    expect(c).toMatchObject({
      name: '糖尿病之家',
      diseaseTag: { id: diabetes, name: '糖尿病' },
      ownerNurse: { id: nurseLiId, name: '李娜', wecomUserId: 'LiNa' },
      chatId: mine,
      groupName: '糖友互助群',
      groupOwnerUserId: 'LiNa',
      capacity: 200,
      status: 'active',
    })
    expect(c.stats).toMatchObject({ membersNow: 1, customersNow: 0, full: false, capacityUsePercent: 1 })
    expect(c.stats.sendsThisMonth.used).toBe(0)
    expect((await groups()).groups.find((g) => g.chatId === mine)!.communityId).toBe(c.id)

    const again = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.admin,
      body: { name: '重复', chatId: mine, diseaseTagId: diabetes, ownerNurseId: nurseLiId },
    })
    expect([again.status, code(again.body)]).toEqual([409, 'COMMUNITY_CHAT_TAKEN'])
    const notHers = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.admin,
      body: { name: '别人的群', chatId: hers, diseaseTagId: diabetes, ownerNurseId: nurseLiId },
    })
    expect([notHers.status, code(notHers.body)]).toEqual([400, 'COMMUNITY_CHAT_INVALID'])
    const marketerId = (await staffModel(h.db)
      .findOne({ username: 'marketing.zhao' })
      .lean())!._id.toHexString()
    const badOwner = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.admin,
      body: { name: '无主', chatId: hers, diseaseTagId: diabetes, ownerNurseId: marketerId },
    })
    expect([badOwner.status, code(badOwner.body)]).toEqual([400, 'COMMUNITY_OWNER_INVALID'])
    const badTag = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.admin,
      body: {
        name: '无标签',
        chatId: hers,
        diseaseTagId: new Types.ObjectId().toHexString(),
        ownerNurseId: headWangId,
      },
    })
    expect([badTag.status, code(badTag.body)]).toEqual([404, 'TAG_NOT_FOUND'])
    const byNurse = await h.request('POST', '/api/v1/staff/communities', {
      token: tokens.nurse,
      body: { name: '护士建群', chatId: hers, diseaseTagId: diabetes, ownerNurseId: headWangId },
    })
    expect([byNurse.status, code(byNurse.body)]).toEqual([403, 'FORBIDDEN'])
  })

  it('nurses see their own communities, marketers statistics only; archive and reactivate', async () => {
    const liChat = await createSimGroup(h, 'LiNa', '高血压之友')
    const wangChat = await createSimGroup(h, 'WangFang', '护士长高血压群')
    const li = await createCommunity({ name: '高血压之友', chatId: liChat, tagId: hypertension })
    const wang = await createCommunity({ name: '护士长社群', chatId: wangChat, owner: headWangId })

    const list = async (token: string) =>
      (await h.request('GET', '/api/v1/staff/communities', { token })).body as {
        communities: { id: string }[]
      }
    const nurseIds = (await list(tokens.nurse)).communities.map((c) => c.id)
    expect(nurseIds).toContain(li.id)
    expect(nurseIds).not.toContain(wang.id)
    expect((await list(tokens.marketer)).communities.map((c) => c.id)).toEqual(
      expect.arrayContaining([li.id, wang.id]),
    )
    const hidden = await h.request('GET', `/api/v1/staff/communities/${wang.id}`, { token: tokens.nurse })
    expect([hidden.status, code(hidden.body)]).toEqual([404, 'COMMUNITY_NOT_FOUND'])

    const asNurse = await detail(li.id, tokens.nurse)
    expect(asNurse.members).toEqual([
      expect.objectContaining({ memberType: 'staff', name: '李娜', patientId: null, leftAt: null }),
    ])
    const asMarketer = await detail(li.id, tokens.marketer)
    expect(asMarketer.members).toBeNull()
    expect(asMarketer.history).toBeNull()
    expect(asMarketer.community.stats.membersNow).toBe(1)

    const archive = await h.request('PUT', `/api/v1/staff/communities/${li.id}`, {
      token: tokens.head,
      body: { status: 'archived', description: '暂停招募' },
    })
    expect(Community.parse(archive.body)).toMatchObject({ status: 'archived', description: '暂停招募' })
    const asMarketerWrite = await h.request('PUT', `/api/v1/staff/communities/${li.id}`, {
      token: tokens.marketer,
      body: { status: 'active' },
    })
    expect(asMarketerWrite.status).toBe(403)
    const back = await h.request('PUT', `/api/v1/staff/communities/${li.id}`, {
      token: tokens.admin,
      body: { status: 'active', capacity: 150 },
    })
    expect(Community.parse(back.body)).toMatchObject({ status: 'active', capacity: 150 })
  })
})

describe('join by QR (F11) and membership sync (F12)', () => {
  let home: Community
  let a: Patient
  let b: Patient
  let qrA: JoinQrResponse

  beforeAll(async () => {
    home = await createCommunity({ name: '糖尿病之家', chatId: await createSimGroup(h, 'LiNa', '糖友之家') })
    a = await patient('community-pat-a')
    b = await patient('community-pat-b')
  })

  it("recommends by the profile's tags and gives each profile its own, idempotent join QR", async () => {
    const r = await h.request('POST', `/api/v1/staff/patients/${a.profileId}/tags`, {
      token: tokens.admin,
      body: { tagId: diabetes, reason: '门诊确诊' },
    })
    expect(r.status).toBe(200)
    const list = await myCommunities(a)
    // disease-tag matches first
    const matches = list.map((c) => c.matchesMyTags)
    expect(matches).toEqual([...matches].sort((x, y) => Number(y) - Number(x)))
    expect(list[0]!.matchesMyTags).toBe(true)
    expect(list.find((c) => c.id === home.id)).toMatchObject({
      name: '糖尿病之家',
      diseaseTagName: '糖尿病',
      joined: false,
      joinable: true,
      full: false,
    })
    expect((await myCommunities(b)).find((c) => c.id === home.id)!.matchesMyTags).toBe(false)

    const addJoinWay = '/cgi-bin/externalcontact/groupchat/add_join_way'
    const calls = h.wecom.requests(addJoinWay).length
    const concurrent = await Promise.all([1, 2, 3].map(() => joinQr(a, home.id)))
    for (const x of concurrent) expect(x.status).toBe(200)
    const [q1, q2, q3] = concurrent.map((x) => JoinQrResponse.parse(x.body))
    expect(q2).toEqual(q1)
    expect(q3).toEqual(q1)
    expect(JoinQrResponse.parse((await joinQr(a, home.id)).body)).toEqual(q1)
    expect(h.wecom.requests(addJoinWay).length - calls).toBe(1)
    qrA = q1!
    expect(qrA).toMatchObject({ communityId: home.id, expiresAt: null, joined: false })
    expect(qrA.state.length).toBeLessThanOrEqual(30)
    expect(qrA.state).not.toContain(a.profileId)
    const png = await fetch(qrA.qrCodeUrl)
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png'])

    // another patient gets another ticket and QR, and cannot reach the first one's
    const qrB = JoinQrResponse.parse((await joinQr(b, home.id)).body)
    expect(qrB.state).not.toBe(qrA.state)
    expect(qrB.qrCodeUrl).not.toBe(qrA.qrCodeUrl)
    expect(await joinTicketModel(h.db).countDocuments({ communityId: new Types.ObjectId(home.id) })).toBe(2)
    const sink = directModule().sync
    expect(await sink.patientOfState(qrA.state)).toBe(a.profileId)
    expect(await sink.patientOfState(qrB.state)).toBe(b.profileId)
    expect(await sink.patientOfState('cjNoSuchTicket')).toBeNull()
  })

  it('a patient scanning the QR is linked by its ticket, recorded and given the disease tag', async () => {
    // the contact's unionid belongs to nobody we know: only the ticket can name the profile
    const seq = await simJoin({
      config_id: configIdOf(qrA),
      unionid: 'uUnknownWechatUser00001',
      name: '王秀英',
    })
    const result = await forward(seq)
    expect(result).toEqual({ duplicate: false, outcome: 'applied add_member x1' })
    expect((await forward(seq)).duplicate).toBe(true)

    const d = await detail(home.id)
    const member = d.members!.find((m) => m.memberType === 'customer')!
    expect(member).toMatchObject({ name: '王秀英', patientId: a.profileId, via: 'ticket', leftAt: null })
    const identity = await wecomIdentityModel(h.db)
      .findOne({ patientId: new Types.ObjectId(a.profileId) })
      .lean()
    expect(identity).toMatchObject({ linkedBy: 'state' })
    const tag = (await patientTags(a.profileId)).find((t) => t.tagId === diabetes)!
    // A already had it from the clinic; the join keeps the first reason (tags are idempotent)
    expect(tag.reason).toBe('门诊确诊')
    expect(d.community.stats).toMatchObject({
      membersNow: 2,
      customersNow: 1,
      patientsLinked: 1,
      joined7d: 1,
    })
    expect((await myCommunities(a)).find((c) => c.id === home.id)).toMatchObject({
      joined: true,
      joinable: false,
    })
    expect(JoinQrResponse.parse((await joinQr(a, home.id)).body).joined).toBe(true)
  })

  it('a member invited without a ticket is linked by unionid and tagged (source wecom)', async () => {
    const seq = await simJoin({ chat_id: home.chatId, unionid: b.unionid, name: '李桂兰' })
    expect((await forward(seq)).outcome).toBe('applied add_member x1')
    const member = (await detail(home.id)).members!.find((m) => m.name === '李桂兰')!
    expect(member).toMatchObject({ patientId: b.profileId, via: 'invite', invitor: 'LiNa' })
    const tag = (await patientTags(b.profileId)).find((t) => t.tagId === diabetes)
    expect(tag).toMatchObject({ source: 'wecom', reason: '加入社群「糖尿病之家」', by: { kind: 'system' } })
    // members of her community are the owner nurse's patients (not assigned to her otherwise)
    const asNurse = await h.request('GET', `/api/v1/staff/patients/${b.profileId}`, { token: tokens.nurse })
    expect(asNurse.status).toBe(200)
  })

  it('records leaving and removal in the history; the patient is no longer marked joined', async () => {
    const extOf = async (p: Patient) =>
      (await wecomIdentityModel(h.db)
        .findOne({ patientId: new Types.ObjectId(p.profileId) })
        .lean())!.externalUserId
    expect(
      (await forward(await simLeave({ chat_id: home.chatId, external_userid: await extOf(a) }))).outcome,
    ).toBe('applied del_member x1')
    await forward(await simLeave({ chat_id: home.chatId, external_userid: await extOf(b), removed: true }))
    const d = await detail(home.id)
    expect(d.members!.map((m) => m.memberType)).toEqual(['staff'])
    expect(
      d
        .history!.filter((m) => m.leftAt)
        .map((m) => [m.name, m.endReason])
        .sort(),
    ).toEqual([
      ['李桂兰', 'removed'],
      ['王秀英', 'left'],
    ])
    expect(d.community.stats).toMatchObject({
      membersNow: 1,
      customersNow: 0,
      joined7d: 2,
      left7d: 2,
      left30d: 2,
    })
    expect((await myCommunities(a)).find((c) => c.id === home.id)).toMatchObject({
      joined: false,
      joinable: true,
    })
    // once they left, the nurse no longer reaches them through the community
    const asNurse = await h.request('GET', `/api/v1/staff/patients/${b.profileId}`, { token: tokens.nurse })
    expect([asNurse.status, code(asNurse.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    // the disease tag stays: it describes the patient, not the membership
    expect((await patientTags(b.profileId)).some((t) => t.tagId === diabetes)).toBe(true)

    // a patient rejoining with the same QR gets a second stay
    await forward(await simJoin({ config_id: configIdOf(qrA), external_userid: await extOf(a) }))
    const rows = await membershipModel(h.db)
      .find({ communityId: new Types.ObjectId(home.id), memberId: await extOf(a) })
      .lean()
    expect(rows.map((r) => [r.seq, r.leftAt === null]).sort()).toEqual([
      [1, false],
      [2, true],
    ])
  })

  it('duplicate and reordered events end in the state WeCom holds', async () => {
    const chatId = await createSimGroup(h, 'LiNa', '乱序测试群')
    const c = await createCommunity({ name: '乱序社群', chatId })
    nextSecond()
    const x = await simJoin({ chat_id: chatId, unionid: 'uReorderX000000000000001', name: '甲' })
    const y = await simJoin({ chat_id: chatId, unionid: 'uReorderY000000000000001', name: '乙' })
    const extX = (inputOf(x).memChangeList ?? [])[0]!
    const extY = (inputOf(y).memChangeList ?? [])[0]!
    const z = await simLeave({ chat_id: chatId, external_userid: extX })
    const sink = directModule().sync
    const events = [z, y, x].map(inputOf)
    for (const e of events) await sink.onChatEvent(e, new Date(e.createTime * 1000))
    const state = async () => ({
      open: await openMembers(c.id),
      rows: await membershipModel(h.db).countDocuments({ communityId: new Types.ObjectId(c.id) }),
    })
    const afterReverse = await state()
    expect(afterReverse.open).toEqual(['LiNa', extY].sort())
    // the same events again, in order and reversed, concurrently: nothing changes
    const twice = [...events, ...[...events].reverse()]
    await Promise.all(twice.map((e) => sink.onChatEvent(e, new Date(e.createTime * 1000))))
    await sink.sync(c.id)
    expect(await state()).toEqual(afterReverse)
    expect(
      (
        await membershipModel(h.db)
          .find({ communityId: new Types.ObjectId(c.id), memberId: extX })
          .lean()
      ).every((r) => r.leftAt !== null),
    ).toBe(true)
  })

  it('in-order events take the fast path; a gap (missed event) falls back to a full re-read', async () => {
    const chatId = await createSimGroup(h, 'LiNa', '顺序测试群')
    const c = await createCommunity({ name: '顺序社群', chatId })
    const sink = directModule().sync
    const first = inputOf(await simJoin({ chat_id: chatId, unionid: 'uOrderP0000000000000001', name: '丙' }))
    expect(await sink.onChatEvent(first, new Date())).toBe('applied add_member x1')
    inputOf(await simJoin({ chat_id: chatId, unionid: 'uOrderQ0000000000000001', name: '丁' })) // missed
    const third = inputOf(await simJoin({ chat_id: chatId, unionid: 'uOrderR0000000000000001', name: '戊' }))
    expect(await sink.onChatEvent(third, new Date())).toMatch(/^out of sequence, reconciled: \+2 -0/)
    expect((await openMembers(c.id)).length).toBe(4)
  })

  it('reconciliation repairs missed events and links members whose identity appears later', async () => {
    const chatId = await createSimGroup(h, 'LiNa', '对账测试群')
    const c = await createCommunity({ name: '对账社群', chatId })
    const late = h.sim.identity('community-late-login').unionid
    await simJoin({ chat_id: chatId, unionid: late, name: '晚登录' }) // never forwarded
    const gone = await simJoin({ chat_id: chatId, unionid: 'uGone00000000000000000001', name: '已离开' })
    await forward(gone)
    await simLeave({ chat_id: chatId, external_userid: inputOf(gone).memChangeList![0]! }) // never forwarded
    const m = directModule()
    expect(await m.sync.reconcileAll()).toMatchObject({ failed: 0 })
    const d = await detail(c.id)
    expect(d.members!.map((x) => x.name).sort()).toEqual(['晚登录', '李娜'].sort())
    expect(d.members!.find((x) => x.name === '晚登录')!.patientId).toBeNull()
    expect(d.history!.find((x) => x.name === '已离开')).toMatchObject({ endReason: 'missing' })

    // the member logs into the mini-program later: the next reconciliation links and tags her
    const p = await patient('community-late-login')
    await m.sync.reconcileAll()
    expect((await detail(c.id)).members!.find((x) => x.name === '晚登录')!.patientId).toBe(p.profileId)
    expect((await patientTags(p.profileId)).find((t) => t.tagId === diabetes)).toMatchObject({
      source: 'wecom',
      reason: '加入社群「对账社群」',
    })
  })

  it('a full community is not joinable and refuses the QR', async () => {
    const chatId = await createSimGroup(h, 'LiNa', '满员测试群')
    const c = await createCommunity({ name: '满员社群', chatId, capacity: 2 })
    await forward(await simJoin({ chat_id: chatId, unionid: 'uFull0000000000000000001', name: '己' }))
    const p = await patient('community-full-pat')
    expect((await myCommunities(p)).find((x) => x.id === c.id)).toMatchObject({
      full: true,
      joinable: false,
      joined: false,
    })
    const r = await joinQr(p, c.id)
    expect([r.status, code(r.body)]).toEqual([409, 'COMMUNITY_FULL'])
    expect((await detail(c.id)).community.stats).toMatchObject({ full: true, capacityUsePercent: 100 })
  })

  it('dismissal ends every stay; later events and reactivation are refused', async () => {
    const chatId = await createSimGroup(h, 'LiNa', '解散测试群')
    const c = await createCommunity({ name: '解散社群', chatId })
    const join = await simJoin({ chat_id: chatId, unionid: 'uDismiss0000000000000001', name: '庚' })
    await forward(join)
    nextSecond()
    const dismissed = await sim<SimChange>('groups/dismiss', { chat_id: chatId })
    expect((await forward(dismissed.event.seq)).outcome).toBe('dismissed; 2 stays ended')
    const d = await detail(c.id)
    expect(d.community.status).toBe('dismissed')
    expect(d.members).toEqual([])
    expect(d.history!.every((m) => m.endReason === 'dismissed')).toBe(true)
    // a late duplicate of the join (another delivery key) changes nothing
    const replay = { ...inputOf(join), dedupeKey: 'late-replay-of-join' }
    const late = await h.request('POST', '/api/v1/service/wecom/events', {
      token: SERVICE_TOKEN,
      body: replay,
    })
    expect(WecomEventResult.parse(late.body).outcome).toBe('ignored: community dismissed')
    expect(await openMembers(c.id)).toEqual([])
    const p = await patient('community-dismiss-pat')
    expect((await myCommunities(p)).some((x) => x.id === c.id)).toBe(false)
    expect(code((await joinQr(p, c.id)).body)).toBe('COMMUNITY_NOT_FOUND')
    const reactivate = await h.request('PUT', `/api/v1/staff/communities/${c.id}`, {
      token: tokens.admin,
      body: { status: 'active' },
    })
    expect([reactivate.status, code(reactivate.body)]).toEqual([409, 'COMMUNITY_NOT_ACTIVE'])
  })

  it("erasing a family profile removes its ticket and its link on the member's stays", async () => {
    const p = await patient('community-family-owner')
    const created = await h.request('POST', '/api/v1/profiles', {
      token: p.token,
      body: { name: '张母', relation: 'parent', proxyConsent: true },
    })
    const mother = (created.body as { profiles: { id: string; relation: string }[] }).profiles.find(
      (x) => x.relation === 'parent',
    )!.id
    expect((await h.request('POST', `/api/v1/profiles/${mother}/activate`, { token: p.token })).status).toBe(
      200,
    )
    const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
    await h.request('POST', '/api/v1/me/consents', {
      token: p.token,
      body: { purpose: 'care', granted: true, policyVersion: policy.version },
    })
    const qr = JoinQrResponse.parse((await joinQr(p, home.id)).body)
    await forward(
      await simJoin({ config_id: configIdOf(qr), unionid: 'uMotherPhone000000000001', name: '张母' }),
    )
    const sink = directModule().sync
    expect(await sink.patientOfState(qr.state)).toBe(mother)
    expect((await detail(home.id)).members!.find((m) => m.name === '张母')!.patientId).toBe(mother)

    expect((await h.request('DELETE', `/api/v1/profiles/${mother}`, { token: p.token })).status).toBe(200)
    expect(await sink.patientOfState(qr.state)).toBeNull()
    expect(await joinTicketModel(h.db).countDocuments({ patientId: new Types.ObjectId(mother) })).toBe(0)
    const stays = await membershipModel(h.db)
      .find({ communityId: new Types.ObjectId(home.id) })
      .lean()
    expect(stays.some((m) => m.patientId?.toHexString() === mother || m.name === '张母')).toBe(false)
    // the stay itself remains (statistics), unlinked
    expect((await detail(home.id)).community.stats.customersNow).toBe(2)
  })

  it('chat events of groups that are no community are ignored', async () => {
    const chatId = await createSimGroup(h, 'WangFang', '无关的群')
    const seq = await simJoin({ chat_id: chatId, unionid: 'uUnrelated00000000000001', name: '辛' })
    expect((await forward(seq)).outcome).toBe('ignored: not a community')
  })

  it('without WeCom the join QR and linking answer WECOM_NOT_CONFIGURED', async () => {
    const m = directModule({ withoutWecom: true })
    const p = await patient('community-no-wecom')
    await expect(m.communities.joinQr(p.profileId, home.id)).rejects.toMatchObject({
      code: 'WECOM_NOT_CONFIGURED',
    })
    await expect(m.sync.sync(home.id)).rejects.toMatchObject({ code: 'WECOM_NOT_CONFIGURED' })
    expect(await m.sop.tick()).toMatchObject({ created: 0 })
  })
})

describe('service routes for the bot (群 / 待发 / 标签)', () => {
  const pii = () => createPiiCrypto(h.config.pii)
  const service = (method: string, path: string, body?: unknown, token = SERVICE_TOKEN) =>
    h.request(method, `/api/v1/service/nurses/${path}`, { token, body })
  const seedPatient = async (name: string, phone: string | null, nurse: string | null) => {
    const accountId = new Types.ObjectId()
    await accountModel(h.db).create({
      _id: accountId,
      openid: `bot-${accountId.toHexString()}`,
      ...(phone
        ? {
            phone: pii().encrypt(phone, phoneAad(accountId.toHexString())),
            phoneIndex: pii().blindIndex('phone', phone),
          }
        : {}),
    })
    const p = await patientModel(h.db).create({
      accountId,
      relation: 'self',
      name,
      assignedNurseId: nurse ? new Types.ObjectId(nurse) : null,
    })
    return p._id.toHexString()
  }

  it('群 lists the nurse’s communities with statistics; 待发 her pending sends', async () => {
    const r = await service('GET', 'LiNa/communities')
    const body = ServiceNurseCommunitiesResponse.parse(r.body)
    expect(body.nurse).toMatchObject({ id: nurseLiId, name: '李娜', role: 'nurse' })
    expect(body.communities.length).toBeGreaterThan(0)
    expect(body.communities.every((c) => c.ownerNurse.id === nurseLiId && c.status === 'active')).toBe(true)
    const pending = ServicePendingSendsResponse.parse((await service('GET', 'LiNa/group-sends/pending')).body)
    expect(pending.nurse.id).toBe(nurseLiId)
    expect(pending.sends).toEqual([])

    const unknown = await service('GET', 'NoSuchNurse/communities')
    expect([unknown.status, code(unknown.body)]).toEqual([404, 'STAFF_NOT_FOUND'])
    const badId = await service('GET', 'bad%20id/communities')
    expect([badId.status, code(badId.body)]).toEqual([400, 'VALIDATION_FAILED'])
    const noToken = await service('GET', 'LiNa/communities', undefined, 'y'.repeat(40))
    expect([noToken.status, code(noToken.body)]).toEqual([401, 'AUTH_TOKEN_INVALID'])
    const staffToken = await service('GET', 'LiNa/communities', undefined, tokens.admin)
    expect(staffToken.status).toBe(401)
  })

  it('标签 tags by name or phone tail within the nurse’s scope; ambiguity lists candidates', async () => {
    const zhao = await seedPatient('赵敏', '13800005678', nurseLiId)
    await seedPatient('张伟', '13900001111', nurseLiId)
    await seedPatient('张伟', null, nurseLiId)
    const other = await seedPatient('钱七', '13700002222', null)
    const tag = (body: unknown, userid = 'LiNa') => service('POST', `${userid}/patient-tags`, body)

    const done = ServicePatientTagResponse.parse((await tag({ patient: '赵敏', tag: '高血压' })).body)
    expect(done).toEqual({
      outcome: 'done',
      action: 'tag',
      changed: true,
      patient: { id: zhao, name: '赵敏', phone: '138****5678', gender: null, birthYear: null },
      tag: { id: hypertension, name: '高血压' },
    })
    expect((await patientTags(zhao)).find((t) => t.tagId === hypertension)).toMatchObject({
      source: 'manual',
      reason: '企业微信机器人：李娜',
      by: { kind: 'staff', id: nurseLiId },
    })
    expect(
      ServicePatientTagResponse.parse((await tag({ patient: '5678', tag: '高血压' })).body),
    ).toMatchObject({
      outcome: 'done',
      changed: false,
    })
    expect(
      ServicePatientTagResponse.parse((await tag({ patient: '5678', tag: '高血压', action: 'untag' })).body),
    ).toMatchObject({ outcome: 'done', action: 'untag', changed: true })

    const ambiguous = ServicePatientTagResponse.parse((await tag({ patient: '张伟', tag: '高血压' })).body)
    expect(ambiguous).toMatchObject({ outcome: 'ambiguous', total: 2 })
    if (ambiguous.outcome === 'ambiguous')
      expect(ambiguous.candidates.map((x) => x.phone).sort()).toEqual(['139****1111', null].sort())

    // outside her scope: not found for the nurse, found for the head nurse (scope all)
    const notHers = await tag({ patient: '钱七', tag: '高血压' })
    expect([notHers.status, code(notHers.body)]).toEqual([404, 'PATIENT_NOT_FOUND'])
    const byHead = ServicePatientTagResponse.parse(
      (await tag({ patient: '2222', tag: '高血压' }, 'WangFang')).body,
    )
    expect(byHead).toMatchObject({ outcome: 'done', patient: { id: other } })

    const noTag = await tag({ patient: '赵敏', tag: '不存在的标签' })
    expect([noTag.status, code(noTag.body)]).toEqual([404, 'TAG_NOT_FOUND'])
    const bad = await tag({ patient: '', tag: '高血压' })
    expect([bad.status, code(bad.body)]).toEqual([400, 'VALIDATION_FAILED'])
  })
})
