import { existsSync } from 'node:fs'
import type { ConsentsResponse, MeResponse } from '@careloop/shared'
import type { Locator, Page } from 'playwright-core'
import { DEFAULT_H5_DIR } from '../../server/src/app'
import { launchBrowser } from '../src/e2e/browser'
import { useServerHarness } from '../src/harness/server-harness'

/**
 * Issue 3 tried as a new patient would, in the h5 mini-program against the real server and the
 * WeChat simulator: accept the privacy policy, give a name, bind a phone, enter her ID number (shown
 * masked, exported in full), add a parent (with proxy consent and her ID number), switch to her,
 * consent for her, see 首页 greet her, export her data, withdraw marketing.
 * Screenshots land in artifacts/e2e/patient-*.png.
 */
jest.setTimeout(120_000)

const h = useServerHarness()
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

/**
 * The visible element for a selector. Taro h5 keeps the pages under the current one in the DOM
 * (hidden) after navigateTo, so a bare selector can match a page the patient cannot see.
 */
const shown = (page: Page, selector: string): Locator =>
  page.locator(selector).locator('visible=true').first()

const click = async (page: Page, selector: string) => {
  const l = shown(page, selector)
  await l.waitFor({ timeout: 15_000 })
  await l.click()
}

/** Polls until `read` answers `expected` (15 s), then asserts it. */
const eventually = async <T>(read: () => Promise<T>, expected: T): Promise<void> => {
  const until = Date.now() + 15_000
  let value = await read()
  while (value !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    value = await read()
  }
  expect(value).toBe(expected)
}

/** A screenshot once toasts have gone and transitions (0.2 s) have finished. */
const shot = async (page: Page, name: string) => {
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll<HTMLElement>('.taro__toast')).every(
        (t) => t.style.display === 'none',
      ),
    undefined,
    { timeout: 5_000 },
  )
  await page.waitForTimeout(300)
  await browser.screenshot(page, name)
}

/** The session's access token as the h5 build stores it (Taro wraps values as {"data": …}). */
const accessToken = async (page: Page): Promise<string> => {
  const raw = await page.evaluate(() => localStorage.getItem('careloop.accessToken'))
  return (JSON.parse(raw ?? '{}') as { data: string }).data
}

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

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
