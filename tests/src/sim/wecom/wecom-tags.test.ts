import { OTHER_SECRET, expectErr, useWecomSim, type ContactReply, type TagGroupReply } from './wecom-test-kit'

const k = useWecomSim()

let ext: string
beforeEach(async () => {
  await k.seed({
    members: ['LiNa', 'WangFang'],
    tags: [{ group_name: '医院标签', tags: ['VIP', { name: '随访', order: 5 }] }],
  })
  const added = await k.hook<{ external_userid: string }>('customers/add', {
    userid: 'LiNa',
    name: '张三',
    unionid: 'u1',
  })
  ext = added.body.external_userid
})

type AddReply = { tag_group: TagGroupReply }
const add = (body: Record<string, unknown>, secret?: string) =>
  k.api<AddReply>('POST', 'externalcontact/add_corp_tag', body, secret)
const list = (body: Record<string, unknown> = {}) =>
  k.api<{ tag_group: TagGroupReply[] }>('POST', 'externalcontact/get_corp_tag_list', body)
const edit = (body: Record<string, unknown>, secret?: string) =>
  k.api('POST', 'externalcontact/edit_corp_tag', body, secret)
const del = (body: Record<string, unknown>, secret?: string) =>
  k.api('POST', 'externalcontact/del_corp_tag', body, secret)
const mark = (body: Record<string, unknown>) => k.api('POST', 'externalcontact/mark_tag', body)
const tagsOf = async (external_userid: string) =>
  (await k.api<ContactReply>('GET', 'externalcontact/get', { external_userid })).follow_user[0]!.tags
const eventCount = () => k.sim.eventLog().length

