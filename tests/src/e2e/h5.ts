import type { Locator, Page } from 'playwright-core'
import type { Browser } from './browser'

/**
 * What the h5 (mini-program) e2e files share: finding what the patient can see, waiting for a value,
 * screenshots once the page has settled, the stored session token, and API calls that must succeed.
 */

/** The visible element for a selector (Taro h5 keeps pages under the current one in the DOM, hidden). */
export const shown = (page: Page, selector: string): Locator =>
  page.locator(selector).locator('visible=true').first()

export const click = async (page: Page, selector: string): Promise<void> => {
  const l = shown(page, selector)
  await l.waitFor({ timeout: 15_000 })
  await l.click()
}

/** Polls until `read` answers `expected` (deep equality, 15 s), then asserts it. */
export const eventually = async <T>(read: () => Promise<T>, expected: T): Promise<void> => {
  const until = Date.now() + 15_000
  let value = await read()
  while (JSON.stringify(value) !== JSON.stringify(expected) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100))
    value = await read()
  }
  expect(value).toEqual(expected)
}

/** A screenshot once toasts have gone and transitions (0.2 s) have finished. */
export const settledShot = async (browser: Browser, page: Page, name: string): Promise<void> => {
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
export const accessToken = async (page: Page): Promise<string> => {
  const raw = await page.evaluate(() => localStorage.getItem('careloop.accessToken'))
  return (JSON.parse(raw ?? '{}') as { data: string }).data
}

type Requester = {
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string },
  ): Promise<{ status: number; body: unknown }>
}

/** A call through the harness that must answer `status`; its body. */
export const callExpecting = async (
  h: Requester,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  status = 200,
): Promise<unknown> => {
  const r = await h.request(method, path, { token, body })
  if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
