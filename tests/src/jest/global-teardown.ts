// jest globalTeardown: stops the engine global-setup.ts started (nothing when MONGODB_URI was given).
import type { EngineHandle } from '../../../server/src/db/local-engine'

declare global {
  var __careloopEngine: EngineHandle | undefined
}

export default async function globalTeardown(): Promise<void> {
  const engine = globalThis.__careloopEngine
  if (engine === undefined) return
  globalThis.__careloopEngine = undefined
  if (process.env.MONGODB_URI === engine.uri) delete process.env.MONGODB_URI
  await engine.stop()
}
