import type { StaffRole } from '@careloop/shared'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { staffModel, type StaffDoc } from './staff.model'

/** A staff member as the rest of the server sees it (plain object; never the mongoose document). */
export interface StaffRecord {
  id: string
  username: string
  name: string
  role: StaffRole
  passwordHash: string
  wecomUserId: string | null
  active: boolean
  failedLogins: number
  lockedUntil: Date | null
  lastLoginAt: Date | null
  createdAt: Date
}

export interface NewStaff {
  username: string
  name: string
  role: StaffRole
  passwordHash: string
  wecomUserId?: string | null
}

export interface StaffChanges {
  name?: string
  role?: StaffRole
  active?: boolean
  passwordHash?: string
  /** null unlinks the WeCom account. */
  wecomUserId?: string | null
}

/** Which unique key a duplicate insert or update hit. */
export class DuplicateStaffKeyError extends Error {
  constructor(readonly key: 'username' | 'wecomUserId') {
    super(`duplicate staff ${key}`)
    this.name = 'DuplicateStaffKeyError'
  }
}

const toRecord = (d: StaffDoc): StaffRecord => ({
  id: d._id.toHexString(),
  username: d.username,
  name: d.name,
  role: d.role,
  passwordHash: d.passwordHash,
  wecomUserId: d.wecomUserId ?? null,
  active: d.active,
  failedLogins: d.failedLogins,
  lockedUntil: d.lockedUntil ?? null,
  lastLoginAt: d.lastLoginAt ?? null,
  createdAt: d.createdAt,
})

const duplicateKey = (e: unknown): DuplicateStaffKeyError | undefined => {
  const err = e as { code?: number; keyPattern?: Record<string, unknown>; message?: string }
  if (err.code !== 11000) return undefined
  const hint = `${Object.keys(err.keyPattern ?? {}).join(',')} ${err.message ?? ''}`
  return new DuplicateStaffKeyError(/wecomUserId/.test(hint) ? 'wecomUserId' : 'username')
}

export interface StaffRepo {
  findById(id: string): Promise<StaffRecord | null>
  findByUsername(username: string): Promise<StaffRecord | null>
  findByWecomUserId(userid: string): Promise<StaffRecord | null>
  findByIds(ids: readonly string[]): Promise<StaffRecord[]>
  list(): Promise<StaffRecord[]>
  count(): Promise<number>
  /** Throws DuplicateStaffKeyError on a taken username or WeCom userid. */
  create(s: NewStaff, at: Date): Promise<StaffRecord>
  /** Throws DuplicateStaffKeyError on a taken WeCom userid. */
  update(id: string, c: StaffChanges): Promise<StaffRecord | null>
  /** Counts one failed password login atomically; returns the new consecutive count. */
  recordFailure(id: string): Promise<number>
  /**
   * Locks the account until `until` if it has reached `threshold` failures, resetting the counter.
   * Only one of several concurrent callers wins (returns true).
   */
  lockIfReached(id: string, threshold: number, until: Date): Promise<boolean>
  recordSuccess(id: string, at: Date): Promise<void>
}

export const createStaffRepo = (conn: Connection): StaffRepo => {
  const M = staffModel(conn)
  const oid = (id: string): Types.ObjectId | null => (isValidObjectId(id) ? new Types.ObjectId(id) : null)
  return {
    async findById(id) {
      const _id = oid(id)
      if (!_id) return null
      const d = await M.findById(_id).lean<StaffDoc>()
      return d ? toRecord(d) : null
    },
    async findByUsername(username) {
      const d = await M.findOne({ username }).lean<StaffDoc>()
      return d ? toRecord(d) : null
    },
    async findByWecomUserId(userid) {
      const d = await M.findOne({ wecomUserId: userid }).lean<StaffDoc>()
      return d ? toRecord(d) : null
    },
    async findByIds(ids) {
      const valid = ids.map(oid).filter((x): x is Types.ObjectId => x !== null)
      if (valid.length === 0) return []
      const docs = await M.find({ _id: { $in: valid } }).lean<StaffDoc[]>()
      return docs.map(toRecord)
    },
    async list() {
      const docs = await M.find({}).sort({ createdAt: 1, _id: 1 }).lean<StaffDoc[]>()
      return docs.map(toRecord)
    },
    async count() {
      return M.countDocuments({})
    },
    async create(s, at) {
      try {
        const doc = new M({
          username: s.username,
          name: s.name,
          role: s.role,
          passwordHash: s.passwordHash,
          ...(s.wecomUserId ? { wecomUserId: s.wecomUserId } : {}),
          active: true,
          failedLogins: 0,
          lockedUntil: null,
          lastLoginAt: null,
          createdAt: at,
          updatedAt: at,
        })
        // Timestamps from the injected clock, not the machine's.
        await doc.save({ timestamps: false })
        return toRecord(doc.toObject<StaffDoc>())
      } catch (e) {
        throw duplicateKey(e) ?? e
      }
    },
    async update(id, c) {
      const _id = oid(id)
      if (!_id) return null
      const $set: Record<string, unknown> = {}
      const $unset: Record<string, 1> = {}
      if (c.name !== undefined) $set.name = c.name
      if (c.role !== undefined) $set.role = c.role
      if (c.active !== undefined) $set.active = c.active
      if (c.passwordHash !== undefined) {
        // A new password (set by an admin) also lifts a lock-out.
        $set.passwordHash = c.passwordHash
        $set.failedLogins = 0
        $set.lockedUntil = null
      }
      if (c.wecomUserId === null) $unset.wecomUserId = 1
      else if (c.wecomUserId !== undefined) $set.wecomUserId = c.wecomUserId
      try {
        const d = await M.findOneAndUpdate(
          { _id },
          {
            ...(Object.keys($set).length ? { $set } : {}),
            ...(Object.keys($unset).length ? { $unset } : {}),
          },
          { new: true },
        ).lean<StaffDoc>()
        return d ? toRecord(d) : null
      } catch (e) {
        throw duplicateKey(e) ?? e
      }
    },
    async recordFailure(id) {
      const d = await M.findOneAndUpdate(
        { _id: oid(id) },
        { $inc: { failedLogins: 1 } },
        { new: true },
      ).lean<StaffDoc>()
      return d?.failedLogins ?? 0
    },
    async lockIfReached(id, threshold, until) {
      const r = await M.updateOne(
        { _id: oid(id), failedLogins: { $gte: threshold } },
        { $set: { failedLogins: 0, lockedUntil: until } },
      )
      return r.modifiedCount === 1
    },
    async recordSuccess(id, at) {
      await M.updateOne({ _id: oid(id) }, { $set: { failedLogins: 0, lockedUntil: null, lastLoginAt: at } })
    },
  }
}
