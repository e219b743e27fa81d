import { isDuplicateKey } from '../../db/duplicate-key'
import type { Connection } from 'mongoose'
import {
  corpGroupModel,
  corpTagModel,
  tagSyncFailureModel,
  type CorpGroupDoc,
  type CorpTagDoc,
  type TagSyncFailureDoc,
} from './wecom-tag.model'

const OURS = 'ours'

export interface TagSyncFailure {
  patientId: string
  tagId: string
  userId: string
  externalUserId: string
  action: 'add' | 'remove'
  error: string
  at: Date
}

export interface WecomTagRepo {
  group(): Promise<{ groupId: string; groupName: string } | null>
  setGroup(groupId: string, groupName: string): Promise<void>
  /** Our group was deleted in WeCom: forget it and every mapping (recreated on next need). */
  dropGroup(): Promise<string[]>
  byTag(tagId: string): Promise<CorpTagDoc | null>
  byCorpTag(corpTagId: string): Promise<CorpTagDoc | null>
  all(): Promise<CorpTagDoc[]>
  /** Maps our tag to a corp tag (replacing an older mapping of either side). */
  map(m: { tagId: string; corpTagId: string; corpName: string; groupId: string }): Promise<void>
  rename(corpTagId: string, corpName: string): Promise<void>
  /** Removes the mappings of these corp tags. */
  unmapCorpTags(corpTagIds: string[]): Promise<void>
  recordFailure(f: TagSyncFailure): Promise<void>
  failures(limit: number): Promise<TagSyncFailureDoc[]>
  clearFailure(f: Pick<TagSyncFailure, 'patientId' | 'tagId' | 'userId' | 'externalUserId'>): Promise<void>
  /** Erasure: the open failures of a patient go. */
  erasePatient(patientId: string): Promise<void>
}

export const createWecomTagRepo = (conn: Connection): WecomTagRepo => {
  const G = corpGroupModel(conn)
  const T = corpTagModel(conn)
  const F = tagSyncFailureModel(conn)
  const failureKey = (f: Pick<TagSyncFailure, 'patientId' | 'tagId' | 'userId' | 'externalUserId'>) => ({
    patientId: f.patientId,
    tagId: f.tagId,
    userId: f.userId,
    externalUserId: f.externalUserId,
  })
  return {
    async group() {
      const g = await G.findOne({ key: OURS }).lean<CorpGroupDoc>()
      return g ? { groupId: g.groupId, groupName: g.groupName } : null
    },
    async setGroup(groupId, groupName) {
      await G.updateOne({ key: OURS }, { $set: { groupId, groupName } }, { upsert: true }).catch(
        (e: unknown) => {
          if (!isDuplicateKey(e)) throw e
          return G.updateOne({ key: OURS }, { $set: { groupId, groupName } })
        },
      )
    },
    async dropGroup() {
      const gone = await T.find({}, { corpTagId: 1 }).lean<CorpTagDoc[]>()
      await T.deleteMany({})
      await G.deleteMany({ key: OURS })
      return gone.map((t) => t.corpTagId)
    },
    byTag: (tagId) => T.findOne({ tagId }).lean<CorpTagDoc>(),
    byCorpTag: (corpTagId) => T.findOne({ corpTagId }).lean<CorpTagDoc>(),
    all: () => T.find({}).lean<CorpTagDoc[]>(),
    async map(m) {
      await T.deleteMany({ corpTagId: m.corpTagId, tagId: { $ne: m.tagId } })
      await T.updateOne(
        { tagId: m.tagId },
        { $set: { corpTagId: m.corpTagId, corpName: m.corpName, groupId: m.groupId } },
        { upsert: true },
      ).catch((e: unknown) => {
        if (!isDuplicateKey(e)) throw e
        // a concurrent mapping of the same tag won: it maps the same corp tag by name, keep it
      })
    },
    async rename(corpTagId, corpName) {
      await T.updateOne({ corpTagId }, { $set: { corpName } })
    },
    async unmapCorpTags(ids) {
      if (ids.length) await T.deleteMany({ corpTagId: { $in: ids } })
    },
    async recordFailure(f) {
      await F.updateOne(
        failureKey(f),
        { $set: { action: f.action, error: f.error.slice(0, 1000), at: f.at }, $inc: { attempts: 1 } },
        { upsert: true },
      ).catch((e: unknown) => {
        if (!isDuplicateKey(e)) throw e
      })
    },
    failures: (limit) => F.find({}).sort({ at: 1 }).limit(limit).lean<TagSyncFailureDoc[]>(),
    async clearFailure(f) {
      await F.deleteOne(failureKey(f))
    },
    async erasePatient(patientId) {
      await F.deleteMany({ patientId })
    },
  }
}
