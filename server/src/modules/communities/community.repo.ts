import { isDuplicateKey } from '../../db/duplicate-key'
import { isValidObjectId, Types, type Connection } from 'mongoose'
import { patientModel } from '../patients/patient.model'
import {
  communityModel,
  joinTicketModel,
  membershipModel,
  type CommunityDoc,
  type CommunityStatusValue,
  type JoinTicketDoc,
  type MemberEndReason,
  type MembershipDoc,
  type MembershipViaValue,
} from './community.model'

export class CommunityChatTakenError extends Error {}

const isDuplicate = isDuplicateKey
const oid = (id: string): Types.ObjectId => new Types.ObjectId(id)

export interface NewCommunity {
  name: string
  description: string | null
  diseaseTagId: string
  ownerNurseId: string
  chatId: string
  capacity: number
  createdBy: string
}

export interface CommunityChanges {
  name?: string
  description?: string | null
  diseaseTagId?: string
  ownerNurseId?: string
  capacity?: number
  status?: CommunityStatusValue
}

export interface OpenStint {
  memberType: 'staff' | 'customer'
  name: string | null
  state: string | null
  joinScene: number
  via: MembershipViaValue
  invitor: string | null
  joinedAt: Date
}

export interface MembershipCounts {
  membersNow: number
  customersNow: number
  patientsLinked: number
  joined7d: number
  left7d: number
  joined30d: number
  left30d: number
}

export interface CommunityRepo {
  /** Throws CommunityChatTakenError when the chat already backs a community. */
  create(c: NewCommunity): Promise<CommunityDoc>
  findById(id: string): Promise<CommunityDoc | null>
  findByChatId(chatId: string): Promise<CommunityDoc | null>
  list(filter: { ownerNurseId?: string; statuses?: CommunityStatusValue[] }): Promise<CommunityDoc[]>
  findByChatIds(chatIds: string[]): Promise<CommunityDoc[]>
  update(id: string, c: CommunityChanges): Promise<CommunityDoc | null>
  /** Takes the community's sync lease if it is free (clearing any pending request); null when held. */
  acquireSync(id: string, owner: string, now: Date, until: Date): Promise<CommunityDoc | null>
  /** Asks the current lease holder to sync once more before it lets go. */
  requestSync(id: string): Promise<void>
  /** Lets go of the lease unless a sync was requested meanwhile (then returns false: sync again). */
  releaseSync(id: string, owner: string): Promise<boolean>
  /** Clears a pending request and extends the lease, for the holder about to sync again. */
  renewSync(id: string, owner: string, until: Date): Promise<boolean>
  /** Lets go of the lease whatever is pending (after a failure). */
  dropSync(id: string, owner: string): Promise<void>
  recordSync(
    id: string,
    s: { memberVersion: string | null; groupName?: string; groupOwnerUserId?: string; at: Date },
  ): Promise<void>
  markDismissed(id: string, at: Date): Promise<boolean>

  // memberships
  openMembers(communityId: string): Promise<MembershipDoc[]>
  /** Opens a stay unless one is open already (or a racing open won). Returns the open stay. */
  openStint(
    communityId: string,
    memberId: string,
    s: OpenStint,
  ): Promise<{ opened: boolean; stint: MembershipDoc | null }>
  closeStint(
    communityId: string,
    memberId: string,
    e: { leftAt: Date; quitScene: number | null; endReason: MemberEndReason },
  ): Promise<boolean>
  closeAll(communityId: string, leftAt: Date, endReason: MemberEndReason): Promise<number>
  setStintPatient(stintId: Types.ObjectId, patientId: string): Promise<void>
  counts(communityId: string, now: Date): Promise<MembershipCounts>
  history(communityId: string, limit: number): Promise<MembershipDoc[]>
  /** Of `communityIds`, those the profile is in now. */
  joinedBy(patientId: string, communityIds: Types.ObjectId[]): Promise<Set<string>>

  // join tickets
  /** The (community, profile) ticket, created with `state` unless it exists. */
  ensureTicket(communityId: string, patientId: string, state: string, at: Date): Promise<JoinTicketDoc>
  findTicket(id: Types.ObjectId): Promise<JoinTicketDoc | null>
  findTicketByState(state: string): Promise<JoinTicketDoc | null>
  /** Takes the lease to create the ticket's join way (only while it has none). */
  claimTicketCreation(id: Types.ObjectId, now: Date, until: Date): Promise<boolean>
  setTicketJoinWay(id: Types.ObjectId, configId: string, qrCode: string | null): Promise<void>
  releaseTicketCreation(id: Types.ObjectId): Promise<void>

  /** The profile exists and is not erased (links and tags go to live profiles only). */
  livePatient(patientId: string): Promise<boolean>
  /** Names of live profiles (erased ones are absent). */
  patientNames(ids: Types.ObjectId[]): Promise<Map<string, string | null>>
  /** Everyone in the group now (what the capacity counts). */
  memberCount(communityId: Types.ObjectId): Promise<number>
  /** Erasure (F5): the profile's join tickets go, its stays keep only the counts (no link, no name). */
  erasePatient(patientId: string): Promise<void>
}

