import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  Community,
  CommunityDetail,
  TagGroupsResponse,
  type ConsentsResponse,
  type MeResponse,
} from '@careloop/shared'
import type { Page } from 'playwright-core'
import { DEFAULT_H5_DIR } from '../../server/src/app'
import { loadBotConfig } from '../../wecom-bot/src/config'
import { startBot, type RunningBot } from '../../wecom-bot/src/main'
import { launchBrowser } from '../src/e2e/browser'
import { accessToken, click, eventually, settledShot, shown } from '../src/e2e/h5'
import { createSimGroup } from '../src/harness/community-fixture'
import { useStaffHarness } from '../src/harness/server-harness'
import { SIM_WECOM } from '../src/sim/wecom/wecom-sim'

/**
 * Issue 3 tried as a new patient would, in the h5 mini-program against the real server and the
 * WeChat simulator: accept the privacy policy, give a name, bind a phone, enter her ID number (shown
 * masked, exported in full), add a parent (with proxy consent and her ID number), switch to her,
 * consent for her, see 首页 greet her, export her data, withdraw marketing. Issue 4 (F11): a patient
 * tagged 糖尿病 opens 病友社群, sees the matching community, shows its join QR and joins by a
 * simulated scan (WeCom simulator → real bot → server), then sees 已加入.
 * Screenshots land in artifacts/e2e/patient-*.png.
 */
jest.setTimeout(120_000)

const SERVICE_TOKEN = randomBytes(24).toString('base64url')
/** The bot's callback credentials (any valid pair: the simulator encrypts with what it is given). */
const CALLBACK = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
}
const h = useStaffHarness({ env: { SERVICE_TOKEN } })
let browser: ReturnType<typeof launchBrowser>

beforeAll(() => {
  if (!existsSync(`${DEFAULT_H5_DIR}/index.html`))
    throw new Error(`${DEFAULT_H5_DIR} is not built; run npm run build:miniapp (npm test does)`)
  browser = launchBrowser()
})
afterAll(() => browser?.close())

const user = `e2e-patient-${Date.now().toString(36)}`

/** Valid GB 11643 sample numbers: the patient's own, and her mother's. */
const OWN_ID = '11010519491231002X'
const OWN_ID_MASKED = '1101**********002X'
const MOTHER_ID = '110101195601010029'

const shot = (page: Page, name: string) => settledShot(browser, page, name)

