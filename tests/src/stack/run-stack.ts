import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  CommunitiesResponse,
  Community,
  TagGroupsResponse,
  LoginResponse,
  MeResponse,
  PatientListResponse,
  PrivacyPolicy,
  StaffListResponse,
  StaffLoginResponse,
} from '@careloop/shared'
import { resolveEngine, type EngineHandle } from '../../../server/src/db/local-engine'
import { openConnection } from '../../../server/src/db/connection'
import {
  seedDemoStaff,
  DEMO_STAFF,
  DEMO_STAFF_PASSWORD,
} from '../../../server/src/modules/staff/staff-bootstrap.service'
import { systemClock } from '../../../server/src/clock'
import { WechatSim } from '../sim/wechat/wechat-sim'
import { SIM_WECOM, WecomSim } from '../sim/wecom/wecom-sim'
import { PaySim } from '../sim/pay/pay-sim'

/**
 * The local product, as `npm start` runs it: the database engine (MONGODB_URI, else a mongod on
 * PATH, else mongo-java-server with its H2 file backend under .data/), the WeChat simulator, the
 * server process (API + worker, console and h5 served) and the WeCom bot process, then an
 * idempotent demo data set. Child logs go to .data/logs/.
 */

const repoRoot = resolve(__dirname, '../../..')
const env = process.env
const PORT = Number(env.PORT ?? 3000)
const SIM_PORT = Number(env.WECHAT_SIM_PORT ?? 4101)
const WECOM_SIM_PORT = Number(env.WECOM_SIM_PORT ?? 4102)
const WECHATPAY_SIM_PORT = Number(env.WECHATPAY_SIM_PORT ?? 4103)
const BOT_PORT = Number(env.BOT_PORT ?? 3200)
const dataDir = resolve(repoRoot, env.DATA_DIR ?? '.data')
const logDir = join(dataDir, 'logs')

/** Local-only credentials for the simulators. The WeCom values are the official sample vectors (platform.md §3.3). */
const SIM_WECHAT = { appid: 'wxsimappid0000001', secret: 'sim-secret' }
const DEV_WECOM = {
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
}
const DEMO = { user: 'demo', name: '王秀英' }
/** The bot ⇄ server service token: a fresh random one per run. */
const SERVICE_TOKEN = randomBytes(32).toString('base64url')

const children: ChildProcess[] = []
let engine: EngineHandle | undefined
let sim: WechatSim | undefined
let wecomSim: WecomSim | undefined
let paySim: PaySim | undefined
let stopping = false

const startChild = (name: string, script: string, childEnv: Record<string, string>): ChildProcess => {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' })
  const child = spawn(process.execPath, [script], {
    cwd: repoRoot,
    env: { ...env, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.pipe(log)
  child.stderr.on('data', (d: Buffer) => {
    log.write(d)
    process.stderr.write(`[${name}] ${d.toString()}`)
  })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`\n${name} exited (${code ?? signal}); see ${join(logDir, `${name}.log`)}. Stopping.`)
      void stop(1)
    }
  })
  children.push(child)
  return child
}

const waitFor = async (url: string, what: string, timeoutMs = 60_000): Promise<void> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {
      /* not up yet */
    }
    if (Date.now() > until)
      throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000}s`)
    await new Promise((ok) => setTimeout(ok, 300))
  }
}

/**
 * The demo patient, through the real API: log in as the simulator's `demo` user, accept the current
 * privacy policy (care consent) and set the profile once. Running it again changes nothing.
 */
const seedDemo = async (api: string, wechat: WechatSim): Promise<void> => {
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} failed: ${res.status} ${await res.text()}`)
    return res.status === 204 ? null : res.json()
  }
  const login = LoginResponse.parse(
    await call('POST', '/api/v1/auth/wechat/login', { code: wechat.loginCode(DEMO.user).code }),
  )
  if (!login.careConsent) {
    const policy = PrivacyPolicy.parse(await call('GET', '/api/v1/privacy-policy'))
    await call(
      'POST',
      '/api/v1/me/consents',
      { purpose: 'care', granted: true, policyVersion: policy.version },
      login.accessToken,
    )
  }
  if (login.patient.name !== DEMO.name)
    MeResponse.parse(
      await call(
        'PUT',
        '/api/v1/me',
        { name: DEMO.name, gender: 'female', birthYear: 1958 },
        login.accessToken,
      ),
    )
}

