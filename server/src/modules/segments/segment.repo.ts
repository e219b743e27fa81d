import { isDuplicateKey } from '../../db/duplicate-key'
import type { SegmentFilter } from '@careloop/shared'
import { Types, type Connection, type FilterQuery, type mongo } from 'mongoose'
import { patientModel, type PatientDoc } from '../patients/patient.model'
import { segmentModel, type SegmentDoc } from './segment.model'

export class SegmentNameTakenError extends Error {}

/**
 * Ids fetched per round trip when materialising a segment: only `_id` is projected, so a batch is about
 * 25 bytes a patient (~250 KB); smaller batches measurably cost round trips on large segments.
 */
export const SEGMENT_ID_BATCH_SIZE = 10_000

export interface SegmentIdsOptions {
  batchSize?: number
  /** Ascending `_id` order. */
  ordered?: boolean
  /** Only ids after this one (hex); implies `ordered`. */
  afterId?: string
}

export interface SegmentRepo {
  /** Live (non-erased) patients matching a compiled segment filter: the count and the first few. */
  preview(filter: SegmentFilter, sampleSize: number): Promise<{ count: number; sample: PatientDoc[] }>
  /** How many live (non-erased) patients match a compiled segment filter. */
  count(filter: SegmentFilter): Promise<number>
  /**
   * The ids (hex strings) of the live patients matching a compiled segment filter, streamed from the
   * database in batches of up to `batchSize` (default SEGMENT_ID_BATCH_SIZE), each id once. Unordered;
   * a patient erased or changed while the stream runs may or may not be included. With `ordered` (or
   * `afterId`), ids come in ascending order and only those after `afterId`: a consumer that records
   * the last id it finished (a campaign run) resumes there.
   */
  ids(filter: SegmentFilter, opts?: SegmentIdsOptions): AsyncIterable<string[]>
  list(): Promise<SegmentDoc[]>
  /** Throws SegmentNameTakenError on a taken name. */
  save(name: string, expression: string, createdBy: string): Promise<void>
}

export const createSegmentRepo = (conn: Connection): SegmentRepo => {
  const P = patientModel(conn)
  const S = segmentModel(conn)
  // Live patients only. Compiled filters never name erasedAt, so the condition simply joins the
  // filter's top-level keys, after its own (more selective) clauses.
  const live = (filter: SegmentFilter) =>
    ('erasedAt' in filter
      ? { $and: [filter, { erasedAt: null }] }
      : { ...filter, erasedAt: null }) as FilterQuery<PatientDoc>
  return {
    async preview(filter, sampleSize) {
      const q = live(filter)
      const [count, sample] = await Promise.all([
        P.countDocuments(q),
        P.find(q).sort({ _id: 1 }).limit(sampleSize).lean<PatientDoc[]>(),
      ])
      return { count, sample }
    },
    count: (filter) => P.countDocuments(live(filter)),
    async *ids(filter, opts = {}) {
      const batchSize = opts.batchSize ?? SEGMENT_ID_BATCH_SIZE
      // The compiled filter is already in stored-document terms (plain strings, numbers, booleans), so
      // it needs no mongoose casting; reading the driver's batches whole skips mongoose's QueryCursor,
      // whose one-document-at-a-time hand-off cost ~15-20% on large segments (tests/bench/segments.bench.ts).
      const ordered = opts.ordered === true || opts.afterId !== undefined
      const q = opts.afterId
        ? { $and: [live(filter), { _id: { $gt: new Types.ObjectId(opts.afterId) } }] }
        : live(filter)
      const cursor = P.collection.find<{ _id: Types.ObjectId }>(q as mongo.Filter<mongo.Document>, {
        projection: { _id: 1 },
        batchSize,
        ...(ordered ? { sort: { _id: 1 } } : {}),
      })
      let batch: string[] = []
      try {
        for await (const first of cursor) {
          for (const d of [first, ...cursor.readBufferedDocuments()]) {
            batch.push(d._id.toHexString())
            if (batch.length >= batchSize) {
              yield batch
              batch = []
            }
          }
        }
        if (batch.length > 0) yield batch
      } finally {
        await cursor.close()
      }
    },
    list: () => S.find({}).sort({ name: 1 }).lean<SegmentDoc[]>(),
    async save(name, expression, createdBy) {
      try {
        await S.create({ name, expression, createdBy })
      } catch (e) {
        if (isDuplicateKey(e)) throw new SegmentNameTakenError(name)
        throw e
      }
    },
  }
}
