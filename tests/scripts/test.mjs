#!/usr/bin/env node
// `npm test`: installs what is missing (npm packages, Debian chromium + CJK fonts, the local
// database engine), builds, lints and typechecks, then runs every test layer with jest: unit,
// integration (real Koa app on a real engine, simulators over HTTP), mini-program, and e2e in
// headless chromium. Ends with one summary line "N passed, N failed".
import { readFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBrowser } from './ensure-browser.mjs'
import { ensureBuilt, ensureInstalled, repoRoot, run, runAsync, step } from './lib.mjs'

const started = Date.now()
try {
  ensureInstalled()
  step('Checking the browser for e2e tests')
  console.log(ensureBrowser())
  ensureBuilt()
  step('Lint (eslint, type-aware) and format check (prettier)')
  run('npm', ['run', 'lint', '--silent'])
} catch (e) {
  console.error(`\n${e.message}`)
  process.exit(e.exitCode ?? 1)
}

step('Tests: unit, integration, mini-program, e2e')
mkdirSync(join(repoRoot, 'artifacts'), { recursive: true })
const results = join(repoRoot, 'artifacts/jest-results.json')
const extra = process.argv.slice(2)
const code = await runAsync('npx', ['jest', '--ci', '--json', `--outputFile=${results}`, ...extra])
let summary = 'tests: 0 passed, 0 failed'
try {
  const r = JSON.parse(readFileSync(results, 'utf8'))
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`
  if (r.numPendingTests) summary += `, ${r.numPendingTests} skipped`
} catch {
  /* jest did not write results: the exit code speaks */
}
console.log(`\nTook ${Math.round((Date.now() - started) / 1000)} s. Screenshots: artifacts/e2e/`)
console.log(summary)
process.exit(code)
