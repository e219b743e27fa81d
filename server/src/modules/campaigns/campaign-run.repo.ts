import { Types, type Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { campaignRunModel, type CampaignRunDoc, type RunState } from './campaign.model'

/** Runs not finished: still to materialise, or held by a pause. */
export const OPEN_RUN_STATES: RunState[] = ['materialising', 'paused']

export interface CampaignRunRepo {
  /** Creates the run of a slot; false when it exists (another instance, or an earlier tick, won). */
  insert(campaignId: Types.ObjectId, slot: Date, now: Date): Promise<boolean>
  findById(id: string): Promise<CampaignRunDoc | null>
  /** Runs to materialise whose lease is free or expired. */
  claimable(now: Date): Promise<CampaignRunDoc[]>
  /** Takes a run's lease; the run, or null when another instance holds it (or it is not materialising). */
  claim(id: Types.ObjectId, owner: string, now: Date, leaseMs: number): Promise<CampaignRunDoc | null>
  /** Records the segment count and content version as materialisation (re)starts; false: lease lost. */
  begin(
    id: Types.ObjectId,
    owner: string,
    o: { total: number; contentVersion: number | null; now: Date; leaseUntil: Date; startedAt?: Date },
  ): Promise<boolean>
  /** One batch is in the outbox: cursor, counters and lease, in one guarded update; false: lease lost or paused. */
  progress(
    id: Types.ObjectId,
    owner: string,
    o: { cursor: string; n: number; created: number; now: Date; leaseUntil: Date },
  ): Promise<boolean>
  /** materialising → materialised (under the lease), with the final count. */
  finish(id: Types.ObjectId, owner: string, now: Date, total: number): Promise<boolean>
  /** materialising → failed with a reason (under the lease). */
  fail(
    id: Types.ObjectId,
    owner: string,
    failure: { code: string; reason: string },
    now: Date,
  ): Promise<boolean>
  /** Moves a campaign's runs in `from` to `to` (pause, resume, cancel); the lease is dropped. */
  setState(campaignId: Types.ObjectId, from: RunState[], to: RunState, now: Date): Promise<number>
  /** A campaign's runs, newest slot first. */
  ofCampaign(campaignId: Types.ObjectId, limit: number): Promise<CampaignRunDoc[]>
  countOf(campaignId: Types.ObjectId): Promise<number>
  /** Ids of a campaign's runs whose slot is at or after `since` (their rows may still be unsent). */
  idsSince(campaignId: Types.ObjectId, since: Date): Promise<string[]>
  /** Whether the campaign has a run not finished. */
  hasOpen(campaignId: Types.ObjectId): Promise<boolean>
}

export const createCampaignRunRepo = (conn: Connection): CampaignRunRepo => {
  const M = campaignRunModel(conn)
  const held = (id: Types.ObjectId, owner: string) => ({ _id: id, owner, state: 'materialising' })
  return {
    async insert(campaignId, slot, now) {
      const doc: Omit<CampaignRunDoc, '_id'> = {
        campaignId,
        slot,
        state: 'materialising',
        owner: null,
        leaseUntil: null,
        cursor: null,
        materialised: 0,
        created: 0,
        total: null,
        contentVersion: null,
        startedAt: null,
        finishedAt: null,
        failure: null,
        createdAt: now,
        updatedAt: now,
      }
      try {
        await M.collection.insertOne(doc as never)
        return true
      } catch (e) {
        if (isDuplicateKey(e)) return false
        throw e
      }
    },

    findById: (id) =>
      Types.ObjectId.isValid(id) ? M.findById(id).lean<CampaignRunDoc>() : Promise.resolve(null),

    claimable: (now) =>
      M.find({
        state: 'materialising',
        $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }],
      })
        .sort({ slot: 1 })
        .lean<CampaignRunDoc[]>(),

    claim: (id, owner, now, leaseMs) =>
      M.findOneAndUpdate(
        {
          _id: id,
          state: 'materialising',
          $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }],
        },
        { $set: { owner, leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } },
        { new: true },
      ).lean<CampaignRunDoc>(),

    async begin(id, owner, o) {
      const r = await M.updateOne(held(id, owner), {
        $set: {
          total: o.total,
          contentVersion: o.contentVersion,
          leaseUntil: o.leaseUntil,
          updatedAt: o.now,
          ...(o.startedAt ? { startedAt: o.startedAt } : {}),
        },
      })
      return r.matchedCount === 1
    },

    async progress(id, owner, o) {
      const r = await M.updateOne(held(id, owner), {
        $set: { cursor: o.cursor, leaseUntil: o.leaseUntil, updatedAt: o.now },
        $inc: { materialised: o.n, created: o.created },
      })
      return r.matchedCount === 1
    },

    async finish(id, owner, now, total) {
      const r = await M.updateOne(held(id, owner), {
        $set: {
          state: 'materialised',
          total,
          finishedAt: now,
          owner: null,
          leaseUntil: null,
          updatedAt: now,
        },
      })
      return r.matchedCount === 1
    },

    async fail(id, owner, failure, now) {
      const r = await M.updateOne(held(id, owner), {
        $set: { state: 'failed', failure, finishedAt: now, owner: null, leaseUntil: null, updatedAt: now },
      })
      return r.matchedCount === 1
    },

    async setState(campaignId, from, to, now) {
      const r = await M.updateMany(
        { campaignId, state: { $in: from } },
        {
          $set: {
            state: to,
            owner: null,
            leaseUntil: null,
            updatedAt: now,
            ...(to === 'cancelled' ? { finishedAt: now } : {}),
          },
        },
      )
      return r.modifiedCount
    },

    ofCampaign: (campaignId, limit) =>
      M.find({ campaignId }).sort({ slot: -1 }).limit(limit).lean<CampaignRunDoc[]>(),

    countOf: (campaignId) => M.countDocuments({ campaignId }),

    async idsSince(campaignId, since) {
      const rows = await M.find({ campaignId, slot: { $gte: since } }, { _id: 1 }).lean<
        { _id: Types.ObjectId }[]
      >()
      return rows.map((r) => r._id.toHexString())
    },

    async hasOpen(campaignId) {
      return (await M.exists({ campaignId, state: { $in: OPEN_RUN_STATES } })) !== null
    },
  }
}
