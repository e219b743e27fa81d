import { ClientConfig } from '@careloop/shared'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'

const h = useStaffHarness()

describe('GET /api/v1/client-config with a local WeCom simulator', () => {
  it('names the WeCom simulator too, for the h5 demo hooks (simulated join by QR)', async () => {
    const r = await h.request('GET', '/api/v1/client-config')
    expect(r.status).toBe(200)
    const cfg = ClientConfig.parse(r.body)
    expect(cfg.mode).toBe('simulated')
    expect(cfg.simulators).toEqual({ wechat: h.sim.url, wecom: h.wecom.url })
  })
})
