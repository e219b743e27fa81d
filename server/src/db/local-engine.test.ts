import { resolveEngine } from './local-engine'

describe('resolveEngine', () => {
  it('uses a given MONGODB_URI as is and starts nothing', async () => {
    const engine = await resolveEngine({
      mongodbUri: 'mongodb://db.example:27017/?replicaSet=rs0',
      backend: 'h2',
      repoRoot: '/nonexistent',
    })
    expect(engine.kind).toBe('external')
    expect(engine.uri).toBe('mongodb://db.example:27017/?replicaSet=rs0')
    await expect(engine.stop()).resolves.toBeUndefined()
  })

  it('refuses the persistent backend without a data directory', async () => {
    await expect(resolveEngine({ backend: 'h2', repoRoot: '/nonexistent' })).rejects.toThrow(/dataDir/)
  })

  it('names the engine sources it needs when the repo root is wrong', async () => {
    await expect(
      resolveEngine({ backend: 'memory', repoRoot: '/nonexistent', allowMongod: false }),
    ).rejects.toThrow(/pom\.xml/)
  })
})
