import { TagName, type WecomEventInput } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { WecomApiError, type CorpTagGroup, type WecomClient } from '../../platform/wecom/wecom-client'
import { TagNameTakenError, type TagChange, type TagRepo } from '../tags/tag.repo'
import type { Pair, WecomContactRepo } from './wecom-contact.repo'
import type { WecomIdentityRepo } from './wecom-identity.repo'
import type { WecomTagRepo } from './wecom-tag.repo'

/**
 * Two-way corp-tag sync (F9, platform.md §4.2, §3.6).
 *
 * - **Our group.** CareLoop owns one corp tag group (`groupName`, default `CareLoop`), created by
 *   `add_corp_tag {group_name}` the first time a tag is needed (an app may edit only what it created).
 *   Each of our tags gets its corp tag lazily, when it must first be marked on someone; the mapping
 *   is kept in `wecom_corp_tags`. A name that already exists (40071) is found by re-reading the list;
 *   the corp's 3000-tag cap is checked before creating and logged as an error when reached.
 * - **Outbound.** Every real assign / unassign on a patient (TagRepo change listener), except those
 *   that came from WeCom, becomes `mark_tag` on every live (member, external contact) pair of the
 *   patient's linked contacts. WeCom failures never fail the tagging: they are logged and kept in
 *   `wecom_tag_sync_failures` for `retryFailures`.
 * - **Inbound.** `edit_external_contact` → the pair's tags of our group are diffed against what we
 *   knew the pair carried, and the difference is applied to the patient with source `wecom` (which the
 *   listener does not echo back; the other pairs of the patient are marked). `change_external_tag`
 *   keeps the mapping and names right; a corp tag or our group deleted in WeCom drops the mapping
 *   (recreated on next need); an admin's new tag in our group is adopted as a CareLoop tag.
 *
 * API-driven changes fire no callback in WeCom, so nothing here waits for one.
 */

export const DEFAULT_CORP_GROUP = 'CareLoop'
/** Where tags an admin creates in our corp group land on our side. */
export const ADOPTED_TAG_GROUP = '企业微信标签'
/** platform.md §4.2: at most 3000 corp tags per corp. */
export const CORP_TAG_CAP = 3000
const CODE_TAG_NAME_EXISTS = 40071
const CODE_INVALID_TAG = 40068
/** The simulator's choice for the cap (WeCom documents the cap, not its code). */
const CODE_TAG_CAP = 41049
const WECOM_NAME_MAX = 30

export class CorpTagCapError extends Error {
  constructor(readonly total: number) {
    super(`WeCom corp tag cap reached (${total}/${CORP_TAG_CAP}): no corp tag can be created`)
    this.name = 'CorpTagCapError'
  }
}

export interface FollowTag {
  tag_id?: string
  tag_name?: string
  group_name?: string
  type?: number
}

export interface WecomTagSync {
  /** The TagRepo change listener (outbound). */
  onTagChange(c: TagChange): Promise<void>
  /** Marks (or unmarks) one of our tags on every live pair of the patient, except `exclude`. */
  pushPatientTag(patientId: string, tagId: string, action: 'add' | 'remove', exclude?: Pair): Promise<void>
  /** A new pair: marks every tag the patient already has on it. */
  pushAllTo(patientId: string, pair: Pair): Promise<void>
  /**
   * Inbound: the pair's corp tags as WeCom reports them now. `prev: 'pair'` diffs against what we
   * knew of the pair (additions only when we knew nothing); `prev: 'none'` applies additions only.
   */
  applyPairTags(o: {
    pair: Pair
    patientId: string | null
    followTags: FollowTag[]
    memberName: string
    prev: 'pair' | 'none'
    at: Date
  }): Promise<string>
  /** `change_external_tag`. */
  onTagEvent(e: WecomEventInput, at: Date): Promise<string>
  /** The corp tag of one of our tags, created when missing (null: the tag does not exist). */
  ensureCorpTag(tagId: string): Promise<string | null>
  /** Re-applies the current state of failed pairs; returns how many were fixed. */
  retryFailures(limit?: number): Promise<{ tried: number; fixed: number }>
}

