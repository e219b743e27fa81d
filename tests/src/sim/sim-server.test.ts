import { SimClock, SimServer, type SimResponse } from './sim-server'

/** A minimal simulator: `POST /api/echo` counts the calls that reached it. */
class EchoSim extends SimServer {
  handled = 0
  constructor() {
    super('echo')
    this.route('POST', '/api/echo', (r): SimResponse => {
      this.handled += 1
      return { body: { errcode: 0, errmsg: 'ok', echo: r.json } }
    })
  }
  protected resetState(): void {
    this.handled = 0
  }
}

const sim = new EchoSim()

beforeAll(async () => {
  await sim.listen()
})
afterAll(() => sim.close())
beforeEach(async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })
})

const post = async (path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
  const r = await fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) })
  const text = await r.text()
  return { status: r.status, json: text ? JSON.parse(text) : undefined }
}

interface FaultView {
  faults: { route: string; times: number | null }[]
  hits: Record<string, Record<string, number>>
}
const faultView = async (): Promise<FaultView> =>
  (await (await fetch(`${sim.url}/_sim/faults`)).json()) as FaultView

/** Sends `n` echo requests one after the other; the errcode (or `status:NNN`) of each. */
async function run(n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await post('/api/echo', { i })
    out.push(r.status === 200 ? `errcode:${(r.json as { errcode: number }).errcode}` : `status:${r.status}`)
  }
  return out
}

