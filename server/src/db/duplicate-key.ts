import { mongo } from 'mongoose'

/** True for a MongoDB duplicate-key error (E11000): the unique index already holds that key. */
export const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000

/**
 * The per-document errors of an unordered bulk write or insertMany, by the index of the operation
 * in the batch. Any other error (the whole command failed) is thrown again.
 */
export const writeErrorsByIndex = (err: unknown): Map<number, { code?: unknown; errmsg?: string }> => {
  if (!(err instanceof mongo.MongoBulkWriteError)) throw err
  const errors = [err.writeErrors].flat()
  if (!errors.length) throw err
  return new Map(errors.map((w) => [w.index, { code: w.code, errmsg: w.errmsg }]))
}
