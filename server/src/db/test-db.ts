// Integration-test helper: one throwaway database per test file on the engine the jest global setup
// started (or on MONGODB_URI). The URI is a parameter: server/src reads no environment outside config.ts.
import { randomBytes } from 'node:crypto'
import mongoose from 'mongoose'
import type { Connection } from 'mongoose'

export interface TestDatabase {
  /** The open connection; only valid between this file's beforeAll and afterAll. */
  readonly connection: Connection
  /** The unique database name, e.g. careloop_test_1a2b3c4d5e6f. */
  readonly dbName: string
}

/** A unique database name; MongoDB limits names to 63 bytes and forbids `/\. "$`. */
export function testDatabaseName(prefix = 'careloop_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/**
 * Registers beforeAll/afterAll hooks: beforeAll connects mongoose.createConnection(uri, { dbName })
 * to a fresh uniquely named database; afterAll drops that database and closes the connection.
 * `uri` may be a function so it is read when the hooks run, after the jest global setup.
 */
export function useTestDatabase(uri: string | (() => string | undefined)): TestDatabase {
  const dbName = testDatabaseName()
  let connection: Connection | undefined

  beforeAll(async () => {
    const resolved = typeof uri === 'function' ? uri() : uri
    if (resolved === undefined || resolved === '') {
      throw new Error('useTestDatabase: no MongoDB URI (the jest global setup sets MONGODB_URI)')
    }
    connection = await mongoose
      .createConnection(resolved, { dbName, serverSelectionTimeoutMS: 10_000, autoCreate: false }) // see connection.ts
      .asPromise()
  })

  afterAll(async () => {
    if (connection === undefined) return
    try {
      await connection.dropDatabase()
    } finally {
      await connection.close()
      connection = undefined
    }
  })

  return {
    dbName,
    get connection(): Connection {
      if (connection === undefined) {
        throw new Error('useTestDatabase: the connection is only available inside tests (after beforeAll)')
      }
      return connection
    },
  }
}
