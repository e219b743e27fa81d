import { isDuplicateKey } from '../../db/duplicate-key'
import { Types, type Connection } from 'mongoose'
import { patientModel } from '../patients/patient.model'
import { tagEventModel, tagGroupModel, tagModel, type TagDoc, type TagGroupDoc } from './tag.model'

export type TagSource = 'manual' | 'rule' | 'wecom' | 'import'
export type TagActor = { kind: 'staff' | 'system'; id: string | null }
export interface PatientTagRow {
  tagId: string
  source: TagSource
  reason: string
  by: TagActor
  at: Date
}

export class TagNameTakenError extends Error {}

/** A real change of a patient's tags (after it was stored), as `assign` / `unassign` report it. */
export interface TagChange extends PatientTagRow {
  patientId: string
  action: 'assign' | 'unassign'
}
export type TagChangeListener = (c: TagChange) => Promise<void> | void

/**
 * Change listeners per connection: every TagRepo on the same connection (the API's, the worker's
 * rule engine's …) notifies them, so a listener (WeCom corp-tag sync) sees every real change.
 */
const listenersOf = new WeakMap<Connection, Set<TagChangeListener>>()
const notify = async (conn: Connection, c: TagChange): Promise<void> => {
  for (const l of listenersOf.get(conn) ?? []) {
    try {
      await l(c)
    } catch {
      // a listener owns its failures: it never changes the outcome of the tagging itself
    }
  }
}

const isDuplicate = isDuplicateKey

export interface TagRepo {
  groups(): Promise<TagGroupDoc[]>
  tags(): Promise<TagDoc[]>
  findTag(id: string): Promise<TagDoc | null>
  findGroup(id: string): Promise<TagGroupDoc | null>
  /** Throws TagNameTakenError on a taken name. */
  createGroup(name: string, kind: string): Promise<void>
  /** Throws TagNameTakenError on a taken name. */
  createTag(groupId: string, name: string, description: string | null): Promise<void>
  patientTags(patientId: string): Promise<PatientTagRow[]>
  /**
   * Adds a tag unless the patient already has it (atomic guard, so retries and races add it once).
   * Returns whether it was added; every real change is appended to the tag history.
   */
  assign(patientId: string, t: PatientTagRow): Promise<boolean>
  /**
   * Removes a tag if present; returns whether it was removed. With `onlyIfAppliedBy`, only removes
   * it while it is still the one that actor applied (a rule never removes a tag a nurse re-added).
   */
  unassign(
    patientId: string,
    tagId: string,
    e: Omit<PatientTagRow, 'tagId'>,
    onlyIfAppliedBy?: { source: TagSource; byId: string },
  ): Promise<boolean>
  /**
   * Calls `listener` after every real assign / unassign (awaited; its errors are swallowed) made
   * through any TagRepo on this connection. Returns an unsubscribe function.
   */
  onChange(listener: TagChangeListener): () => void
}

export const createTagRepo = (conn: Connection, o: { onChange?: TagChangeListener } = {}): TagRepo => {
  const G = tagGroupModel(conn)
  const T = tagModel(conn)
  const E = tagEventModel(conn)
  const P = patientModel(conn)
  const oid = (id: string) => new Types.ObjectId(id)
  const onChange = (listener: TagChangeListener): (() => void) => {
    let set = listenersOf.get(conn)
    if (!set) listenersOf.set(conn, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  }
  if (o.onChange) onChange(o.onChange)
  return {
    groups: () => G.find({}).sort({ kind: 1, name: 1 }).lean<TagGroupDoc[]>(),
    tags: () => T.find({}).sort({ name: 1 }).lean<TagDoc[]>(),
    findTag: (id) => (Types.ObjectId.isValid(id) ? T.findById(id).lean<TagDoc>() : Promise.resolve(null)),
    findGroup: (id) =>
      Types.ObjectId.isValid(id) ? G.findById(id).lean<TagGroupDoc>() : Promise.resolve(null),
    async createGroup(name, kind) {
      try {
        await G.create({ name, kind })
      } catch (e) {
        if (isDuplicate(e)) throw new TagNameTakenError(name)
        throw e
      }
    },
    async createTag(groupId, name, description) {
      try {
        await T.create({ groupId: oid(groupId), name, description })
      } catch (e) {
        if (isDuplicate(e)) throw new TagNameTakenError(name)
        throw e
      }
    },
    async patientTags(patientId) {
      const p = await P.findById(patientId, { tags: 1 }).lean<{ tags?: PatientTagRow[] }>()
      return p?.tags ?? []
    },
    async assign(patientId, t) {
      const r = await P.updateOne(
        { _id: oid(patientId), 'tags.tagId': { $ne: t.tagId } },
        { $push: { tags: t } },
      )
      if (r.modifiedCount === 0) return false
      await E.create({ patientId: oid(patientId), action: 'assign', ...t })
      await notify(conn, { patientId, action: 'assign', ...t })
      return true
    },
    async unassign(patientId, tagId, e, onlyIfAppliedBy) {
      const r = await P.updateOne(
        onlyIfAppliedBy
          ? {
              _id: oid(patientId),
              tags: { $elemMatch: { tagId, source: onlyIfAppliedBy.source, 'by.id': onlyIfAppliedBy.byId } },
            }
          : { _id: oid(patientId), 'tags.tagId': tagId },
        { $pull: { tags: { tagId } } },
      )
      if (r.modifiedCount === 0) return false
      await E.create({ patientId: oid(patientId), tagId, action: 'unassign', ...e })
      await notify(conn, { patientId, tagId, action: 'unassign', ...e })
      return true
    },
    onChange,
  }
}
