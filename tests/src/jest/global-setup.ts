// jest globalSetup (integration and e2e projects): use MONGODB_URI when it is set, else start the local
// engine (memory backend) and publish its URI as MONGODB_URI so the test workers inherit it.
import { resolve } from 'node:path'
import { resolveEngine } from '../../../server/src/db/local-engine'
import type { EngineHandle } from '../../../server/src/db/local-engine'

declare global {
  // The engine this setup started, for global-teardown.ts (same process).
  var __careloopEngine: EngineHandle | undefined
}

export default async function globalSetup(): Promise<void> {
  if (globalThis.__careloopEngine !== undefined) return
  const given = process.env.MONGODB_URI
  if (given !== undefined && given !== '') return
  const started = Date.now()
  const engine = await resolveEngine({
    backend: 'memory',
    repoRoot: resolve(__dirname, '..', '..', '..'),
    log: (msg) => process.stderr.write(`[jest] ${msg}\n`),
  })
  globalThis.__careloopEngine = engine
  process.env.MONGODB_URI = engine.uri
  process.stderr.write(`[jest] ${engine.kind} at ${engine.uri} (${Date.now() - started} ms)\n`)
}
