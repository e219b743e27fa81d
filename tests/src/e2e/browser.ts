import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

export const ARTIFACTS_DIR = resolve(__dirname, '../../../artifacts/e2e')

const executablePath = (): string => {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (p) return p
  throw new Error('chromium not found')
}

export interface Browser {
  newPage(opts?: { mobile?: boolean }): Promise<Page>
  screenshot(page: Page, name: string): Promise<string>
  close(): Promise<void>
}

/**
 * Debian's chromium driven by playwright-core, headless, in a fresh profile (platform.md §6.5).
 * Console errors and failed requests of every page are kept so a test can assert on them.
 */
export const launchBrowser = (): Browser & { errors: string[] } => {
  const profile = mkdtempSync(join(tmpdir(), 'careloop-e2e-'))
  mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const errors: string[] = []
  const contexts: BrowserContext[] = []
  const launch = (mobile: boolean): Promise<BrowserContext> =>
    chromium.launchPersistentContext(mkdtempSync(join(profile, mobile ? 'm-' : 'd-')), {
      executablePath: executablePath(),
      headless: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...(mobile
        ? { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
        : { viewport: { width: 1280, height: 800 } }),
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
  return {
    errors,
    async newPage(opts = {}) {
      const ctx = await launch(opts.mobile ?? false)
      contexts.push(ctx)
      const page = ctx.pages()[0] ?? (await ctx.newPage())
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
          errors.push(`console: ${m.text()}`)
      })
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().includes('/api/')) errors.push(`http ${r.status()}: ${r.url()}`)
      })
      return page
    },
    async screenshot(page, name) {
      const file = join(ARTIFACTS_DIR, `${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      return file
    },
    async close() {
      for (const c of contexts) await c.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/**
 * The platform fonts Chromium actually used to draw the text of the first element matching
 * `selector` (CDP CSS.getPlatformFontsForNode), e.g. [{ familyName: 'Noto Sans CJK SC', glyphCount: 4 }].
 * Chinese renders for real only when a CJK family drew the glyphs (not tofu boxes).
 */
export const renderedFonts = async (
  page: Page,
  selector: string,
): Promise<{ familyName: string; glyphCount: number }[]> => {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('DOM.enable')
    await cdp.send('CSS.enable')
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true })
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector })
    if (!nodeId) throw new Error(`no element matches ${selector}`)
    // Fonts are reported for text nodes: walk down to the element's text children.
    const { node } = await cdp.send('DOM.describeNode', { nodeId, depth: -1, pierce: true })
    const fonts = new Map<string, number>()
    const visit = async (n: typeof node): Promise<void> => {
      if (n.nodeType === 3) {
        const { nodeIds } = await cdp.send('DOM.pushNodesByBackendIdsToFrontend', {
          backendNodeIds: [n.backendNodeId],
        })
        const r = await cdp.send('CSS.getPlatformFontsForNode', { nodeId: nodeIds[0]! })
        for (const f of r.fonts) fonts.set(f.familyName, (fonts.get(f.familyName) ?? 0) + f.glyphCount)
      }
      for (const c of n.children ?? []) await visit(c)
      for (const c of n.shadowRoots ?? []) await visit(c)
    }
    await visit(node)
    return [...fonts].map(([familyName, glyphCount]) => ({ familyName, glyphCount }))
  } finally {
    await cdp.detach()
  }
}

export const isCjkFamily = (name: string): boolean =>
  /CJK|Hei|Song|Kai|WenQuanYi|PingFang|YaHei|Droid Sans Fallback/i.test(name)
