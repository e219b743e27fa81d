import { randomBytes } from 'node:crypto'
import {
  ErrorBody,
  PatientTagsResponse,
  TagGroupsResponse,
  WecomEventResult,
  type WecomEventInput,
} from '@careloop/shared'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { parseInboundMessage } from '../../../../wecom-bot/src/callback-xml'
import { toWecomEventInput } from '../../../../wecom-bot/src/event-forwarder'
import { createLogger } from '../../logger'
import { WecomClient } from '../../platform/wecom/wecom-client'
import { createTagRepo } from '../tags/tag.repo'
import { createWecomContactRepo } from './wecom-contact.repo'
import { wecomContactModel } from './wecom-contact.model'
import { wecomEventModel } from './wecom-event.model'
import { createWecomIdentityRepo } from './wecom-identity.repo'
import { wecomIdentityModel } from './wecom-identity.model'
import { createWecomTagRepo } from './wecom-tag.repo'
import { corpTagModel, tagSyncFailureModel } from './wecom-tag.model'
import { createWecomEventRepo } from './wecom-event.repo'
import { createWecomIngestService } from './wecom-ingest.service'
import { createWecomTagSync, type WecomTagSync } from './wecom-tag-sync.service'
import { SIM_WECOM } from '../../../../tests/src/sim/wecom/wecom-sim'

/**
 * WeCom customer contact end to end on the server: the simulator plays WeCom (customers add nurses,
 * nurses tag in the client, admins edit corp tags) and its events reach the service route the way
 * the bot forwards them (the bot's own XML → WecomEventInput mapping).
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const h = useStaffHarness({ env: { SERVICE_TOKEN, HOSPITAL_NAME: '仁和医院' } })
const code = (b: unknown) => ErrorBody.parse(b).error.code
let admin = ''

interface SimState {
  contacts: { external_userid: string; follows: { userid: string; tags: string[] }[] }[]
  tag_groups: { group_id: string; group_name: string; tags: { id: string; name: string }[] }[]
}
interface Welcome {
  welcome_code: string
  userid: string
  external_userid: string
  text?: { content: string }
}

const sim = async <T>(method: 'GET' | 'POST', name: string, body?: unknown): Promise<T> => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const out = (await r.json()) as T
  if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${JSON.stringify(out)}`)
  return out
}
const simState = () => sim<SimState>('GET', 'state')
const welcomes = async () => (await sim<{ messages: Welcome[] }>('GET', 'welcome-messages')).messages
const pairTags = async (userid: string, ext: string): Promise<string[]> =>
  (await simState()).contacts.find((c) => c.external_userid === ext)?.follows.find((f) => f.userid === userid)
    ?.tags ?? []
const ourGroups = async () => (await simState()).tag_groups.filter((g) => g.group_name === 'CareLoop')
/** Two events of the same kind within one second share WeCom's delivery key (§3.6): keep them apart. */
const tick = () => h.wecom.clock.set({ advanceMs: 1000 })

/** What the bot sends for a recorded simulator event. */
const inputOf = (seq: number): WecomEventInput => {
  const rec = h.wecom.eventLog().find((e) => e.seq === seq)!
  return toWecomEventInput(parseInboundMessage(rec.xml)!, Math.floor(Date.now() / 1000))!
}
const post = (body: unknown, token = SERVICE_TOKEN) =>
  h.request('POST', '/api/v1/service/wecom/events', { token, body })
const forward = async (seq: number): Promise<WecomEventResult> => {
  const r = await post(inputOf(seq))
  if (r.status !== 200) throw new Error(`forward: ${r.status} ${JSON.stringify(r.body)}`)
  return WecomEventResult.parse(r.body)
}
const forwardAll = async (events: { seq: number }[]): Promise<WecomEventResult[]> => {
  const out: WecomEventResult[] = []
  for (const e of events) out.push(await forward(e.seq))
  return out
}

