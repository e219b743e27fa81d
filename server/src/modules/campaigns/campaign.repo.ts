import type { CampaignState } from '@careloop/shared'
import { Types, type Connection } from 'mongoose'
import { campaignModel, type CampaignApprovalEntry, type CampaignDoc } from './campaign.model'

/** What a draft holds (create and edit write the same fields). */
export type CampaignDraft = Pick<
  CampaignDoc,
  'name' | 'segment' | 'content' | 'channels' | 'schedule' | 'goal' | 'expiresAfterHours'
>

export interface CampaignRepo {
  create(draft: CampaignDraft, by: string, now: Date): Promise<CampaignDoc>
  findById(id: string): Promise<CampaignDoc | null>
  list(q: { state?: CampaignState; limit: number }): Promise<CampaignDoc[]>
  /** Edits a draft; null when it is not a draft (any more). */
  updateDraft(id: string, draft: CampaignDraft, by: string, now: Date): Promise<CampaignDoc | null>
  /**
   * Moves a campaign from one of `from` to `to` in one guarded update, with extra fields and an
   * approval entry; the campaign after the change, or null when it was in none of `from`.
   */
  transition(
    id: string,
    from: CampaignState[],
    to: CampaignState,
    now: Date,
    o?: { set?: Partial<CampaignDoc>; approval?: CampaignApprovalEntry },
  ): Promise<CampaignDoc | null>
  /** Campaigns the tick looks at: approved or running. */
  active(): Promise<CampaignDoc[]>
  /** Records that a run exists for `slot` (monotonic), and approved → running. */
  markSlot(id: Types.ObjectId, slot: Date, now: Date): Promise<void>
}

const oid = (id: string): Types.ObjectId | null =>
  Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null

export const createCampaignRepo = (conn: Connection): CampaignRepo => {
  const M = campaignModel(conn)
  return {
    async create(draft, by, now) {
      const doc: Omit<CampaignDoc, '_id'> = {
        ...draft,
        state: 'draft',
        approvals: [],
        createdBy: by,
        editors: [by],
        approvedAt: null,
        anchor: null,
        lastSlotAt: null,
        pausedFrom: null,
        createdAt: now,
        updatedAt: now,
      }
      const r = await M.collection.insertOne(doc as never)
      return { ...doc, _id: r.insertedId as Types.ObjectId }
    },

    findById(id) {
      const _id = oid(id)
      return _id ? M.findById(_id).lean<CampaignDoc>() : Promise.resolve(null)
    },

    list({ state, limit }) {
      return M.find(state ? { state } : {})
        .sort({ createdAt: -1, _id: -1 })
        .limit(limit)
        .lean<CampaignDoc[]>()
    },

    async updateDraft(id, draft, by, now) {
      const _id = oid(id)
      if (!_id) return null
      return M.findOneAndUpdate(
        { _id, state: 'draft' },
        { $set: { ...draft, updatedAt: now }, $addToSet: { editors: by } },
        { new: true },
      ).lean<CampaignDoc>()
    },

    async transition(id, from, to, now, o) {
      const _id = oid(id)
      if (!_id) return null
      return M.findOneAndUpdate(
        { _id, state: { $in: from } },
        {
          $set: { ...o?.set, state: to, updatedAt: now },
          ...(o?.approval ? { $push: { approvals: o.approval } } : {}),
        },
        { new: true },
      ).lean<CampaignDoc>()
    },

    active: () => M.find({ state: { $in: ['approved', 'running'] } }).lean<CampaignDoc[]>(),

    async markSlot(id, slot, now) {
      await M.updateOne({ _id: id }, { $max: { lastSlotAt: slot }, $set: { updatedAt: now } })
      await M.updateOne({ _id: id, state: 'approved' }, { $set: { state: 'running', updatedAt: now } })
    },
  }
}