describe('corp tags', () => {
  it('add_corp_tag creates a new group by name, reuses an existing one, and lists them', async () => {
    const r = await add({
      group_name: 'CareLoop·病种',
      tag: [{ name: '糖尿病', order: 2 }, { name: '高血压' }],
      agentid: 1000002,
    })
    expect(r).toMatchObject({
      errcode: 0,
      tag_group: {
        group_id: 'etSimGroup000002',
        group_name: 'CareLoop·病种',
        tag: [
          { id: 'etSimTag000003', name: '糖尿病', order: 2 },
          { id: 'etSimTag000004', name: '高血压', order: 0 },
        ],
      },
    })
    expect((await add({ group_name: 'CareLoop·病种', tag: [{ name: '冠心病' }] })).tag_group.group_id).toBe(
      'etSimGroup000002',
    )
    const byId = await add({ group_id: 'etSimGroup000002', tag: [{ name: '哮喘' }] })
    expect(byId.tag_group.tag).toEqual([expect.objectContaining({ name: '哮喘' })])

    const all = (await list()).tag_group
    expect(all.map((g) => g.group_name)).toEqual(['医院标签', 'CareLoop·病种'])
    expect(all[0]!.tag.map((t) => t.name)).toEqual(['随访', 'VIP']) // bigger order first
    expect(all[1]!.deleted).toBe(false)
    expect(all[1]!.tag.map((t) => t.deleted)).toEqual([false, false, false, false])
  })

  it('get_corp_tag_list filters by tag_id, and group_id wins over tag_id', async () => {
    const r = await add({ group_name: 'G', tag: [{ name: 'a' }, { name: 'b' }] })
    const a = r.tag_group.tag[0]!
    const byTag = (await list({ tag_id: [a.id] })).tag_group
    expect(byTag.map((g) => [g.group_name, g.tag.map((t) => t.name)])).toEqual([['G', ['a']]])
    const both = (await list({ tag_id: [a.id], group_id: ['etSimGroup000001'] })).tag_group
    expect(both.map((g) => [g.group_name, g.tag.length])).toEqual([['医院标签', 2]])
  })

  it('validates: 40058 no tag / no group, 40068 unknown group_id, 40071 duplicate, 40072 name length', async () => {
    expectErr(await add({ group_name: 'G', tag: [] }), 40058)
    expectErr(await add({ tag: [{ name: 'x' }] }), 40058)
    expectErr(await add({ group_id: 'etNope', tag: [{ name: 'x' }] }), 40068)
    expectErr(await add({ group_name: '医院标签', tag: [{ name: 'VIP' }] }), 40071)
    expectErr(await add({ group_name: 'G', tag: [{ name: 'x' }, { name: 'x' }] }), 40071)
    expectErr(await add({ group_name: 'G', tag: [{ name: '长'.repeat(31) }] }), 40072)
    expectErr(await add({ group_name: 'G', tag: [{ name: '' }] }), 40072)
  })

  it('caps the corp at 3000 tags (41049)', async () => {
    await k.seed({ tags: [{ group_name: 'bulk', tags: Array.from({ length: 2997 }, (_, i) => `t${i}`) }] })
    expectErr(await add({ group_name: 'G', tag: [{ name: 'a' }, { name: 'b' }] }), 41049)
    expect(await add({ group_name: 'G', tag: [{ name: 'a' }] })).toMatchObject({ errcode: 0 })
    expectErr(await add({ group_name: 'G', tag: [{ name: 'b' }] }), 41049)
  })

  it('an app edits and deletes only what it created: admin and other-app tags are 40068', async () => {
    const mine = (await add({ group_name: 'Mine', tag: [{ name: 'a' }, { name: 'b' }] })).tag_group
    const [a, b] = mine.tag
    expect(await edit({ id: a!.id, name: 'a2', order: 9 })).toMatchObject({ errcode: 0 })
    expect(await edit({ id: mine.group_id, name: 'Mine2' })).toMatchObject({ errcode: 0 })
    expectErr(await edit({ id: 'etSimTag000001', name: 'x' }), 40068)
    expectErr(await edit({ id: 'etSimGroup000001', name: 'x' }), 40068)
    expectErr(await edit({ id: a!.id, name: 'x' }, OTHER_SECRET), 40068)
    expectErr(await edit({ id: a!.id, name: 'b' }), 40071)
    expectErr(await del({ tag_id: ['etSimTag000001'] }), 40068)
    expectErr(await del({ group_id: ['etSimGroup000001'] }), 40068)
    expectErr(await del({ tag_id: [a!.id] }, OTHER_SECRET), 40068)
    expectErr(await del({}), 40058)

    const g = (await list({ group_id: [mine.group_id] })).tag_group[0]!
    expect(g.group_name).toBe('Mine2')
    expect(g.tag.map((t) => t.name)).toEqual(['a2', 'b'])
    // deleting the last tags removes the group too
    expect(await del({ tag_id: [a!.id, b!.id] })).toMatchObject({ errcode: 0 })
    expect((await list()).tag_group.map((x) => x.group_name)).toEqual(['医院标签'])
    expect(eventCount()).toBe(1) // only the customers/add of beforeEach: API changes fire nothing
  })

  it('mark_tag tags a staff–customer pair; get shows the tags; no callback', async () => {
    const diabetes = (await add({ group_name: '病种', tag: [{ name: '糖尿病' }] })).tag_group.tag[0]!.id
    expect(
      await mark({ userid: 'LiNa', external_userid: ext, add_tag: [diabetes, 'etSimTag000001'] }),
    ).toEqual({
      errcode: 0,
      errmsg: 'ok',
    })
    expect(await tagsOf(ext)).toEqual([
      { group_name: '病种', tag_name: '糖尿病', tag_id: diabetes, type: 1 },
      { group_name: '医院标签', tag_name: 'VIP', tag_id: 'etSimTag000001', type: 1 },
    ])
    expect(await mark({ userid: 'LiNa', external_userid: ext, remove_tag: [diabetes] })).toMatchObject({
      errcode: 0,
    })
    expect(await tagsOf(ext)).toHaveLength(1)
    expect(eventCount()).toBe(1)

    expectErr(await mark({ userid: 'LiNa', external_userid: ext }), 40058)
    expectErr(await mark({ userid: 'LiNa', external_userid: ext, add_tag: [], remove_tag: [] }), 40058)
    expectErr(await mark({ userid: 'LiNa', external_userid: ext, add_tag: ['etNope'] }), 40068)
    expectErr(await mark({ userid: 'Ghost', external_userid: ext, add_tag: [diabetes] }), 60111)
    expectErr(await mark({ userid: 'WangFang', external_userid: ext, add_tag: [diabetes] }), 84061)
    expectErr(await mark({ userid: 'LiNa', external_userid: 'wmNope', add_tag: [diabetes] }), 40096)
  })

  it('deleted tags disappear from customers', async () => {
    const g = (await add({ group_name: '病种', tag: [{ name: '糖尿病' }] })).tag_group
    await mark({ userid: 'LiNa', external_userid: ext, add_tag: [g.tag[0]!.id] })
    await del({ group_id: [g.group_id] })
    expect(await tagsOf(ext)).toEqual([])
  })

  it('the admin console (hook) fires change_external_tag: a new group once, tags in an existing group each', async () => {
    type Created = { group_id: string; tag_ids: string[] }
    const created = await k.hook<Created>('tags/admin', {
      action: 'create',
      group_name: '管理员组',
      tags: ['甲', '乙'],
    })
    expect(created.status).toBe(200)
    const more = await k.hook<Created>('tags/admin', {
      action: 'create',
      group_name: '管理员组',
      tags: ['丙'],
    })
    await k.hook('tags/admin', { action: 'update', id: created.body.tag_ids[0], name: '甲2' })
    await k.hook('tags/admin', { action: 'delete', group_id: [created.body.group_id] })
    const evs = k.sim
      .eventLog()
      .slice(1)
      .map((e) => e.event)
    const tagEvent = (changeType: string, id: string, tagType: string) => ({
      event: 'change_external_tag',
      changeType,
      id,
      tagType,
    })
    expect(evs).toEqual([
      tagEvent('create', created.body.group_id, 'tag_group'),
      tagEvent('create', more.body.tag_ids[0]!, 'tag'),
      tagEvent('update', created.body.tag_ids[0]!, 'tag'),
      tagEvent('delete', created.body.group_id, 'tag_group'),
    ])
    // admin tags are read-only to the app
    expectErr(await del({ tag_id: ['etSimTag000001'] }), 40068)
  })
})