describe('patient h5: identity, family proxy, consent and my data', () => {
  it('a new patient goes from the privacy policy to managing and consenting for a parent', async () => {
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)

    // login as a fresh simulated WeChat user
    await shown(page, '.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(user)
    await click(page, '.login-button')

    // first launch: the policy, nothing patient-scoped before consent
    await shown(page, '.consent-accept').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.policy-title').textContent()).resolves.toContain('隐私政策')
    await shot(page, 'patient-01-consent')
    // 不同意 explains why the service cannot be used; 重新阅读政策 goes back
    await click(page, '.consent-decline')
    await shown(page, '.consent-logout').waitFor({ timeout: 15_000 })
    await shot(page, 'patient-01b-declined')
    await click(page, '.consent-reread')
    await click(page, '.consent-accept')

    // 完善资料
    await shown(page, '.name-input input').fill('李秀英')
    await click(page, '.save-button')
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.greeting').textContent()).resolves.toContain('李秀英，您好')
    await shot(page, 'patient-02-home')

    // 个人资料: bind the phone through the simulated getPhoneNumber (default 13812345678)
    await click(page, '.entry-profile')
    await shown(page, '.sim-phone-input input').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.sim-phone-input input').inputValue()).resolves.toBe('13812345678')
    await click(page, '.bind-phone')
    await eventually(() => shown(page, '.phone-value').textContent(), '138****5678')

    // 身份证号: typed once, then only ever shown masked, with 修改 / 删除
    await shown(page, '.id-number-input input').fill(OWN_ID.toLowerCase())
    await click(page, '.profile-save')
    await eventually(() => shown(page, '.id-number-value').textContent(), OWN_ID_MASKED)
    await expect(shown(page, '.id-number-input input').count()).resolves.toBe(0)
    await shown(page, '.id-number-change').waitFor()
    await shown(page, '.id-number-remove').waitFor()
    await expect(page.locator('body').textContent()).resolves.not.toContain(OWN_ID)
    await shot(page, 'patient-03-profile')
    // saving again without touching it keeps it (the PUT omits idNumber)
    const resaved = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PUT',
    )
    await click(page, '.profile-save')
    const resave = await resaved
    expect(resave.status()).toBe(200)
    expect(resave.request().postDataJSON()).not.toHaveProperty('idNumber')
    await eventually(() => shown(page, '.id-number-value').textContent(), OWN_ID_MASKED)
    await page.goBack()

    // 我的数据: her own export carries the full number
    await click(page, '.entry-my-data')
    await click(page, '.export-button')
    await eventually(() => shown(page, '.export-id-number').textContent(), OWN_ID)
    const ownExport = JSON.parse((await shown(page, '.export-json').textContent()) ?? '{}') as {
      profile: { name: string; idNumber: string | null }
    }
    expect(ownExport.profile).toMatchObject({ name: '李秀英', idNumber: OWN_ID })
    await shot(page, 'patient-03b-export-own')
    await page.goBack()

    // 家庭成员: add a parent with proxy consent
    await click(page, '.entry-family')
    await click(page, '.add-member')
    await shown(page, '.member-name-input input').fill('王桂兰')
    await click(page, '.relation-chips .chip-parent')
    await click(page, '.gender-chips .chip-female')
    await shown(page, '.member-birth-year-input input').fill('1956')
    await shown(page, '.member-id-number-input input').fill(MOTHER_ID)
    await click(page, '.proxy-consent-check')
    await shown(page, '.add-submit').scrollIntoViewIfNeeded()
    await shot(page, 'patient-04a-add-member')
    await click(page, '.add-submit')
    await eventually(() => page.locator('.member-card').locator('visible=true').count(), 2)
    await expect(shown(page, '.member-card:not(.is-active)').textContent()).resolves.toContain('父母')
    await shot(page, 'patient-04-family')

    // switch to her: she has not consented yet, so the policy comes first, as a proxy consent
    await click(page, '.member-card:not(.is-active) .member-activate')
    await shown(page, '.proxy-banner').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.proxy-banner').textContent()).resolves.toContain('王桂兰')
    await click(page, '.consent-opt-marketing')
    await shot(page, 'patient-05-proxy-consent')
    await click(page, '.consent-accept')

    // 首页 greets the parent, with the switcher
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.greeting').textContent()).resolves.toContain('王桂兰，您好')
    await expect(shown(page, '.active-profile').textContent()).resolves.toContain('父母')
    await shot(page, 'patient-06-home-parent')

    // 我的数据: the export is the parent's profile
    await click(page, '.entry-my-data')
    await click(page, '.export-button')
    await shown(page, '.export-json').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.export-summary').textContent()).resolves.toContain('王桂兰（父母）')
    await expect(shown(page, '.export-id-number').textContent()).resolves.toBe(MOTHER_ID)
    const exported = JSON.parse((await shown(page, '.export-json').textContent()) ?? '{}') as {
      profile: { name: string; relation: string; birthYear: number; idNumber: string | null }
    }
    expect(exported.profile).toMatchObject({
      name: '王桂兰',
      relation: 'parent',
      birthYear: 1956,
      idNumber: MOTHER_ID,
    })
    await shot(page, 'patient-07-export')
    await page.goBack()

    // 设置: withdraw marketing for her
    await click(page, '.entry-settings')
    await shown(page, '.toggle-marketing.is-on').waitFor({ timeout: 15_000 })
    await click(page, '.toggle-marketing')
    await shown(page, '.toggle-marketing:not(.is-on)').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.history-row').textContent()).resolves.toContain('撤回')
    await shot(page, 'patient-08-settings')

    // the full policy, from the 设置 link (subpackage page)
    await click(page, '.policy-link')
    await shown(page, '.policy-purpose').waitFor({ timeout: 15_000 })
    await shot(page, 'patient-09-policy')
    await page.goBack()

    // the server agrees: the active profile is the parent; marketing withdrawn, care kept, by proxy
    const token = await accessToken(page)
    const me = (await h.request('GET', '/api/v1/me', { token })).body as MeResponse
    expect(me.patient).toMatchObject({ name: '王桂兰', relation: 'parent', idNumber: '1101**********0029' })
    expect(me.profiles.find((p) => p.relation === 'self')?.idNumber).toBe(OWN_ID_MASKED)
    expect(me.account.phone).toBe('138****5678')
    expect(me.profiles).toHaveLength(2)
    const consents = (await h.request('GET', '/api/v1/me/consents', { token })).body as ConsentsResponse
    expect(consents.current.care?.granted).toBe(true)
    expect(consents.current.marketing?.granted).toBe(false)
    expect(consents.history.map((e) => [e.purpose, e.granted, e.by])).toEqual(
      expect.arrayContaining([
        ['care', true, 'proxy'],
        ['marketing', true, 'proxy'],
        ['marketing', false, 'proxy'],
      ]),
    )
  })

  it('a patient erases her account after a double confirmation and lands on login with a message', async () => {
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await shown(page, '.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(`${user}-erase`)
    await click(page, '.login-button')
    await click(page, '.consent-accept')
    await shown(page, '.name-input input').fill('赵敏')
    await click(page, '.save-button')
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    const token = await accessToken(page)

    await click(page, '.entry-my-data')
    await click(page, '.erase-ack')
    await shot(page, 'patient-10-erase')
    await click(page, '.erase-account')
    // Taro h5 draws wx.showModal as .taro__modal
    await click(page, '.taro-model__confirm')

    await shown(page, '.login-notice').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.login-notice').textContent()).resolves.toContain('账号已注销')
    await shot(page, 'patient-11-erased')
    // the old session no longer works
    expect((await h.request('GET', '/api/v1/me', { token })).status).toBe(401)
  })
})

