import { existsSync } from 'node:fs'
import { DEFAULT_CONSOLE_DIR, DEFAULT_H5_DIR } from '../../server/src/app'
import { accountModel } from '../../server/src/modules/accounts/account.model'
import { patientModel } from '../../server/src/modules/patients/patient.model'
import { isCjkFamily, launchBrowser, renderedFonts } from '../src/e2e/browser'
import { useServerHarness } from '../src/harness/server-harness'

/**
 * The walking skeleton in a real browser: the h5 build of the mini-program logs a simulated WeChat
 * user in through the simulator and the real server, and 首页 greets the patient by name; the
 * console shows the product name and live health. Screenshots land in artifacts/e2e/.
 */
const h = useServerHarness()
let browser: ReturnType<typeof launchBrowser>

const requireBuild = (dir: string, cmd: string): void => {
  if (!existsSync(`${dir}/index.html`)) throw new Error(`${dir} is not built; run ${cmd} (npm test does)`)
}

beforeAll(() => {
  browser = launchBrowser()
})
afterAll(() => browser?.close())

const user = `e2e-${Date.now().toString(36)}`

describe('patient h5', () => {
  beforeAll(() => requireBuild(DEFAULT_H5_DIR, 'npm run build:miniapp'))
  it('a new patient logs in with WeChat, accepts the privacy policy, gives a name, and sees 首页 greeting her', async () => {
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await page.locator('.login-button').first().waitFor({ timeout: 30_000 })
    await page.locator('.sim-user-input input').fill(user)
    await browser.screenshot(page, '01-h5-login')
    await page.locator('.login-button').first().click()

    // first launch: the privacy policy comes before anything patient-scoped (issue 3, F3)
    await page.locator('.consent-accept').first().waitFor({ timeout: 15_000 })
    await page.locator('.consent-accept').first().click()

    await page.locator('.name-input input').waitFor({ timeout: 15_000 })
    await page.locator('.name-input input').fill('李秀英')
    await page.locator('.save-button').first().click()

    const greeting = page.locator('.greeting')
    await greeting.waitFor({ timeout: 15_000 })
    await expect(greeting.textContent()).resolves.toContain('李秀英，您好')
    await browser.screenshot(page, '02-h5-home')

    const fonts = await renderedFonts(page, '.greeting')
    expect(
      fonts.filter((f) => isCjkFamily(f.familyName)).reduce((n, f) => n + f.glyphCount, 0),
    ).toBeGreaterThanOrEqual(4)

    // the server really created the account for the simulator's openid, and its own profile with that name
    const account = await accountModel(h.db)
      .findOne({ openid: h.sim.identity(user).openid })
      .lean()
    const stored = await patientModel(h.db).findOne({ accountId: account?._id, relation: 'self' }).lean()
    expect(stored?.name).toBe('李秀英')
  })

  it('a returning patient goes straight to 首页', async () => {
    const page = await browser.newPage({ mobile: true })
    await page.goto(`${h.url}/h5/`)
    await page.locator('.sim-user-input input').fill(user)
    await page.locator('.login-button').first().click()
    await page.locator('.greeting').waitFor({ timeout: 15_000 })
    await expect(page.locator('.greeting').textContent()).resolves.toContain('李秀英，您好')
    expect(await accountModel(h.db).countDocuments({ openid: h.sim.identity(user).openid })).toBe(1)
  })
})

describe('staff console', () => {
  beforeAll(() => requireBuild(DEFAULT_CONSOLE_DIR, 'npm run build:console'))
  it('shows the product name and live server health', async () => {
    const page = await browser.newPage()
    await page.goto(`${h.url}/console/`)
    await page.getByText('CareLoop 私域患者运营平台').waitFor()
    await page.getByText('运行正常').waitFor({ timeout: 15_000 })
    await page.getByText('已连接').waitFor()
    await expect(page.getByText('本地模拟器', { exact: true }).count()).resolves.toBe(1)
    await browser.screenshot(page, '03-console')
    const fonts = await renderedFonts(page, '.brand-name')
    expect(fonts.some((f) => isCjkFamily(f.familyName))).toBe(true)
  })
})

afterAll(() => {
  expect(browser?.errors.filter((e) => !/favicon/.test(e))).toEqual([])
})
