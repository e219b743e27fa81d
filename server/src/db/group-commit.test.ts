import { createGroupCommit } from './group-commit'

describe('group commit', () => {
  it('sends a lone call at once and the calls made meanwhile together, each answered its own result', async () => {
    const batches: number[][] = []
    const double = createGroupCommit<number, number>(async (items) => {
      batches.push(items)
      await new Promise((ok) => setTimeout(ok, 5))
      return items.map((n) => n * 2)
    })
    const first = double(1)
    await new Promise((ok) => setImmediate(ok)) // the first flush is under way
    const rest = [2, 3, 4, 5].map((n) => double(n))
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8, 10])
    expect(batches).toEqual([[1], [2, 3, 4, 5]])
  })

  it('fails only the item the flush answered an Error for', async () => {
    const check = createGroupCommit<number, number>((items) =>
      Promise.resolve(items.map((n) => (n < 0 ? new Error(`negative: ${n}`) : n))),
    )
    const out = await Promise.allSettled([check(1), check(-2), check(3)])
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      1,
      'negative: -2',
      3,
    ])
  })

  it('fails the whole batch when the flush throws, and the next calls still go', async () => {
    let down = true
    const write = createGroupCommit<string, string>((items) =>
      down
        ? Promise.reject(new Error('connection lost'))
        : Promise.resolve(items.map((s) => s.toUpperCase())),
    )
    const out = await Promise.allSettled([write('a'), write('b')])
    expect(out.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    down = false
    expect(await write('c')).toBe('C')
  })

  it('splits a long queue into batches of at most maxBatch, in order', async () => {
    const sizes: number[] = []
    const echo = createGroupCommit<number, number>((items) => {
      sizes.push(items.length)
      return Promise.resolve(items)
    }, 3)
    const n = Array.from({ length: 8 }, (_, i) => i)
    expect(await Promise.all(n.map((i) => echo(i)))).toEqual(n)
    expect(sizes).toEqual([3, 3, 2])
  })

  it('fails an item the flush gave no result for instead of leaving it waiting', async () => {
    const short = createGroupCommit<number, number>((items) => Promise.resolve(items.slice(1)))
    const out = await Promise.allSettled([short(1), short(2)])
    expect(out[1]?.status).toBe('rejected')
  })
})