/** A WeChat user (the mini-program's `user`) adds a member; the add event is forwarded. */
const addCustomer = async (o: { userid: string; user: string; name: string; loggedIn?: boolean }) => {
  const unionid = h.sim.identity(o.user).unionid
  const r = await sim<{ external_userid: string; welcome_code?: string; event: { seq: number } }>(
    'POST',
    'customers/add',
    { userid: o.userid, name: o.name, unionid },
  )
  const result = await forward(r.event.seq)
  return { ext: r.external_userid, code: r.welcome_code, seq: r.event.seq, result }
}

const createTag = async (group: string, name: string): Promise<string> => {
  const groups = TagGroupsResponse.parse(
    (await h.request('GET', '/api/v1/staff/tag-groups', { token: admin })).body,
  )
  let g = groups.groups.find((x) => x.name === group)
  if (!g) {
    const r = await h.request('POST', '/api/v1/staff/tag-groups', {
      token: admin,
      body: { name: group, kind: 'disease' },
    })
    g = TagGroupsResponse.parse(r.body).groups.find((x) => x.name === group)!
  }
  const r = await h.request('POST', `/api/v1/staff/tag-groups/${g.id}/tags`, { token: admin, body: { name } })
  return TagGroupsResponse.parse(r.body)
    .groups.flatMap((x) => x.tags)
    .find((t) => t.name === name)!.id
}
const assign = async (patientId: string, tagId: string) => {
  const r = await h.request('POST', `/api/v1/staff/patients/${patientId}/tags`, {
    token: admin,
    body: { tagId, reason: '门诊确诊' },
  })
  expect(r.status).toBe(200)
}
const unassign = async (patientId: string, tagId: string) => {
  const r = await h.request('DELETE', `/api/v1/staff/patients/${patientId}/tags/${tagId}?reason=复查排除`, {
    token: admin,
  })
  expect(r.status).toBe(200)
}
const patientTags = async (patientId: string) =>
  PatientTagsResponse.parse(
    (await h.request('GET', `/api/v1/staff/patients/${patientId}/tags`, { token: admin })).body,
  ).tags
const corpTagOf = async (tagId: string) => (await corpTagModel(h.db).findOne({ tagId }).lean())?.corpTagId

beforeAll(async () => {
  await h.seedStaff()
  admin = (await h.staffLogin('admin')).accessToken
  await sim('POST', 'seed', {
    members: [
      { userid: 'LiNa', name: '李娜' },
      { userid: 'WangFang', name: '王芳' },
    ],
  })
})

describe('POST /api/v1/service/wecom/events', () => {
  it('is for the bot only, and refuses bad input by name', async () => {
    const ok: WecomEventInput = {
      dedupeKey: 'evt:test-chat-1',
      event: 'change_external_chat',
      changeType: 'update',
      createTime: 1_700_000_000,
      chatId: 'wrSimChat1',
    }
    expect((await post(ok, 'x'.repeat(40))).status).toBe(401)
    const staff = await post(ok, admin)
    expect(staff.status).toBe(401)

    for (const [body, path] of [
      [{ ...ok, dedupeKey: '' }, 'dedupeKey'],
      [{ ...ok, event: 'change_contact' }, 'event'],
      [{ ...ok, createTime: 'yesterday' }, 'createTime'],
      [{ ...ok, state: 'x'.repeat(31) }, 'state'],
      [{ ...ok, surprise: 1 }, ''],
    ] as const) {
      const r = await post(body)
      expect([path, r.status, code(r.body)]).toEqual([path, 400, 'VALIDATION_FAILED'])
      if (path)
        expect((ErrorBody.parse(r.body).error.details as { path: string }[]).map((d) => d.path)).toContain(
          path,
        )
    }
    expect(await wecomEventModel(h.db).countDocuments({})).toBe(0)

    // chat events go to the communities module's sink, once per delivery
    const first = WecomEventResult.parse((await post(ok)).body)
    expect(first.duplicate).toBe(false)
    expect(WecomEventResult.parse((await post(ok)).body)).toEqual({ duplicate: true, outcome: first.outcome })
    expect(await wecomEventModel(h.db).findOne({ dedupeKey: ok.dedupeKey }).lean()).toMatchObject({
      status: 'done',
      outcome: first.outcome,
      attempts: 1,
    })

    // without that module they are recorded as ignored
    const bare = createWecomIngestService({
      events: createWecomEventRepo(h.db),
      contacts: { onContactEvent: () => Promise.reject(new Error('not a contact event')) },
      tagSync: {} as WecomTagSync,
      clock: h.clock,
      logger: createLogger('silent'),
    })
    expect(await bare.ingest({ ...ok, dedupeKey: 'evt:test-chat-2' })).toEqual({
      duplicate: false,
      outcome: 'ignored: no chat event sink',
    })
  })
})

