// Helpers shared by the project's run and test scripts. Plain Node (no dependencies), so they work
// on a fresh checkout before `npm install` has run.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export const step = (msg) => console.log(`\n\x1b[36m▶ ${msg}\x1b[0m`)

/** Runs a command in the repo root with inherited stdio; throws on a non-zero exit. */
export const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...opts })
  if (r.status !== 0) {
    const e = new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`)
    e.exitCode = r.status ?? 1
    throw e
  }
}

/** Async variant that resolves with the exit code (for long runs whose output we stream). */
export const runAsync = (cmd, args, opts = {}) =>
  new Promise((ok) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...opts })
    child.on('exit', (code, signal) => ok(code ?? (signal ? 1 : 0)))
  })

const newest = (path) => {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let m = s.mtimeMs
  for (const e of readdirSync(path))
    if (e !== 'node_modules' && e !== 'dist') m = Math.max(m, newest(join(path, e)))
  return m
}

/** True when `output` is missing or older than any of `inputs`. */
export const stale = (output, inputs) => {
  if (!existsSync(output)) return true
  const out = statSync(output).mtimeMs
  return inputs.some((i) => newest(join(repoRoot, i)) > out)
}

/** Installs the npm workspaces when node_modules is missing or older than the lock file. */
export const ensureInstalled = () => {
  const marker = join(repoRoot, 'node_modules/.package-lock.json')
  if (!existsSync(marker)) {
    step('Installing npm packages (npm ci)')
    run('npm', ['ci', '--no-audit', '--no-fund'])
  } else if (statSync(join(repoRoot, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs) {
    step('package-lock.json changed: npm install')
    run('npm', ['install', '--no-audit', '--no-fund'])
  }
}

/** Builds what is out of date: TypeScript projects, the console, the mini-program (weapp + h5). */
export const ensureBuilt = ({ force = false } = {}) => {
  step('Building TypeScript projects (tsc -b)')
  run('npx', ['tsc', '-b'])
  if (
    force ||
    stale(join(repoRoot, 'server/console/dist/index.html'), ['server/console/src', 'shared/src'])
  ) {
    step('Building the staff console')
    run('npm', ['run', 'build:console', '--silent'])
  }
  if (
    force ||
    stale(join(repoRoot, 'miniapp/dist/h5/index.html'), ['miniapp/src', 'miniapp/config', 'shared/src'])
  ) {
    step('Building the mini-program (weapp + h5)')
    run('npm', ['run', 'build:miniapp', '--silent'])
  }
}
