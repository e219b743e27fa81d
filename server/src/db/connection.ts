import mongoose, { type Connection } from 'mongoose'

export type { Connection }

/**
 * Opens a mongoose connection. Models are registered per connection (never on the global mongoose
 * instance), so tests can give each file its own database.
 *
 * `autoCreate: false`: collections are created by their first write, as MongoDB does anyway. Mongoose's
 * default issues `create` in the background when a model is compiled; on mongo-java-server that `create`
 * racing the first insert can replace the collection and lose the inserted document (seen in CI).
 */
export const openConnection = async (uri: string, dbName?: string): Promise<Connection> => {
  const conn = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false,
    autoCreate: false,
  })
  await conn.asPromise()
  return conn
}

/** Database reachability for /readyz: a ping bounded by a short timeout. */
export const pingDatabase = async (conn: Connection, timeoutMs = 1500): Promise<boolean> => {
  if (conn.readyState !== mongoose.ConnectionStates.connected || !conn.db) return false
  const db = conn.db
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      db.command({ ping: 1 }).then((r) => r.ok === 1),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ])
  } catch {
    return false
  } finally {
    clearTimeout(timer)
  }
}

/** Creates the declared indexes of every model on the connection (idempotent; run at start-up). */
export const syncIndexes = async (conn: Connection): Promise<void> => {
  for (const model of Object.values(conn.models)) await model.createIndexes()
}