const DAY = 86_400_000

export const createCommunityRepo = (conn: Connection): CommunityRepo => {
  const C = communityModel(conn)
  const M = membershipModel(conn)
  const T = joinTicketModel(conn)
  const P = patientModel(conn)

  return {
    async create(c) {
      try {
        const doc = await C.create({
          name: c.name,
          description: c.description,
          diseaseTagId: c.diseaseTagId,
          ownerNurseId: oid(c.ownerNurseId),
          chatId: c.chatId,
          capacity: c.capacity,
          status: 'active',
          createdBy: c.createdBy,
        })
        return doc.toObject<CommunityDoc>()
      } catch (e) {
        if (isDuplicate(e)) throw new CommunityChatTakenError(c.chatId)
        throw e
      }
    },
    findById: (id) => (isValidObjectId(id) ? C.findById(id).lean<CommunityDoc>() : Promise.resolve(null)),
    findByChatId: (chatId) => C.findOne({ chatId }).lean<CommunityDoc>(),
    list({ ownerNurseId, statuses }) {
      const filter: Record<string, unknown> = {}
      if (ownerNurseId)
        filter.ownerNurseId = isValidObjectId(ownerNurseId) ? oid(ownerNurseId) : new Types.ObjectId()
      if (statuses) filter.status = { $in: statuses }
      return C.find(filter).sort({ createdAt: 1, _id: 1 }).lean<CommunityDoc[]>()
    },
    findByChatIds: (chatIds) =>
      chatIds.length ? C.find({ chatId: { $in: chatIds } }).lean<CommunityDoc[]>() : Promise.resolve([]),
    async update(id, c) {
      if (!isValidObjectId(id)) return null
      const $set: Record<string, unknown> = { ...c }
      if (c.ownerNurseId) $set.ownerNurseId = oid(c.ownerNurseId)
      return C.findByIdAndUpdate(id, { $set }, { new: true }).lean<CommunityDoc>()
    },
    acquireSync: (id, owner, now, until) =>
      C.findOneAndUpdate(
        { _id: oid(id), syncLockUntil: { $lte: now } },
        { $set: { syncLockUntil: until, syncLockOwner: owner, syncRequested: false } },
        { new: true },
      ).lean<CommunityDoc>(),
    async requestSync(id) {
      await C.updateOne({ _id: oid(id) }, { $set: { syncRequested: true } })
    },
    async releaseSync(id, owner) {
      const r = await C.updateOne(
        { _id: oid(id), syncLockOwner: owner, syncRequested: false },
        { $set: { syncLockUntil: new Date(0), syncLockOwner: null } },
      )
      if (r.modifiedCount === 1) return true
      // not ours any more (lease expired and was taken): nothing to release, nothing to redo
      const d = await C.findById(id, { syncLockOwner: 1 }).lean<Pick<CommunityDoc, 'syncLockOwner'>>()
      return d?.syncLockOwner !== owner
    },
    async renewSync(id, owner, until) {
      const r = await C.updateOne(
        { _id: oid(id), syncLockOwner: owner },
        { $set: { syncRequested: false, syncLockUntil: until } },
      )
      return r.modifiedCount === 1
    },
    async dropSync(id, owner) {
      await C.updateOne(
        { _id: oid(id), syncLockOwner: owner },
        { $set: { syncLockUntil: new Date(0), syncLockOwner: null } },
      )
    },
    async recordSync(id, s) {
      await C.updateOne(
        { _id: oid(id) },
        {
          $set: {
            memberVersion: s.memberVersion,
            lastSyncedAt: s.at,
            ...(s.groupName !== undefined ? { groupName: s.groupName } : {}),
            ...(s.groupOwnerUserId !== undefined ? { groupOwnerUserId: s.groupOwnerUserId } : {}),
          },
        },
      )
    },
    async markDismissed(id, at) {
      const r = await C.updateOne(
        { _id: oid(id), status: { $ne: 'dismissed' } },
        { $set: { status: 'dismissed', dismissedAt: at } },
      )
      return r.modifiedCount === 1
    },

    openMembers: (communityId) =>
      M.find({ communityId: oid(communityId), leftAt: null }).lean<MembershipDoc[]>(),
    async openStint(communityId, memberId, s) {
      const cid = oid(communityId)
      const last = await M.findOne({ communityId: cid, memberId }).sort({ seq: -1 }).lean<MembershipDoc>()
      if (last && last.leftAt === null) return { opened: false, stint: last }
      try {
        const doc = await M.create({
          communityId: cid,
          memberId,
          seq: (last?.seq ?? 0) + 1,
          ...s,
          lastEventAt: s.joinedAt,
        })
        return { opened: true, stint: doc.toObject<MembershipDoc>() }
      } catch (e) {
        if (!isDuplicate(e)) throw e
        return {
          opened: false,
          stint: await M.findOne({ communityId: cid, memberId, leftAt: null }).lean<MembershipDoc>(),
        }
      }
    },
    async closeStint(communityId, memberId, e) {
      const r = await M.updateMany(
        { communityId: oid(communityId), memberId, leftAt: null },
        { $set: { leftAt: e.leftAt, quitScene: e.quitScene, endReason: e.endReason, lastEventAt: e.leftAt } },
      )
      return r.modifiedCount > 0
    },
    async closeAll(communityId, leftAt, endReason) {
      const r = await M.updateMany(
        { communityId: oid(communityId), leftAt: null },
        { $set: { leftAt, endReason, lastEventAt: leftAt } },
      )
      return r.modifiedCount
    },
    async setStintPatient(stintId, patientId) {
      await M.updateOne({ _id: stintId }, { $set: { patientId: oid(patientId) } })
    },
    async counts(communityId, now) {
      const cid = oid(communityId)
      const since7 = new Date(now.getTime() - 7 * DAY)
      const since30 = new Date(now.getTime() - 30 * DAY)
      const customers = { communityId: cid, memberType: 'customer' }
      const [membersNow, customersNow, patientsLinked, joined7d, left7d, joined30d, left30d] =
        await Promise.all([
          M.countDocuments({ communityId: cid, leftAt: null }),
          M.countDocuments({ ...customers, leftAt: null }),
          M.countDocuments({ ...customers, leftAt: null, patientId: { $ne: null } }),
          M.countDocuments({ ...customers, joinedAt: { $gte: since7 } }),
          M.countDocuments({ ...customers, leftAt: { $gte: since7 } }),
          M.countDocuments({ ...customers, joinedAt: { $gte: since30 } }),
          M.countDocuments({ ...customers, leftAt: { $gte: since30 } }),
        ])
      return { membersNow, customersNow, patientsLinked, joined7d, left7d, joined30d, left30d }
    },
    history: (communityId, limit) =>
      M.find({ communityId: oid(communityId) })
        .sort({ lastEventAt: -1, _id: -1 })
        .limit(limit)
        .lean<MembershipDoc[]>(),
    async joinedBy(patientId, communityIds) {
      if (!isValidObjectId(patientId) || communityIds.length === 0) return new Set()
      const rows = await M.find(
        { patientId: oid(patientId), communityId: { $in: communityIds }, leftAt: null },
        { communityId: 1 },
      ).lean<Pick<MembershipDoc, 'communityId'>[]>()
      return new Set(rows.map((r) => r.communityId.toHexString()))
    },

    async ensureTicket(communityId, patientId, state, at) {
      const key = { communityId: oid(communityId), patientId: oid(patientId) }
      await T.updateOne(
        key,
        {
          $setOnInsert: {
            ...key,
            state,
            configId: null,
            qrCode: null,
            creatingUntil: new Date(0),
            createdAt: at,
          },
        },
        { upsert: true },
      ).catch((e: unknown) => {
        // two first requests racing on the unique key: the other one created it
        if (!isDuplicate(e)) throw e
      })
      return (await T.findOne(key).lean<JoinTicketDoc>())!
    },
    findTicket: (id) => T.findById(id).lean<JoinTicketDoc>(),
    findTicketByState: (state) => T.findOne({ state }).lean<JoinTicketDoc>(),
    async claimTicketCreation(id, now, until) {
      const r = await T.updateOne(
        { _id: id, configId: null, creatingUntil: { $lte: now } },
        { $set: { creatingUntil: until } },
      )
      return r.modifiedCount === 1
    },
    async setTicketJoinWay(id, configId, qrCode) {
      await T.updateOne({ _id: id }, { $set: { configId, qrCode, creatingUntil: new Date(0) } })
    },
    async releaseTicketCreation(id) {
      await T.updateOne({ _id: id, configId: null }, { $set: { creatingUntil: new Date(0) } })
    },
    async patientNames(ids) {
      if (ids.length === 0) return new Map()
      const rows = await P.find({ _id: { $in: ids }, erasedAt: null }, { name: 1 }).lean<
        { _id: Types.ObjectId; name?: string | null }[]
      >()
      return new Map(rows.map((r) => [r._id.toHexString(), r.name ?? null]))
    },
    memberCount: (communityId) => M.countDocuments({ communityId, leftAt: null }),
    async erasePatient(patientId) {
      if (!isValidObjectId(patientId)) return
      const id = oid(patientId)
      await T.deleteMany({ patientId: id })
      await M.updateMany({ patientId: id }, { $set: { patientId: null, name: null, state: null } })
    },
    async livePatient(patientId) {
      if (!isValidObjectId(patientId)) return false
      return (await P.countDocuments({ _id: oid(patientId), erasedAt: null })) > 0
    },
  }
}
