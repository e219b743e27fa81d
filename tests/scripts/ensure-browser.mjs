// Makes sure Debian's chromium and the CJK fonts are installed (the e2e layer needs both).
// Installs them with apt-get when missing; never downloads a browser from anywhere else.
import { execFileSync, spawnSync } from 'node:child_process'

const has = (cmd, args = []) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0
const chromium = () => ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => has('test', ['-x', p]))
const cjkFonts = () => has('sh', ['-c', 'fc-list :lang=zh | grep -q .'])

export const ensureBrowser = () => {
  const missing = []
  if (!chromium()) missing.push('chromium')
  if (!cjkFonts()) missing.push('fonts-noto-cjk')
  if (missing.length === 0) return chromium()
  const root = process.getuid?.() === 0
  const sudo = root ? [] : has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : null
  if (!sudo) {
    throw new Error(
      `Missing ${missing.join(', ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`,
    )
  }
  console.log(`[setup] installing ${missing.join(', ')} from Debian packages…`)
  const run = (args) =>
    execFileSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  run(['apt-get', 'update', '-qq'])
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing])
  const path = chromium()
  if (!path) throw new Error('chromium is still missing after apt-get install')
  return path
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureBrowser())