describe('SimServer faults', () => {
  it('classic form: fails the next `times` matching requests without running the handler', async () => {
    expect((await post('/_sim/faults', { route: '/api/echo', errcode: 45009, times: 2 })).status).toBe(200)
    expect(await run(3)).toEqual(['errcode:45009', 'errcode:45009', 'errcode:0'])
    expect(sim.handled).toBe(1)
    expect(sim.requests('/api/echo').map((r) => r.fault)).toEqual([
      'errcode:45009',
      'errcode:45009',
      undefined,
    ])
    const v = await faultView()
    expect(v.faults).toEqual([])
    expect(v.hits).toEqual({ '/api/echo': { 'errcode:45009': 2 } })
  })

  it('classic form with a status and a method in the route', async () => {
    await post('/_sim/faults', { route: 'POST /api/echo', status: 502 })
    const r = await post('/api/echo')
    expect(r.status).toBe(502)
    expect(r.json).toMatchObject({ errcode: -1 })
    expect((await post('/api/echo')).status).toBe(200)
  })

  it('at a rate: the PRNG is seeded, so the same seed fails the same requests', async () => {
    const fault = {
      route: '/api/echo',
      rate: 0.3,
      seed: 42,
      kinds: [{ errcode: 40001 }, { errcode: 45009 }, { status: 502 }],
    }
    await post('/_sim/faults', fault)
    const first = await run(200)
    const failed = first.filter((x) => x !== 'errcode:0')
    expect(failed.length).toBeGreaterThan(30)
    expect(failed.length).toBeLessThan(90)
    expect(sim.handled).toBe(200 - failed.length)
    // round-robin through the kinds
    expect(failed.slice(0, 6)).toEqual([
      'errcode:40001',
      'errcode:45009',
      'status:502',
      'errcode:40001',
      'errcode:45009',
      'status:502',
    ])
    const hits = (await faultView()).hits['/api/echo']!
    expect(Object.values(hits).reduce((a, b) => a + b, 0)).toBe(failed.length)
    expect(Math.max(...Object.values(hits)) - Math.min(...Object.values(hits))).toBeLessThanOrEqual(1)

    await post('/_sim/faults/clear')
    expect(await faultView()).toEqual({ faults: [], hits: {} })
    await post('/_sim/faults', fault)
    expect(await run(200)).toEqual(first)
  })

  it('random pick and a cap on the number of faults', async () => {
    await post('/_sim/faults', {
      route: '/api/echo',
      rate: 1,
      times: 5,
      pick: 'random',
      seed: 7,
      kinds: [{ errcode: 1 }, { errcode: 2 }],
    })
    const out = await run(8)
    expect(out.slice(5)).toEqual(['errcode:0', 'errcode:0', 'errcode:0'])
    expect(out.slice(0, 5).every((x) => x === 'errcode:1' || x === 'errcode:2')).toBe(true)
    await post('/_sim/faults/clear')
    await post('/_sim/faults', {
      route: '/api/echo',
      rate: 1,
      times: 5,
      pick: 'random',
      seed: 7,
      kinds: [{ errcode: 1 }, { errcode: 2 }],
    })
    expect(await run(5)).toEqual(out.slice(0, 5))
  })

  it('a timeout is never processed: the client gives up, nothing is delivered', async () => {
    await post('/_sim/faults', { route: '/api/echo', timeout: true })
    await expect(
      fetch(`${sim.url}/api/echo`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(150) }),
    ).rejects.toThrow()
    expect(sim.handled).toBe(0)
    expect(sim.requests('/api/echo')).toEqual([expect.objectContaining({ status: 0, fault: 'timeout' })])
    expect((await faultView()).hits).toEqual({ '/api/echo': { timeout: 1 } })
    // the next request goes through
    expect((await post('/api/echo')).json).toMatchObject({ errcode: 0 })
  })

  it('a held request is dropped (socket destroyed) after holdMs', async () => {
    await post('/_sim/faults', {
      route: '/api/echo',
      rate: 1,
      times: 1,
      kinds: [{ timeout: true }],
      holdMs: 20,
    })
    await expect(fetch(`${sim.url}/api/echo`, { method: 'POST', body: '{}' })).rejects.toThrow()
    expect(sim.handled).toBe(0)
  })

  it('close() does not wait for held requests', async () => {
    const other = new EchoSim()
    await other.listen()
    await fetch(`${other.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ route: '/api/echo', timeout: true, times: 3 }),
    })
    const pending = Promise.allSettled(
      [1, 2, 3].map(() => fetch(`${other.url}/api/echo`, { method: 'POST', body: '{}' })),
    )
    while (other.requests('/api/echo').length < 3) await new Promise((r) => setTimeout(r, 5))
    await other.close()
    const settled = await pending
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(other.handled).toBe(0)
  })

  it.each([
    [{}, 'route is required'],
    [{ route: '/api/echo', rate: 0 }, 'rate must be a number in (0, 1]'],
    [{ route: '/api/echo', rate: 1.5, kinds: [{ errcode: 1 }] }, 'rate must be a number in (0, 1]'],
    [{ route: '/api/echo', rate: 0.5, kinds: [] }, 'kinds must be'],
    [{ route: '/api/echo', rate: 0.5, kinds: [{ timeout: false }] }, 'kinds must be'],
    [{ route: '/api/echo', errcode: 'x' }, 'errcode and status must be integers'],
    [{ route: '/api/echo', errcode: 1, times: 0 }, 'times must be a positive integer'],
    [{ route: '/api/echo', errcode: 1, pick: 'first' }, 'pick must be'],
    [{ route: '/api/echo', timeout: true, holdMs: -1 }, 'holdMs must be'],
  ])('refuses %j', async (body, error) => {
    const r = await post('/_sim/faults', body)
    expect(r.status).toBe(400)
    expect((r.json as { error: string }).error).toContain(error)
  })
})

describe('SimClock.follow', () => {
  it('reads and moves the clock it follows', () => {
    const main = new SimClock()
    const other = new SimClock()
    other.follow(main)
    main.set({ now: '2026-01-01T00:00:00Z', freeze: true })
    expect(new Date(other.now()).toISOString()).toBe('2026-01-01T00:00:00.000Z')
    other.set({ advanceMs: 86_400_000 })
    expect(new Date(main.now()).toISOString()).toBe('2026-01-02T00:00:00.000Z')
    expect(() => main.follow(main)).toThrow('itself')
  })
})