/** The demo patient is nurse.li's, so a nurse logging into the console sees her (through the real API). */
const assignDemoPatient = async (api: string): Promise<void> => {
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} failed: ${res.status} ${await res.text()}`)
    return res.json()
  }
  const admin = StaffLoginResponse.parse(
    await call('POST', '/api/v1/staff/auth/login', undefined, {
      username: 'admin',
      password: DEMO_STAFF_PASSWORD,
    }),
  )
  const nurse = StaffListResponse.parse(
    await call('GET', '/api/v1/admin/staff', admin.accessToken),
  ).staff.find((s) => s.username === 'nurse.li')
  const list = PatientListResponse.parse(
    await call('GET', `/api/v1/staff/patients?q=${encodeURIComponent(DEMO.name)}`, admin.accessToken),
  )
  const patient = list.patients.find((p) => p.relation === 'self')
  if (nurse && patient && patient.assignedNurseId !== nurse.id)
    await call('PUT', `/api/v1/staff/patients/${patient.id}/nurse`, admin.accessToken, { nurseId: nurse.id })
}

const simHook = async (base: string, name: string, body: unknown): Promise<unknown> => {
  const res = await fetch(`${base}/_sim/wecom/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`WeCom simulator ${name} failed: ${res.status} ${await res.text()}`)
  return res.json()
}

/** The demo corp's members: the nurses with WeCom accounts (their userids match the demo staff). */
const seedWecom = async (base: string): Promise<void> => {
  await simHook(base, 'seed', {
    members: DEMO_STAFF.filter((s) => s.wecomUserId).map((s) => ({ userid: s.wecomUserId, name: s.name })),
  })
}

/**
 * Demo tags and communities (F6, F10), through the real API: disease tags, the demo patient tagged
 * 高血压, and two communities on WeCom customer groups nurse LiNa created in the simulator. The
 * simulator keeps its state in memory: its groups are created again on every start, in the same order,
 * so they get the same chat ids (members who joined before a restart are gone from WeCom, and the
 * reconciliation job records them as having left).
 */
