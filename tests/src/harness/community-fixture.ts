import { Community, GroupSopItemResponse, TagGroupsResponse } from '@careloop/shared'
import type { StaffHarness } from './server-harness'

/**
 * A community for route-matrix tests (staff-access): the demo nurses seeded in the harness's WeCom
 * simulator, a disease tag, a customer group owned by nurse.li (LiNa) linked as a community, spare
 * groups of hers for `createCommunity` requests, and one scheduled SOP item.
 */
export interface CommunityFixture {
  communityId: string
  tagId: string
  /** Unlinked groups of LiNa (one per createCommunity request). */
  spareChatIds: string[]
  sopItemId: string
  /** A valid future sendAt (ISO). */
  sendAt: string
}

const simHook = async <T>(h: StaffHarness, name: string, body: unknown): Promise<T> => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, { method: 'POST', body: JSON.stringify(body) })
  const out = (await r.json()) as T
  if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${JSON.stringify(out)}`)
  return out
}

export const createSimGroup = async (h: StaffHarness, owner: string, name: string): Promise<string> =>
  (await simHook<{ chat_id: string }>(h, 'groups/create', { owner, name })).chat_id

export const seedCommunityFixture = async (
  h: StaffHarness,
  o: { adminToken: string; nurseId: string; spares?: number },
): Promise<CommunityFixture> => {
  await simHook(h, 'seed', {
    members: [
      { userid: 'LiNa', name: '李娜' },
      { userid: 'WangFang', name: '王芳' },
    ],
  })
  const call = async (method: string, path: string, body: unknown, status: number): Promise<unknown> => {
    const r = await h.request(method, path, { token: o.adminToken, body })
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const groups = TagGroupsResponse.parse(
    await call('POST', '/api/v1/staff/tag-groups', { name: '社群矩阵病种', kind: 'disease' }, 201),
  )
  const groupId = groups.groups.find((g) => g.name === '社群矩阵病种')!.id
  const withTag = TagGroupsResponse.parse(
    await call('POST', `/api/v1/staff/tag-groups/${groupId}/tags`, { name: '社群矩阵病' }, 201),
  )
  const tagId = withTag.groups.flatMap((g) => g.tags).find((t) => t.name === '社群矩阵病')!.id
  const chatId = await createSimGroup(h, 'LiNa', '矩阵糖友群')
  const spareChatIds: string[] = []
  for (let i = 0; i < (o.spares ?? 8); i++)
    spareChatIds.push(await createSimGroup(h, 'LiNa', `矩阵备用群${i}`))
  const community = Community.parse(
    await call(
      'POST',
      '/api/v1/staff/communities',
      { name: '矩阵糖友之家', diseaseTagId: tagId, ownerNurseId: o.nurseId, chatId },
      201,
    ),
  )
  const sendAt = new Date(h.clock.now().getTime() + 86_400_000).toISOString()
  const item = GroupSopItemResponse.parse(
    await call('POST', `/api/v1/staff/communities/${community.id}/sop`, { text: '矩阵群发', sendAt }, 201),
  )
  return { communityId: community.id, tagId, spareChatIds, sopItemId: item.item.id, sendAt }
}