describe('patient h5: disease communities (F11)', () => {
  let bot: RunningBot | undefined
  beforeAll(async () => {
    // WeCom delivers the group's join event to the real bot, which forwards it to the server.
    bot = await startBot(
      loadBotConfig({
        WECOM_TOKEN: CALLBACK.token,
        WECOM_ENCODING_AES_KEY: CALLBACK.encodingAesKey,
        WECOM_CORP_ID: SIM_WECOM.corpId,
        BOT_PORT: '0',
        LOG_LEVEL: 'silent',
        SERVER_BASE_URL: h.url,
        SERVICE_TOKEN,
      }),
    )
    await wecomHook('events/target', {
      url: `${bot.url}/wecom/callback`,
      ...CALLBACK,
      corpId: SIM_WECOM.corpId,
    })
    await wecomHook('seed', { members: [{ userid: 'LiNa', name: '李娜' }] })
    await h.seedStaff()
  })
  afterAll(async () => {
    await bot?.close()
  })

  const wecomHook = async (name: string, body: unknown): Promise<void> => {
    const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, { method: 'POST', body: JSON.stringify(body) })
    if (r.status !== 200) throw new Error(`sim ${name}: ${r.status} ${await r.text()}`)
  }

  /** A staff call that must answer `status`. */
  const staff = async (token: string, method: string, path: string, body?: unknown, status = 200) => {
    const r = await h.request(method, path, { token, body })
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  it('a patient tagged 糖尿病 sees the matching community, shows its QR and joins it', async () => {
    const admin = (await h.staffLogin('admin')).accessToken
    const nurseLiId = (await h.staffLogin('nurse.li')).staff.id
    const groups = TagGroupsResponse.parse(
      await staff(admin, 'POST', '/api/v1/staff/tag-groups', { name: '病种', kind: 'disease' }, 201),
    )
    const groupId = groups.groups.find((g) => g.name === '病种')!.id
    const withTag = TagGroupsResponse.parse(
      await staff(admin, 'POST', `/api/v1/staff/tag-groups/${groupId}/tags`, { name: '糖尿病' }, 201),
    )
    const diabetes = withTag.groups.flatMap((g) => g.tags).find((t) => t.name === '糖尿病')!.id

    // a new patient, tagged 糖尿病 by staff
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await shown(page, '.login-button').waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(`${user}-community`)
    await click(page, '.login-button')
    await click(page, '.consent-accept')
    await shown(page, '.name-input input').fill('陈建国')
    await click(page, '.save-button')
    await shown(page, '.greeting').waitFor({ timeout: 15_000 })
    const me = (await h.request('GET', '/api/v1/me', { token: await accessToken(page) })).body as MeResponse
    await staff(admin, 'POST', `/api/v1/staff/patients/${me.patient.id}/tags`, {
      tagId: diabetes,
      reason: '门诊确诊 2 型糖尿病',
    })
    await shot(page, 'patient-20-home-community-entry')

    // no community yet: the empty state
    await click(page, '.entry-communities')
    await shown(page, '.communities-empty').waitFor({ timeout: 15_000 })
    await shot(page, 'patient-21-communities-empty')
    await page.goBack()

    // nurse 李娜's WeCom group becomes the 糖尿病 community
    const chatId = await createSimGroup(h, 'LiNa', '糖尿病病友交流群')
    const community = Community.parse(
      await staff(
        admin,
        'POST',
        '/api/v1/staff/communities',
        {
          name: '糖尿病病友交流群',
          description: '控糖经验交流，李娜护士每周答疑',
          diseaseTagId: diabetes,
          ownerNurseId: nurseLiId,
          chatId,
        },
        201,
      ),
    )

    await click(page, '.entry-communities')
    const card = shown(page, '.community-card')
    await card.waitFor({ timeout: 15_000 })
    await expect(card.locator('.community-name').textContent()).resolves.toBe('糖尿病病友交流群')
    await expect(card.locator('.community-tag').textContent()).resolves.toBe('糖尿病')
    await expect(card.locator('.community-members').textContent()).resolves.toBe('1/200 人')
    await expect(card.locator('.community-reason').textContent()).resolves.toBe(
      '与您的健康标签「糖尿病」匹配',
    )
    await expect(card.locator('.community-joined').count()).resolves.toBe(0)
    await shot(page, 'patient-22-communities')

    // 加入: the personal join QR, a real PNG from the WeCom simulator
    await click(page, '.community-join')
    const qr = shown(page, '.join-qr-image img')
    await qr.waitFor({ timeout: 15_000 })
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll<HTMLImageElement>('.join-qr-image img')).some(
          (i) => i.complete && i.naturalWidth > 0,
        ),
      undefined,
      { timeout: 15_000 },
    )
    expect(await qr.getAttribute('src')).toMatch(/\/_sim\/wecom\/qr\.png\?config_id=/)
    await expect(shown(page, '.join-qr-card').textContent()).resolves.toContain('扫一扫')
    await shot(page, 'patient-23-join-qr')

    // not joined yet: 刷新 says so
    await click(page, '.join-refresh')
    await shown(page, '.join-notice').waitFor({ timeout: 15_000 })
    await shown(page, '.sim-scan-join').scrollIntoViewIfNeeded()
    await shot(page, 'patient-23b-join-not-yet-sim')

    // the dev button scans it as this browser's WeChat user; WeCom → bot → server; 已加入
    await click(page, '.sim-scan-join')
    await shown(page, '.join-done').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.join-joined-badge').textContent()).resolves.toBe('已加入')
    await shot(page, 'patient-24-joined')

    await click(page, '.join-back')
    await shown(page, '.community-card .community-joined').waitFor({ timeout: 15_000 })
    await expect(shown(page, '.community-card .community-members').textContent()).resolves.toBe('2/200 人')
    await shot(page, 'patient-25-communities-joined')

    // the server linked the member to the patient through the QR's ticket
    const detail = CommunityDetail.parse(
      await staff(admin, 'GET', `/api/v1/staff/communities/${community.id}`),
    )
    expect(detail.members?.find((m) => m.memberType === 'customer')).toMatchObject({
      patientId: me.patient.id,
      patientName: '陈建国',
      via: 'ticket',
    })
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