const seedCommunities = async (api: string, wecomUrl: string): Promise<void> => {
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} failed: ${res.status} ${await res.text()}`)
    return res.json()
  }
  const { accessToken: admin } = StaffLoginResponse.parse(
    await call('POST', '/api/v1/staff/auth/login', undefined, {
      username: 'admin',
      password: DEMO_STAFF_PASSWORD,
    }),
  )
  const tagGroups = async () =>
    TagGroupsResponse.parse(await call('GET', '/api/v1/staff/tag-groups', admin)).groups
  const want = [
    { name: '疾病', kind: 'disease', tags: ['糖尿病', '高血压', '冠心病'] },
    { name: '随访', kind: 'behaviour', tags: ['失访高风险'] },
  ]
  for (const g of want) {
    let group = (await tagGroups()).find((x) => x.name === g.name)
    if (!group) {
      await call('POST', '/api/v1/staff/tag-groups', admin, { name: g.name, kind: g.kind })
      group = (await tagGroups()).find((x) => x.name === g.name)!
    }
    for (const t of g.tags)
      if (!group.tags.some((x) => x.name === t))
        await call('POST', `/api/v1/staff/tag-groups/${group.id}/tags`, admin, { name: t })
  }
  const tagId = new Map((await tagGroups()).flatMap((g) => g.tags.map((t) => [t.name, t.id] as const)))
  const nurse = StaffListResponse.parse(await call('GET', '/api/v1/admin/staff', admin)).staff.find(
    (x) => x.username === 'nurse.li',
  )!
  const demo = PatientListResponse.parse(
    await call('GET', `/api/v1/staff/patients?q=${encodeURIComponent(DEMO.name)}`, admin),
  ).patients.find((p) => p.relation === 'self')
  if (demo)
    await call('POST', `/api/v1/staff/patients/${demo.id}/tags`, admin, {
      tagId: tagId.get('高血压'),
      reason: '门诊诊断（演示数据）',
    })
  const existing = CommunitiesResponse.parse(
    await call('GET', '/api/v1/staff/communities', admin),
  ).communities
  const communities = [
    { name: '糖友互助群', tag: '糖尿病', description: '控糖经验交流，李娜护士每周答疑' },
    { name: '高血压健康管理群', tag: '高血压', description: '血压记录、用药提醒与饮食指导' },
  ]
  for (const c of communities) {
    const chat = (await simHook(wecomUrl, 'groups/create', { owner: 'LiNa', name: c.name })) as {
      chat_id: string
    }
    if (existing.some((x) => x.name === c.name)) continue
    Community.parse(
      await call('POST', '/api/v1/staff/communities', admin, {
        name: c.name,
        description: c.description,
        diseaseTagId: tagId.get(c.tag),
        ownerNurseId: nurse.id,
        chatId: chat.chat_id,
      }),
    )
  }
}

const stop = async (code = 0): Promise<void> => {
  if (stopping) return
  stopping = true
  console.log('\nStopping CareLoop…')
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((ok) => {
          if (c.exitCode !== null || c.signalCode !== null) return ok()
          c.once('exit', () => ok())
          c.kill('SIGTERM')
          setTimeout(() => c.kill('SIGKILL'), 10_000).unref()
        }),
    ),
  )
  await sim?.close()
  await wecomSim?.close()
  await paySim?.close()
  await engine?.stop()
  process.exit(code)
}

const main = async (): Promise<void> => {
  mkdirSync(logDir, { recursive: true })
  engine = await resolveEngine({
    mongodbUri: env.MONGODB_URI,
    backend: 'h2',
    dataDir,
    repoRoot,
    log: (m) => console.log(`  ${m}`),
  })
  const mongodbUri = env.MONGODB_URI ?? `${engine.uri.replace(/\/$/, '')}/careloop`

  sim = new WechatSim(SIM_WECHAT)
  const simUrl = await sim.listen(SIM_PORT)
  // One simulated corp for the server's API calls and the bot's callbacks (the bot checks the corp id).
  wecomSim = new WecomSim({ corpId: DEV_WECOM.WECOM_CORP_ID, secrets: [SIM_WECOM.agentSecret] })
  // One simulated time for the whole stack: advancing either simulator's clock moves both, and the
  // server follows it (server/src/platform/simulator-clock.ts).
  wecomSim.clock.follow(sim.clock)
  const wecomUrl = await wecomSim.listen(WECOM_SIM_PORT)
  // WeChat Pay: a merchant whose keys are made at each start and handed to the server (WECHATPAY_*);
  // notifies go to the server's /api/v1/pay/notify, retries run on the shared clock.
  paySim = new PaySim()
  paySim.clock.follow(sim.clock)
  const payUrl = await paySim.listen(WECHATPAY_SIM_PORT)
  await seedWecom(wecomUrl)

  const api = `http://127.0.0.1:${PORT}`
  startChild('server', 'server/dist/main.js', {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(PORT),
    MONGODB_URI: mongodbUri,
    WECHAT_APPID: SIM_WECHAT.appid,
    WECHAT_SECRET: SIM_WECHAT.secret,
    WECHAT_API_BASE: simUrl,
    WECOM_CORP_ID: DEV_WECOM.WECOM_CORP_ID,
    WECOM_AGENT_SECRET: SIM_WECOM.agentSecret,
    WECOM_API_BASE: wecomUrl,
    ...paySim.env(`http://127.0.0.1:${PORT}/api/v1/pay/notify`),
    SERVICE_TOKEN,
  })
  startChild('wecom-bot', 'wecom-bot/dist/main.js', {
    ...DEV_WECOM,
    BOT_HOST: '127.0.0.1',
    BOT_PORT: String(BOT_PORT),
    SERVER_BASE_URL: api,
    SERVICE_TOKEN,
  })
  await waitFor(`${api}/readyz`, 'the server')
  await waitFor(`http://127.0.0.1:${BOT_PORT}/healthz`, 'the WeCom bot')
  // WeCom delivers customer-contact events and nurses' messages to the bot's callback URL.
  await simHook(wecomUrl, 'events/target', {
    url: `http://127.0.0.1:${BOT_PORT}/wecom/callback`,
    token: DEV_WECOM.WECOM_TOKEN,
    encodingAesKey: DEV_WECOM.WECOM_ENCODING_AES_KEY,
  })
  await seedDemo(api, sim)
  // Demo staff accounts (local only): written once, idempotent.
  const db = await openConnection(mongodbUri)
  const staff = await seedDemoStaff({ db, clock: systemClock })
  await db.close()
  if (staff.created.length) console.log(`  created demo staff: ${staff.created.join(', ')}`)
  await assignDemoPatient(api)
  await seedCommunities(api, wecomUrl)

  // Pad by display width: CJK characters take two terminal columns.
  const width = (t: string): number => [...t].reduce((w, ch) => w + (/[\u2e80-\uffef]/.test(ch) ? 2 : 1), 0)
  const line = (label: string, value: string) =>
    console.log(`  ${label}${' '.repeat(Math.max(1, 28 - width(label)))}${value}`)
  console.log('\n\x1b[32mCareLoop is running\x1b[0m (local simulators; database: ' + engine.kind + ')\n')
  line('患者端小程序 H5:', `${api}/h5/   (模拟微信用户 "${DEMO.user}" = ${DEMO.name})`)
  line('运营控制台 Console:', `${api}/console/`)
  line('API (OpenAPI):', `${api}/api/openapi.json`)
  line(
    'Staff demo logins:',
    `admin · headnurse.wang · nurse.li · marketing.zhao  (password ${DEMO_STAFF_PASSWORD})`,
  )
  line('WeChat simulator:', simUrl)
  line('WeCom simulator:', wecomUrl)
  line('WeChat Pay simulator:', `${payUrl}   (keys: ${payUrl}/_sim/pay/keys)`)
  line('WeCom bot callback:', `http://127.0.0.1:${BOT_PORT}/wecom/callback`)
  line('Logs:', logDir)
  console.log('\nPress Ctrl-C to stop.')
}

for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => void stop(0))
main().catch(async (e: unknown) => {
  console.error(`\nCareLoop failed to start: ${e instanceof Error ? e.message : String(e)}`)
  await stop(1)
})
