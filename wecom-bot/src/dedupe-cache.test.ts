import { DedupeCache } from './dedupe-cache'

function cache(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000
  const dedupe = new DedupeCache<string>({
    ttlMs: options.ttlMs ?? 1_000,
    maxEntries: options.maxEntries ?? 100,
    now: () => now,
  })
  return { dedupe, advance: (ms: number) => (now += ms) }
}

describe('DedupeCache', () => {
  it('runs the work once per key and hands duplicates the same result', async () => {
    const { dedupe } = cache()
    const work = jest.fn(() => Promise.resolve('reply'))
    const first = dedupe.run('k', work)
    const second = dedupe.run('k', work)
    expect(first.duplicate).toBe(false)
    expect(second.duplicate).toBe(true)
    expect(await second.result).toBe('reply')
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('covers duplicates that arrive while the first run is in flight', async () => {
    const { dedupe } = cache()
    let release: (value: string) => void = () => undefined
    const work = jest.fn(() => new Promise<string>((resolve) => (release = resolve)))
    const first = dedupe.run('k', work)
    const second = dedupe.run('k', work)
    release('done')
    expect(await Promise.all([first.result, second.result])).toEqual(['done', 'done'])
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('forgets a key after the TTL', async () => {
    const { dedupe, advance } = cache({ ttlMs: 1_000 })
    const work = jest.fn(() => Promise.resolve('x'))
    await dedupe.run('k', work).result
    advance(999)
    expect(dedupe.run('k', work).duplicate).toBe(true)
    advance(1)
    expect(dedupe.run('k', work).duplicate).toBe(false)
    expect(work).toHaveBeenCalledTimes(2)
  })

  it('forgets a failed run so a retry runs again', async () => {
    const { dedupe } = cache()
    await expect(dedupe.run('k', () => Promise.reject(new Error('boom'))).result).rejects.toThrow('boom')
    const retry = dedupe.run('k', () => Promise.resolve('ok'))
    expect(retry.duplicate).toBe(false)
    expect(await retry.result).toBe('ok')
  })

  it('stays bounded, dropping the oldest keys first', async () => {
    const { dedupe } = cache({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd']) await dedupe.run(key, () => Promise.resolve(key)).result
    expect(dedupe.size).toBe(3)
    expect(dedupe.run('d', () => Promise.resolve('again')).duplicate).toBe(true)
    expect(dedupe.run('a', () => Promise.resolve('again')).duplicate).toBe(false)
  })
})
