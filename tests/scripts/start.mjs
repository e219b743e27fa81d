#!/usr/bin/env node
// `npm start`: installs what is missing, builds, then runs the whole product locally — database
// engine, WeChat simulator, server (API + worker, console and h5 served), WeCom bot — seeds a small
// demo data set and prints the URLs to open. Ctrl-C stops everything.
import { spawn } from 'node:child_process'
import { ensureBuilt, ensureInstalled, repoRoot, step } from './lib.mjs'

try {
  ensureInstalled()
  ensureBuilt()
} catch (e) {
  console.error(`\n${e.message}`)
  process.exit(e.exitCode ?? 1)
}
step('Starting CareLoop')
const child = spawn('npx', ['tsx', 'tests/src/stack/run-stack.ts'], { cwd: repoRoot, stdio: 'inherit' })
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