describe('a patient adds a nurse (F4, F14)', () => {
  it('links the contact by unionid to the mini-program profile and welcomes by name at once', async () => {
    const login = await h.login('wecom-pat-1')
    const {
      ext,
      code: welcomeCode,
      result,
    } = await addCustomer({
      userid: 'LiNa',
      user: 'wecom-pat-1',
      name: '张建国',
    })
    expect(result.duplicate).toBe(false)
    expect(result.outcome).toContain('patient linked')
    expect(result.outcome).toContain('welcome sent')

    const sent = (await welcomes()).filter((w) => w.welcome_code === welcomeCode)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ userid: 'LiNa', external_userid: ext })
    expect(sent[0]!.text!.content).toMatch(/^您好，我是仁和医院的李娜护士/)
    expect(sent[0]!.text!.content).toContain('您已关联「仁和医院」小程序')

    const identities = createWecomIdentityRepo(h.db)
    expect(await identities.patientOf(ext)).toBe(login.patient.id)
    expect((await identities.find(ext))?.linkedBy).toBe('unionid')
    const rel = await createWecomContactRepo(h.db).find({ userId: 'LiNa', externalUserId: ext })
    expect(rel).toMatchObject({ endedAt: null, welcome: { status: 'sent' } })
    expect(rel?.since).toBeInstanceOf(Date)
  })

  it('welcomes an unknown customer with the way to the mini-program, linking later by unionid', async () => {
    const { ext, code: welcomeCode } = await addCustomer({
      userid: 'LiNa',
      user: 'wecom-new-1',
      name: '刘洋',
    })
    const text = (await welcomes()).find((w) => w.welcome_code === welcomeCode)!.text!.content
    expect(text).toContain('搜索「仁和医院」小程序')
    expect(await createWecomIdentityRepo(h.db).patientOf(ext)).toBeNull()
    expect((await wecomIdentityModel(h.db).findOne({ externalUserId: ext }).lean())?.unionid).toBe(
      h.sim.identity('wecom-new-1').unionid,
    )
  })

  it('a duplicate delivery changes nothing; a failed delivery is processed again when redelivered', async () => {
    await h.login('wecom-pat-2')
    const { seq, code: welcomeCode } = await addCustomer({
      userid: 'LiNa',
      user: 'wecom-pat-2',
      name: '陈静',
    })
    const before = (await welcomes()).length
    const again = await forward(seq)
    expect(again).toEqual({ duplicate: true, outcome: expect.stringContaining('welcome sent') as unknown })
    expect((await welcomes()).length).toBe(before)
    expect((await welcomes()).filter((w) => w.welcome_code === welcomeCode)).toHaveLength(1)
    expect(await wecomEventModel(h.db).countDocuments({ dedupeKey: inputOf(seq).dedupeKey })).toBe(1)

    // WeCom fails while the server reads the contact: 502, kept as failed, then retried on redelivery
    await fetch(`${h.wecom.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/externalcontact/get', errcode: 45009, times: 1 }),
    })
    tick()
    await h.login('wecom-pat-3')
    const added = await sim<{ external_userid: string; event: { seq: number } }>('POST', 'customers/add', {
      userid: 'WangFang',
      name: '周敏',
      unionid: h.sim.identity('wecom-pat-3').unionid,
    })
    const input = inputOf(added.event.seq)
    const failed = await post(input)
    expect(failed.status).toBe(502)
    expect(code(failed.body)).toBe('UPSTREAM_UNAVAILABLE')
    const row = await wecomEventModel(h.db).findOne({ dedupeKey: input.dedupeKey }).lean()
    expect(row).toMatchObject({ status: 'failed', attempts: 1 })
    // the welcome did not wait for the failed read
    expect((await welcomes()).some((w) => w.external_userid === added.external_userid)).toBe(true)

    const retried = WecomEventResult.parse((await post(input)).body)
    expect(retried.duplicate).toBe(false)
    expect(retried.outcome).toContain('patient linked')
    expect(await wecomEventModel(h.db).findOne({ dedupeKey: input.dedupeKey }).lean()).toMatchObject({
      status: 'done',
      attempts: 2,
    })
    // the welcome code was used by the first attempt: recorded as sent, not as an error
    expect(
      (await createWecomContactRepo(h.db).find({ userId: 'WangFang', externalUserId: added.external_userid }))
        ?.welcome?.status,
    ).toBe('sent')
  })

  it('a customer removing the nurse ends the relation; adding her again keeps the history', async () => {
    await h.login('wecom-pat-4')
    const { ext } = await addCustomer({ userid: 'LiNa', user: 'wecom-pat-4', name: '吴芳' })
    tick()
    const removed = await sim<{ event: { seq: number } }>('POST', 'customers/remove', {
      userid: 'LiNa',
      external_userid: ext,
      by: 'customer',
    })
    expect((await forward(removed.event.seq)).outcome).toBe('relation ended by customer')
    const repo = createWecomContactRepo(h.db)
    expect(await repo.find({ userId: 'LiNa', externalUserId: ext })).toMatchObject({
      endedBy: 'customer',
      endedAt: expect.any(Date) as unknown,
    })
    tick()
    const back = await sim<{ event: { seq: number } }>('POST', 'customers/add', {
      userid: 'LiNa',
      external_userid: ext,
    })
    await forward(back.event.seq)
    const rel = await repo.find({ userId: 'LiNa', externalUserId: ext })
    expect(rel).toMatchObject({ endedAt: null, endedBy: null })
    expect(rel?.history).toHaveLength(1)
    expect(rel?.history[0]?.endedBy).toBe('customer')
  })
})

describe('corp-tag sync (F9)', () => {
  let patient = ''
  let ext = ''

  beforeAll(async () => {
    patient = (await h.login('wecom-tags-1')).patient.id
    ext = (await addCustomer({ userid: 'LiNa', user: 'wecom-tags-1', name: '孙丽' })).ext
    tick()
    // the same patient also follows a second nurse
    const second = await sim<{ event: { seq: number } }>('POST', 'customers/add', {
      userid: 'WangFang',
      external_userid: ext,
    })
    await forward(second.event.seq)
  })

  it('marks a tag assigned in CareLoop on every nurse pair; our group is created once; unassigning unmarks', async () => {
    const before = h.wecom.requests('/cgi-bin/externalcontact/add_corp_tag').length
    const diabetes = await createTag('慢病', '糖尿病')
    const hypertension = await createTag('慢病', '高血压')
    await assign(patient, diabetes)
    await assign(patient, hypertension)

    const groups = await ourGroups()
    expect(groups).toHaveLength(1)
    expect(groups[0]!.tags.map((t) => t.name).sort()).toEqual(['糖尿病', '高血压'].sort())
    const adds = h.wecom.requests('/cgi-bin/externalcontact/add_corp_tag').slice(before)
    expect(adds.filter((r) => (r.body as { group_name?: string }).group_name === 'CareLoop')).toHaveLength(1)

    const dCorp = await corpTagOf(diabetes)
    const hCorp = await corpTagOf(hypertension)
    expect((await pairTags('LiNa', ext)).sort()).toEqual([dCorp, hCorp].sort())
    expect((await pairTags('WangFang', ext)).sort()).toEqual([dCorp, hCorp].sort())

    // assigning again is no change: no further mark_tag
    const marks = h.wecom.requests('/cgi-bin/externalcontact/mark_tag').length
    await assign(patient, diabetes)
    expect(h.wecom.requests('/cgi-bin/externalcontact/mark_tag')).toHaveLength(marks)

    await unassign(patient, hypertension)
    expect(await pairTags('LiNa', ext)).toEqual([dCorp])
    expect(await pairTags('WangFang', ext)).toEqual([dCorp])
  })

  it("a nurse's tagging in the WeCom client reaches the patient (source wecom) and the other nurse", async () => {
    const created = await sim<{ tag_ids: string[]; events: { seq: number }[] }>('POST', 'tags/admin', {
      action: 'create',
      group_name: 'CareLoop',
      tags: ['术后随访'],
    })
    // an admin's new tag in our group becomes a CareLoop tag
    expect((await forwardAll(created.events)).map((r) => r.outcome)).toEqual(['adopted'])
    const corp = created.tag_ids[0]!
    const mapped = await corpTagModel(h.db).findOne({ corpTagId: corp }).lean()
    expect(mapped).toBeTruthy()

    tick()
    const edit = await sim<{ event: { seq: number } }>('POST', 'customers/tag', {
      userid: 'LiNa',
      external_userid: ext,
      add_tag: [corp],
    })
    expect((await forward(edit.event.seq)).outcome).toBe('tags applied: +1 -0')
    const tag = (await patientTags(patient)).find((t) => t.tagId === mapped!.tagId)
    expect(tag).toMatchObject({
      name: '术后随访',
      source: 'wecom',
      reason: '企业微信标签（护士 李娜 在客户端标注）',
      by: { kind: 'system', id: null },
    })
    // propagated to the other nurse's pair
    expect(await pairTags('WangFang', ext)).toContain(corp)

    tick()
    const untag = await sim<{ event: { seq: number } }>('POST', 'customers/tag', {
      userid: 'WangFang',
      external_userid: ext,
      remove_tag: [corp],
    })
    expect((await forward(untag.event.seq)).outcome).toBe('tags applied: +0 -1')
    expect((await patientTags(patient)).some((t) => t.tagId === mapped!.tagId)).toBe(false)
    expect(await pairTags('LiNa', ext)).not.toContain(corp)

    // tags outside our group (an admin's own groups) are left alone
    const other = await sim<{ tag_ids: string[]; events: { seq: number }[] }>('POST', 'tags/admin', {
      action: 'create',
      group_name: '客户等级',
      tags: ['VIP'],
    })
    expect((await forwardAll(other.events)).map((r) => r.outcome)).toEqual(['ignored: not our group'])
    tick()
    const vip = await sim<{ event: { seq: number } }>('POST', 'customers/tag', {
      userid: 'LiNa',
      external_userid: ext,
      add_tag: [other.tag_ids[0]],
    })
    expect((await forward(vip.event.seq)).outcome).toBe('tags applied: +0 -0')
  })

  it('change_external_tag keeps names and mapping right; deleted corp tags and groups are recreated on need', async () => {
    const asthma = await createTag('慢病', '哮喘')
    await assign(patient, asthma)
    const corp = (await corpTagOf(asthma))!

    tick()
    const renamed = await sim<{ events: { seq: number }[] }>('POST', 'tags/admin', {
      action: 'update',
      id: corp,
      name: '支气管哮喘',
    })
    expect((await forwardAll(renamed.events)).map((r) => r.outcome)).toEqual(['renamed'])
    expect((await corpTagModel(h.db).findOne({ tagId: asthma }).lean())?.corpName).toBe('支气管哮喘')

    tick()
    const deleted = await sim<{ events: { seq: number }[] }>('POST', 'tags/admin', {
      action: 'delete',
      tag_id: [corp],
    })
    expect((await forwardAll(deleted.events)).map((r) => r.outcome)).toContain('mapping removed')
    expect(await corpTagOf(asthma)).toBeUndefined()

    // the next patient needing it recreates it in our group
    const p2 = (await h.login('wecom-tags-2')).patient.id
    const { ext: e2 } = await addCustomer({ userid: 'LiNa', user: 'wecom-tags-2', name: '钱伟' })
    await assign(p2, asthma)
    const fresh = await corpTagOf(asthma)
    expect(fresh).toBeTruthy()
    expect(fresh).not.toBe(corp)
    expect(await pairTags('LiNa', e2)).toEqual([fresh])

    // our whole group deleted in WeCom: forgotten, then recreated (one group again) on next need
    const group = (await ourGroups())[0]!
    tick()
    const gone = await sim<{ events: { seq: number }[] }>('POST', 'tags/admin', {
      action: 'delete',
      group_id: [group.group_id],
    })
    expect((await forwardAll(gone.events)).map((r) => r.outcome)).toContain(
      'our group deleted: mappings dropped',
    )
    expect(await corpTagModel(h.db).countDocuments({})).toBe(0)
    const gout = await createTag('慢病', '痛风')
    await assign(p2, gout)
    const again = await ourGroups()
    expect(again).toHaveLength(1)
    expect(again[0]!.group_id).not.toBe(group.group_id)
    expect(await pairTags('LiNa', e2)).toEqual([await corpTagOf(gout)])
  })

  it('a WeCom failure never fails the tagging; it is kept and a retry applies the current state', async () => {
    const copd = await createTag('慢病', '慢阻肺')
    await fetch(`${h.wecom.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/cgi-bin/externalcontact/mark_tag', errcode: 45009, times: 2 }),
    })
    await assign(patient, copd)
    expect((await patientTags(patient)).some((t) => t.tagId === copd)).toBe(true)
    const failures = await tagSyncFailureModel(h.db).find({ tagId: copd }).lean()
    expect(failures.map((f) => f.userId).sort()).toEqual(['LiNa', 'WangFang'])
    const corp = (await corpTagOf(copd))!
    expect(await pairTags('LiNa', ext)).not.toContain(corp)

    const sync = createWecomTagSync({
      wecom: new WecomClient({ ...SIM_WECOM, apiBase: h.wecom.url, clock: h.clock }),
      tags: createTagRepo(h.db),
      mapping: createWecomTagRepo(h.db),
      contacts: createWecomContactRepo(h.db),
      identities: createWecomIdentityRepo(h.db),
      clock: h.clock,
      logger: createLogger('silent'),
    })
    expect(await sync.retryFailures()).toEqual({ tried: 2, fixed: 2 })
    expect(await pairTags('LiNa', ext)).toContain(corp)
    expect(await pairTags('WangFang', ext)).toContain(corp)
    expect(await tagSyncFailureModel(h.db).countDocuments({})).toBe(0)
  })
})

describe('erasure (F5)', () => {
  it("erasing the account removes the patient's WeCom identity, unionid and follow relations", async () => {
    const user = 'wecom-erase-1'
    const s = await h.login(user)
    const { ext } = await addCustomer({ userid: 'LiNa', user, name: '郑红' })
    expect(await createWecomIdentityRepo(h.db).patientOf(ext)).toBe(s.patient.id)

    const policy = ((await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }).version
    await h.request('POST', '/api/v1/me/consents', {
      token: s.accessToken,
      body: { purpose: 'care', granted: true, policyVersion: policy },
    })
    expect((await h.request('DELETE', '/api/v1/me/account', { token: s.accessToken })).status).toBe(204)

    const { unionid } = h.sim.identity(user)
    const hits: string[] = []
    for (const c of await h.db.db!.listCollections().toArray()) {
      const docs = await h.db.db!.collection(c.name).find({}).toArray()
      if (JSON.stringify(docs).includes(unionid)) hits.push(c.name)
    }
    expect(hits).toEqual([])
    expect(await wecomIdentityModel(h.db).countDocuments({ externalUserId: ext })).toBe(0)
    expect(await wecomContactModel(h.db).countDocuments({ externalUserId: ext })).toBe(0)
  })
})
