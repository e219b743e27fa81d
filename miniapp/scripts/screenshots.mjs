// Screenshots of the h5 build on a phone viewport, through the stand-in API of preview.mjs:
// login → profile setup (new simulated user) → home. Writes PNGs into <repo>/artifacts/miniapp/.
//   node miniapp/scripts/screenshots.mjs
// Needs Debian's chromium (CHROMIUM_PATH to override) and playwright-core (a dependency of tests/).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startPreview } from './preview.mjs'

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../artifacts/miniapp')
fs.mkdirSync(out, { recursive: true })

const preview = await startPreview()
const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-shots-')), {
  executablePath: process.env.CHROMIUM_PATH ?? execFileSync('which', ['chromium']).toString().trim(),
  headless: true,
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage())
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  const shot = async (name) => {
    await page.waitForTimeout(300)
    await page.screenshot({ path: path.join(out, `${name}.png`) })
    console.log(`wrote ${path.join(out, `${name}.png`)}`)
  }

  await page.goto(`${preview.url}#/pages/login/login`)
  await page.locator('.login-button').waitFor()
  await page.getByText('预览医院', { exact: false }).waitFor()
  await shot('1-login')

  await page.locator('.sim-user-input input').fill(`shot-${Date.now()}`)
  await page.locator('.login-button').click()
  await page.locator('.name-input').waitFor()
  await shot('2-profile-setup')

  await page.locator('.save-button').click()
  await page.getByText('请输入您的姓名').waitFor()
  await shot('3-profile-setup-error')

  await page.locator('.name-input input').fill('李华')
  await page.locator('.save-button').click()
  await page.locator('.greeting').waitFor()
  await shot('4-home')

  await page.getByText('退出登录').click()
  await page.locator('.login-button').waitFor()
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
} finally {
  await ctx.close()
  await preview.close()
}