export const createWecomTagSync = (deps: {
  wecom: WecomClient | undefined
  tags: TagRepo
  mapping: WecomTagRepo
  contacts: WecomContactRepo
  identities: WecomIdentityRepo
  clock: Clock
  logger: Logger
  groupName?: string
}): WecomTagSync => {
  const { wecom, tags, mapping, contacts, identities, clock, logger } = deps
  const defaultGroupName = deps.groupName ?? DEFAULT_CORP_GROUP
  const log = logger.child({ module: 'wecom-tag-sync' })

  /** Mapping creation runs one at a time in this process (two tags racing for a new group, …). */
  let chain: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work, work)
    chain = run.catch(() => undefined)
    return run
  }

  const corpNameOf = (name: string): string => [...name].slice(0, WECOM_NAME_MAX).join('')
  const live = <T extends { deleted?: boolean }>(xs: T[]): T[] => xs.filter((x) => !x.deleted)
  const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

  /** Our group in this listing: by the stored id, else by name (then remembered). */
  const ourGroupIn = async (groups: CorpTagGroup[]): Promise<CorpTagGroup | undefined> => {
    const stored = await mapping.group()
    if (stored) {
      const g = live(groups).find((x) => x.group_id === stored.groupId)
      if (g) return g
      // deleted without us hearing of it: forget it and its mappings
      await contacts.forgetCorpTags(await mapping.dropGroup())
    }
    const byName = live(groups).find((x) => x.group_name === defaultGroupName)
    if (byName) await mapping.setGroup(byName.group_id, byName.group_name)
    return byName
  }

  const mapFrom = async (g: CorpTagGroup, tagId: string, name: string): Promise<string | null> => {
    const t = live(g.tag).find((x) => x.name === name)
    if (!t) return null
    await mapping.map({ tagId, corpTagId: t.id, corpName: t.name, groupId: g.group_id })
    return t.id
  }

  const createCorpTag = async (tagId: string, name: string): Promise<string> => {
    const client = wecom!
    const groups = await client.getCorpTags()
    const group = await ourGroupIn(groups)
    if (group) {
      const found = await mapFrom(group, tagId, name)
      if (found) return found
    }
    const total = live(groups).reduce((n, g) => n + live(g.tag).length, 0)
    if (total >= CORP_TAG_CAP) throw new CorpTagCapError(total)
    let created: CorpTagGroup
    try {
      created = await client.addCorpTags(
        group ? { group_id: group.group_id } : { group_name: defaultGroupName },
        [{ name }],
      )
    } catch (e) {
      if (e instanceof WecomApiError && e.errcode === CODE_TAG_CAP) throw new CorpTagCapError(total)
      if (!(e instanceof WecomApiError) || e.errcode !== CODE_TAG_NAME_EXISTS) throw e
      // created meanwhile (another instance, or a name clash): find it in a fresh listing
      const again = await ourGroupIn(await client.getCorpTags())
      const found = again ? await mapFrom(again, tagId, name) : null
      if (found) return found
      throw e
    }
    await mapping.setGroup(created.group_id, created.group_name)
    const t = created.tag.find((x) => x.name === name) ?? created.tag[0]
    if (!t) throw new WecomApiError(-2, 'add_corp_tag answered without the tag', 'add_corp_tag')
    await mapping.map({ tagId, corpTagId: t.id, corpName: t.name, groupId: created.group_id })
    log.info({ tagId, corpTagId: t.id, groupId: created.group_id }, 'corp tag created')
    return t.id
  }

  const ensureCorpTag = (tagId: string): Promise<string | null> =>
    serial(async () => {
      const m = await mapping.byTag(tagId)
      if (m) return m.corpTagId
      if (!wecom) return null
      const tag = await tags.findTag(tagId)
      if (!tag) return null
      try {
        return await createCorpTag(tagId, corpNameOf(tag.name))
      } catch (e) {
        if (e instanceof CorpTagCapError)
          log.error({ tagId, err: e.message }, 'WeCom corp tag cap reached: tag not synced to WeCom')
        throw e
      }
    })

  const dropCorpTag = async (corpTagId: string): Promise<void> => {
    await mapping.unmapCorpTags([corpTagId])
    await contacts.forgetCorpTags([corpTagId])
  }

  const fail = async (
    patientId: string,
    tagId: string,
    pair: Pair,
    action: 'add' | 'remove',
    e: unknown,
  ): Promise<void> => {
    log.warn(
      { patientId, tagId, userId: pair.userId, action, err: errText(e) },
      'mark_tag failed; kept for retry',
    )
    await mapping
      .recordFailure({ patientId, tagId, ...pair, action, error: errText(e), at: clock.now() })
      .catch((err: unknown) => log.error({ err: errText(err) }, 'could not record a tag sync failure'))
  }

  /** mark_tag on one pair; a corp tag deleted in WeCom (40068) is recreated once. Throws on failure. */
  const markPair = async (tagId: string, pair: Pair, action: 'add' | 'remove', corp: string) => {
    const client = wecom!
    const call = (id: string) =>
      client.markTag({
        userid: pair.userId,
        externalUserId: pair.externalUserId,
        ...(action === 'add' ? { add: [id] } : { remove: [id] }),
      })
    try {
      await call(corp)
      await contacts.markCorpTags(pair, action === 'add' ? [corp] : [], action === 'remove' ? [corp] : [])
    } catch (e) {
      if (!(e instanceof WecomApiError) || e.errcode !== CODE_INVALID_TAG) throw e
      await dropCorpTag(corp)
      if (action === 'remove') return // the corp tag is gone, so is its mark
      const fresh = await ensureCorpTag(tagId)
      if (!fresh) return
      await call(fresh)
      await contacts.markCorpTags(pair, [fresh], [])
    }
  }

  const pairsOf = async (patientId: string, exclude?: Pair): Promise<Pair[]> => {
    const rows = await contacts.activeOf(await identities.externalIdsOf(patientId))
    return rows
      .filter((r) => !exclude || r.userId !== exclude.userId || r.externalUserId !== exclude.externalUserId)
      .map((r) => ({ userId: r.userId, externalUserId: r.externalUserId }))
  }

  const pushPatientTag: WecomTagSync['pushPatientTag'] = async (patientId, tagId, action, exclude) => {
    if (!wecom) return
    const pairs = await pairsOf(patientId, exclude)
    if (!pairs.length) return
    let corp: string | null
    try {
      corp = action === 'add' ? await ensureCorpTag(tagId) : ((await mapping.byTag(tagId))?.corpTagId ?? null)
    } catch (e) {
      for (const pair of pairs) await fail(patientId, tagId, pair, action, e)
      return
    }
    if (!corp) return
    for (const pair of pairs) {
      try {
        await markPair(tagId, pair, action, corp)
        await mapping.clearFailure({ patientId, tagId, ...pair })
      } catch (e) {
        await fail(patientId, tagId, pair, action, e)
      }
    }
  }

  /** Our tag for a corp tag of our group we have no mapping for (an admin created it in WeCom). */
  const adopt = async (corpTagId: string, corpName: string, groupId: string): Promise<string | null> => {
    const all = await tags.tags()
    let local = all.find((t) => t.name === corpName)
    if (!local) {
      if (!TagName.safeParse(corpName).success) {
        log.warn({ corpTagId }, 'corp tag name is not usable as a CareLoop tag name; not adopted')
        return null
      }
      let group = (await tags.groups()).find((g) => g.name === ADOPTED_TAG_GROUP)
      if (!group) {
        await tags.createGroup(ADOPTED_TAG_GROUP, 'other').catch((e: unknown) => {
          if (!(e instanceof TagNameTakenError)) throw e
        })
        group = (await tags.groups()).find((g) => g.name === ADOPTED_TAG_GROUP)
      }
      if (!group) return null
      await tags.createTag(group._id.toHexString(), corpName, '来自企业微信').catch((e: unknown) => {
        if (!(e instanceof TagNameTakenError)) throw e
      })
      local = (await tags.tags()).find((t) => t.name === corpName)
      if (!local) return null
    }
    const tagId = local._id.toHexString()
    const existing = await mapping.byTag(tagId)
    if (existing && existing.corpTagId !== corpTagId) {
      log.warn({ tagId, corpTagId, mapped: existing.corpTagId }, 'tag already mapped to another corp tag')
      return null
    }
    await mapping.map({ tagId, corpTagId, corpName, groupId })
    return tagId
  }

  return {
    ensureCorpTag,
    pushPatientTag,

    async onTagChange(c) {
      // Changes that came from WeCom are already there; their propagation is done by the inbound path.
      if (c.source === 'wecom' || !wecom) return
      try {
        await pushPatientTag(c.patientId, c.tagId, c.action === 'assign' ? 'add' : 'remove')
      } catch (e) {
        // never fails the tagging; pair-level failures are already recorded for the retry job
        log.error({ patientId: c.patientId, tagId: c.tagId, err: errText(e) }, 'corp tag sync failed')
      }
    },

    async pushAllTo(patientId, pair) {
      if (!wecom) return
      const have = new Set((await contacts.find(pair))?.corpTags ?? [])
      for (const row of await tags.patientTags(patientId)) {
        try {
          const corp = await ensureCorpTag(row.tagId)
          if (!corp || have.has(corp)) continue
          await markPair(row.tagId, pair, 'add', corp)
          await mapping.clearFailure({ patientId, tagId: row.tagId, ...pair })
        } catch (e) {
          await fail(patientId, row.tagId, pair, 'add', e)
        }
      }
    },

    async applyPairTags({ pair, patientId, followTags, memberName, prev, at }) {
      const group = await mapping.group()
      const groupName = group?.groupName ?? defaultGroupName
      const current = new Map<string, string>() // corp tag id → our tag id
      for (const t of followTags) {
        if (!t.tag_id) continue
        const m = await mapping.byCorpTag(t.tag_id)
        if (m) current.set(t.tag_id, m.tagId)
        else if (t.group_name === groupName && t.tag_name && (group || wecom)) {
          let groupId = group?.groupId
          if (!groupId) groupId = (await ourGroupIn(await wecom!.getCorpTags()))?.group_id
          const adopted = groupId ? await adopt(t.tag_id, t.tag_name, groupId) : null
          if (adopted) current.set(t.tag_id, adopted)
        }
      }
      const row = await contacts.find(pair)
      const known = prev === 'pair' ? (row?.corpTags ?? null) : null
      await contacts.setCorpTags(pair, [...current.keys()])
      if (!patientId) return `tags recorded (${current.size}); patient unknown`

      const before = new Set<string>()
      for (const corp of known ?? []) {
        const m = await mapping.byCorpTag(corp)
        if (m) before.add(m.tagId)
      }
      const now = new Set(current.values())
      const added = [...now].filter((t) => !before.has(t))
      const removed = known === null ? [] : [...before].filter((t) => !now.has(t))
      const by = { kind: 'system' as const, id: null }
      let plus = 0
      let minus = 0
      for (const tagId of added) {
        const reason = `企业微信标签（${memberName} 在客户端标注）`
        if (await tags.assign(patientId, { tagId, source: 'wecom', reason, by, at })) {
          plus++
          await pushPatientTag(patientId, tagId, 'add', pair)
        }
      }
      for (const tagId of removed) {
        const reason = `企业微信标签（${memberName} 在客户端移除）`
        if (await tags.unassign(patientId, tagId, { source: 'wecom', reason, by, at })) {
          minus++
          await pushPatientTag(patientId, tagId, 'remove', pair)
        }
      }
      return `tags applied: +${plus} -${minus}`
    },

    async onTagEvent(e) {
      if (!wecom) return 'ignored: WeCom not configured'
      if (!e.id || !e.tagType) return 'ignored: no Id / TagType'
      if (e.changeType === 'shuffle') return 'ignored: shuffle'
      const stored = await mapping.group()
      if (e.tagType === 'tag_group') {
        if (e.changeType === 'delete') {
          if (!stored || stored.groupId !== e.id) return 'ignored: not our group'
          await contacts.forgetCorpTags(await mapping.dropGroup())
          log.warn({ groupId: e.id }, 'our corp tag group was deleted in WeCom; recreated on next need')
          return 'our group deleted: mappings dropped'
        }
        const g = live(await wecom.getCorpTags([e.id])).find((x) => x.group_id === e.id)
        if (!g) return 'ignored: group not found'
        const ours = stored ? stored.groupId === g.group_id : g.group_name === defaultGroupName
        if (!ours) return 'ignored: not our group'
        await mapping.setGroup(g.group_id, g.group_name)
        let adopted = 0
        for (const t of live(g.tag)) {
          const m = await mapping.byCorpTag(t.id)
          if (m) {
            if (m.corpName !== t.name) await mapping.rename(t.id, t.name)
          } else if (await adopt(t.id, t.name, g.group_id)) adopted++
        }
        return `our group ${e.changeType}: ${adopted} adopted`
      }
      // a single tag
      if (e.changeType === 'delete') {
        if (!(await mapping.byCorpTag(e.id))) return 'ignored: not mapped'
        await dropCorpTag(e.id)
        return 'mapping removed'
      }
      const groups = live(await wecom.getCorpTags())
      const g = groups.find((x) => live(x.tag).some((t) => t.id === e.id))
      const t = g?.tag.find((x) => x.id === e.id)
      if (!g || !t) return 'ignored: tag not found'
      const ours = stored ? stored.groupId === g.group_id : g.group_name === defaultGroupName
      if (!ours) return 'ignored: not our group'
      if (!stored) await mapping.setGroup(g.group_id, g.group_name)
      const m = await mapping.byCorpTag(t.id)
      if (m) {
        if (m.corpName === t.name) return 'unchanged'
        await mapping.rename(t.id, t.name)
        return 'renamed'
      }
      return (await adopt(t.id, t.name, g.group_id)) ? 'adopted' : 'ignored: not adoptable'
    },

    async retryFailures(limit = 100) {
      if (!wecom) return { tried: 0, fixed: 0 }
      let fixed = 0
      const rows = await mapping.failures(limit)
      for (const f of rows) {
        const pair = { userId: f.userId, externalUserId: f.externalUserId }
        const key = { patientId: f.patientId, tagId: f.tagId, ...pair }
        const stillPair = (await pairsOf(f.patientId)).some(
          (p) => p.userId === pair.userId && p.externalUserId === pair.externalUserId,
        )
        if (!stillPair) {
          await mapping.clearFailure(key)
          continue
        }
        const has = (await tags.patientTags(f.patientId)).some((r) => r.tagId === f.tagId)
        const action = has ? 'add' : 'remove'
        try {
          const corp =
            action === 'add' ? await ensureCorpTag(f.tagId) : (await mapping.byTag(f.tagId))?.corpTagId
          if (corp) await markPair(f.tagId, pair, action, corp)
          await mapping.clearFailure(key)
          fixed++
        } catch (e) {
          await fail(f.patientId, f.tagId, pair, action, e)
        }
      }
      return { tried: rows.length, fixed }
    },
  }
}
