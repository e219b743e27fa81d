// Test-side wrappers: read the URI the jest global setup published (or the one the developer set).
import { useTestDatabase as useTestDatabaseAt } from '../../../server/src/db/test-db'
import type { TestDatabase } from '../../../server/src/db/test-db'

export function testMongoUri(): string {
  const uri = process.env.MONGODB_URI
  if (uri === undefined || uri === '') {
    throw new Error('MONGODB_URI is not set: run this test in the integration or e2e jest project')
  }
  return uri
}

/** One fresh database for the calling test file, dropped after it (see server/src/db/test-db.ts). */
export function useTestDatabase(): TestDatabase {
  return useTestDatabaseAt(testMongoUri)
}
