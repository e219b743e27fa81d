/** True for a MongoDB duplicate-key error (E11000): the unique index already holds that key. */
export const isDuplicateKey = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000
