// The database engine CareLoop starts by itself when no MONGODB_URI is given (architecture §6):
// a `mongod` found on PATH, else mongo-java-server (fetched from Maven Central with mvn, our launcher
// compiled with javac, all cached under <repoRoot>/.cache/engine). Every input is a parameter: this
// module never reads process.env (config.ts does).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, relative } from 'node:path'
import { createInterface } from 'node:readline'

export type EngineBackend = 'memory' | 'h2'
export type EngineKind = 'external' | 'mongod' | 'mongo-java-server'

export interface ResolveEngineOptions {
  /** A MongoDB connection string; when set it is used as is and nothing is started. */
  mongodbUri?: string
  /** memory: a throwaway instance (tests). h2: data kept on disk under dataDir (`npm start`). */
  backend: EngineBackend
  /** Where persistent data lives (required for the h2 backend); the caller passes a git-ignored folder. */
  dataDir?: string
  /** The monorepo root: holds server/engine (pom.xml, launcher source) and the .cache folder. */
  repoRoot: string
  log?: (msg: string) => void
  /** Try a `mongod` on PATH before mongo-java-server (default true). */
  allowMongod?: boolean
  /** How long to wait for the engine to accept connections (default 60 s). */
  startTimeoutMs?: number
}

export interface EngineHandle {
  uri: string
  kind: EngineKind
  /** Stops the engine if we started it (idempotent); a no-op for an external URI. */
  stop(): Promise<void>
}

export interface JavaEngineBuild {
  /** A java -cp value: the launcher classes and every runtime jar. */
  classpath: string
  /** True when the cache was already up to date. */
  cached: boolean
}

const HOST = '127.0.0.1'
const DEFAULT_START_TIMEOUT_MS = 60_000
const JAVA_STOP_GRACE_MS = 5_000
const MONGOD_STOP_GRACE_MS = 10_000
const LOCK_WAIT_MS = 10 * 60_000
const LOCK_STALE_MS = 15 * 60_000
/** Bump when the cache layout or the build commands change. */
const CACHE_LAYOUT = 'careloop-engine/1'
const LAUNCHER_CLASS = 'careloop.EngineLauncher'
const JAVA_RELEASE = 17
const OUTPUT_TAIL_CHARS = 8_000

const noop = (): void => undefined

export async function resolveEngine(opts: ResolveEngineOptions): Promise<EngineHandle> {
  const log = opts.log ?? noop
  if (opts.mongodbUri !== undefined && opts.mongodbUri !== '') {
    return { uri: opts.mongodbUri, kind: 'external', stop: () => Promise.resolve() }
  }
  if (opts.backend === 'h2' && (opts.dataDir === undefined || opts.dataDir === '')) {
    throw new Error('resolveEngine: the h2 (persistent) backend needs a dataDir')
  }
  const timeoutMs = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
  if (opts.allowMongod !== false && (await probe('mongod', ['--version'])) !== null) {
    return startMongod({ backend: opts.backend, dataDir: opts.dataDir, log, timeoutMs })
  }
  const build = await ensureJavaEngine(opts.repoRoot, log)
  return startJavaEngine({
    classpath: build.classpath,
    backend: opts.backend,
    dataDir: opts.dataDir,
    log,
    timeoutMs,
  })
}

// ---------------------------------------------------------------------------------------------
// mongo-java-server: fetch and compile (cached), then start
// ---------------------------------------------------------------------------------------------

/**
 * Makes sure <repoRoot>/.cache/engine holds the mongo-java-server jars (lib/) and our compiled launcher
 * (classes/) for the current pom.xml and launcher source. Idempotent and fast when cached; safe when
 * several processes call it at once (a lock directory serialises builds, which are staged in a temp
 * directory and renamed into place, with the stamp written last).
 */
export async function ensureJavaEngine(
  repoRoot: string,
  log: (msg: string) => void = noop,
): Promise<JavaEngineBuild> {
  const engineDir = join(repoRoot, 'server', 'engine')
  const cacheDir = join(repoRoot, '.cache', 'engine')
  const libDir = join(cacheDir, 'lib')
  const classesDir = join(cacheDir, 'classes')
  const stampFile = join(cacheDir, 'stamp')
  const classpath = [classesDir, join(libDir, '*')].join(delimiter)

  const { hash, pomFile, sources } = await hashEngineSources(engineDir)
  if (await isBuilt(stampFile, hash, libDir, classesDir)) {
    await ensureJavaToolchain(log, false)
    return { classpath, cached: true }
  }

  await mkdir(cacheDir, { recursive: true })
  const release = await acquireLock(join(cacheDir, '.lock'), log)
  try {
    // Another process may have finished the build while we waited for the lock.
    if (await isBuilt(stampFile, hash, libDir, classesDir)) {
      await ensureJavaToolchain(log, false)
      return { classpath, cached: true }
    }
    await ensureJavaToolchain(log, true)
    const started = Date.now()
    const stage = join(cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
    await mkdir(stage, { recursive: true })
    try {
      const stageLib = join(stage, 'lib')
      const stageClasses = join(stage, 'classes')
      log('engine: fetching mongo-java-server with mvn')
      await runChecked('mvn', [
        '-q',
        '-B',
        '-f',
        pomFile,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${stageLib}`,
        '-DincludeScope=runtime',
      ])
      log('engine: compiling the launcher with javac')
      await runChecked('javac', [
        '--release',
        String(JAVA_RELEASE),
        '-nowarn',
        '-cp',
        join(stageLib, '*'),
        '-d',
        stageClasses,
        ...sources,
      ])
      await rm(stampFile, { force: true })
      await rm(libDir, { recursive: true, force: true })
      await rm(classesDir, { recursive: true, force: true })
      await rename(stageLib, libDir)
      await rename(stageClasses, classesDir)
      const stampTmp = `${stampFile}.${process.pid}.tmp`
      await writeFile(stampTmp, `${hash}\n`)
      await rename(stampTmp, stampFile)
    } finally {
      await rm(stage, { recursive: true, force: true })
    }
    log(`engine: mongo-java-server ready in ${Date.now() - started} ms`)
    return { classpath, cached: false }
  } finally {
    await release()
  }
}

async function hashEngineSources(
  engineDir: string,
): Promise<{ hash: string; pomFile: string; sources: string[] }> {
  const pomFile = join(engineDir, 'pom.xml')
  const sources = (await listFiles(join(engineDir, 'src'))).filter((f) => f.endsWith('.java')).sort()
  if (!existsSync(pomFile) || sources.length === 0) {
    throw new Error(`engine: ${engineDir} must hold pom.xml and the launcher source (src/**/*.java)`)
  }
  const h = createHash('sha256')
  h.update(`${CACHE_LAYOUT}\0release=${JAVA_RELEASE}\0`)
  for (const file of [pomFile, ...sources]) {
    h.update(relative(engineDir, file).split('\\').join('/'))
    h.update('\0')
    h.update(await readFile(file))
    h.update('\0')
  }
  return { hash: h.digest('hex'), pomFile, sources }
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out
}

async function isBuilt(
  stampFile: string,
  hash: string,
  libDir: string,
  classesDir: string,
): Promise<boolean> {
  try {
    const stamp = (await readFile(stampFile, 'utf8')).trim()
    if (stamp !== hash) return false
    const jars = (await readdir(libDir)).filter((f) => f.endsWith('.jar'))
    return jars.length > 0 && existsSync(join(classesDir, ...LAUNCHER_CLASS.split('.')) + '.class')
  } catch {
    return false
  }
}

/** A directory lock: mkdir is atomic. A lock whose owner process is gone (or that is very old) is broken. */
async function acquireLock(lockDir: string, log: (msg: string) => void): Promise<() => Promise<void>> {
  const ownerFile = join(lockDir, 'owner')
  const deadline = Date.now() + LOCK_WAIT_MS
  let announced = false
  for (;;) {
    try {
      await mkdir(lockDir)
      await writeFile(ownerFile, `${process.pid} ${Date.now()}\n`)
      return async () => {
        await rm(lockDir, { recursive: true, force: true })
      }
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err
    }
    if (await isStaleLock(lockDir, ownerFile)) {
      log('engine: breaking a stale build lock')
      await rm(lockDir, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(
        `engine: timed out waiting for the build lock ${lockDir}; remove it if no build is running`,
      )
    }
    if (!announced) {
      log('engine: another process is preparing mongo-java-server; waiting')
      announced = true
    }
    await sleep(250)
  }
}

async function isStaleLock(lockDir: string, ownerFile: string): Promise<boolean> {
  let owner: string
  try {
    owner = await readFile(ownerFile, 'utf8')
  } catch {
    // The owner file is written right after mkdir; give a fresh lock a moment before calling it stale.
    try {
      const s = await stat(lockDir)
      return Date.now() - s.mtimeMs > 10_000
    } catch {
      return false
    }
  }
  const [pidText, sinceText] = owner.trim().split(' ')
  const pid = Number(pidText)
  const since = Number(sinceText)
  if (Number.isFinite(since) && Date.now() - since > LOCK_STALE_MS) return true
  if (!Number.isInteger(pid) || pid <= 0) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return errorCode(err) === 'ESRCH'
  }
}

/**
 * java (17+) must be on PATH, and to build also javac and mvn; as root on Debian the missing ones are
 * installed with apt-get, otherwise the error names what to install.
 */
async function ensureJavaToolchain(log: (msg: string) => void, build: boolean): Promise<void> {
  const missing: string[] = []
  const packages: string[] = []
  const javaVersion = await probe('java', ['-version'])
  if (javaVersion === null || javaMajor(javaVersion) < JAVA_RELEASE) {
    missing.push(javaVersion === null ? 'java' : `java ${JAVA_RELEASE}+ (found ${firstLine(javaVersion)})`)
    packages.push(`openjdk-${JAVA_RELEASE}-jre-headless`)
  }
  if (build && (await probe('javac', ['-version'])) === null) {
    missing.push('javac')
    packages.push(`openjdk-${JAVA_RELEASE}-jdk-headless`)
  }
  if (build && (await probe('mvn', ['-v'])) === null) {
    missing.push('mvn')
    packages.push('maven')
  }
  if (missing.length === 0) return

  const canApt =
    process.getuid?.() === 0 && existsSync('/etc/debian_version') && (await probe('apt-get', ['-v'])) !== null
  const what = build ? `a JDK ${JAVA_RELEASE}+ and Apache Maven` : `a Java ${JAVA_RELEASE}+ runtime`
  const advice =
    `install ${what} (Debian/Ubuntu: apt-get install ${packages.join(' ')}), ` +
    'or put mongod on PATH, or set MONGODB_URI to a running MongoDB'
  if (!canApt) {
    throw new Error(`engine: mongo-java-server needs ${missing.join(', ')} on PATH: ${advice}.`)
  }
  log(`engine: installing ${packages.join(' ')} with apt-get`)
  const install = ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends']
  const first = await run('env', [...install, ...packages])
  if (first.code !== 0) {
    await runChecked('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update'])
    await runChecked('env', [...install, ...packages])
  }
  const javaNow = await probe('java', ['-version'])
  if (javaNow === null || javaMajor(javaNow) < JAVA_RELEASE) {
    throw new Error(
      `engine: after apt-get install, java is ${javaNow === null ? 'still missing' : firstLine(javaNow)}: ${advice}.`,
    )
  }
}

function javaMajor(versionOutput: string): number {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput)
  if (m === null) return 0
  const major = Number(m[1])
  return major === 1 ? Number(m[2] ?? 0) : major
}

interface JavaStartOptions {
  classpath: string
  backend: EngineBackend
  dataDir?: string
  log: (msg: string) => void
  timeoutMs: number
}

async function startJavaEngine(o: JavaStartOptions): Promise<EngineHandle> {
  const args = ['-cp', o.classpath, LAUNCHER_CLASS, '--host', HOST, '--port', '0', '--backend', o.backend]
  if (o.backend === 'h2') {
    const dataDir = o.dataDir ?? ''
    await mkdir(dataDir, { recursive: true })
    args.push('--file', join(dataDir, 'careloop.mv'))
  }
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const stderr = captureTail(child, false)
  const port = await new Promise<number>((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    const timer = setTimeout(() => {
      settle(() =>
        reject(new Error(`engine: mongo-java-server not ready after ${o.timeoutMs} ms${stderr.text()}`)),
      )
      child.kill('SIGKILL')
    }, o.timeoutMs)
    child.once('error', (err) => settle(() => reject(new Error(`engine: cannot start java: ${err.message}`))))
    child.once('exit', (code, signal) =>
      settle(() =>
        reject(
          new Error(
            `engine: mongo-java-server exited (${signal ?? `code ${code}`}) before it was ready${stderr.text()}`,
          ),
        ),
      ),
    )
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const m = /^READY (\S+):(\d+)$/.exec(line.trim())
      if (m !== null) settle(() => resolve(Number(m[2])))
      else o.log(`engine: ${line}`)
    })
  })
  forwardLines(child.stderr, (line) => o.log(`engine: ${line}`))
  const stop = supervise(child, JAVA_STOP_GRACE_MS, noopAsync)
  o.log(`engine: mongo-java-server (${o.backend}) listening on ${HOST}:${port}`)
  return { uri: `mongodb://${HOST}:${port}/`, kind: 'mongo-java-server', stop }
}

// ---------------------------------------------------------------------------------------------
// mongod from PATH
// ---------------------------------------------------------------------------------------------

interface MongodStartOptions {
  backend: EngineBackend
  dataDir?: string
  log: (msg: string) => void
  timeoutMs: number
}

async function startMongod(o: MongodStartOptions): Promise<EngineHandle> {
  const persistent = o.backend === 'h2'
  const dbPath = persistent
    ? join(o.dataDir ?? '', 'mongod')
    : await mkdtemp(join(tmpdir(), 'careloop-mongod-'))
  await mkdir(dbPath, { recursive: true })
  const removeTemp = persistent ? noopAsync : () => rm(dbPath, { recursive: true, force: true })
  try {
    const port = await freePort()
    const args = ['--bind_ip', HOST, '--port', String(port), '--dbpath', dbPath]
    if (!persistent) args.push('--wiredTigerCacheSizeGB', '0.25')
    const child = spawn('mongod', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const output = captureTail(child, true)
    await new Promise<void>((resolve, reject) => {
      let settled = false
      const settle = (fn: () => void): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        fn()
      }
      const timer = setTimeout(() => {
        settle(() => reject(new Error(`engine: mongod not ready after ${o.timeoutMs} ms${output.text()}`)))
        child.kill('SIGKILL')
      }, o.timeoutMs)
      child.once('error', (err) =>
        settle(() => reject(new Error(`engine: cannot start mongod: ${err.message}`))),
      )
      child.once('exit', (code, signal) =>
        settle(() =>
          reject(
            new Error(
              `engine: mongod exited (${signal ?? `code ${code}`}) before it was ready${output.text()}`,
            ),
          ),
        ),
      )
      const poll = (): void => {
        if (settled) return
        void canConnect(port).then((ok) => {
          if (ok) settle(resolve)
          else setTimeout(poll, 100)
        })
      }
      poll()
    })
    const stop = supervise(child, MONGOD_STOP_GRACE_MS, removeTemp)
    o.log(`engine: mongod listening on ${HOST}:${port} (dbpath ${dbPath})`)
    return { uri: `mongodb://${HOST}:${port}/`, kind: 'mongod', stop }
  } catch (err) {
    await removeTemp()
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// process helpers
// ---------------------------------------------------------------------------------------------

const noopAsync = (): Promise<void> => Promise.resolve()

/**
 * Lets the engine not keep this process alive, kills it if this process exits, and returns an
 * idempotent stop(): close stdin (the launcher exits on EOF), SIGTERM, SIGKILL after the grace period.
 */
function supervise(
  child: ChildProcess,
  graceMs: number,
  afterExit: () => Promise<void>,
): () => Promise<void> {
  let exited = child.exitCode !== null || child.signalCode !== null
  const exitedPromise = new Promise<void>((resolve) => {
    if (exited) resolve()
    else
      child.once('exit', () => {
        exited = true
        resolve()
      })
  })
  const onParentExit = (): void => {
    if (!exited) child.kill('SIGTERM')
  }
  process.once('exit', onParentExit)
  for (const stream of [child.stdin, child.stdout, child.stderr]) unrefStream(stream)
  child.unref()

  let stopping: Promise<void> | undefined
  return () => {
    stopping ??= (async () => {
      if (!exited) {
        child.stdin?.end()
        child.kill('SIGTERM')
        let timer: NodeJS.Timeout | undefined
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            if (!exited) child.kill('SIGKILL')
            resolve()
          }, graceMs)
        })
        await Promise.race([exitedPromise, killed])
        clearTimeout(timer)
        await exitedPromise
      }
      process.removeListener('exit', onParentExit)
      await afterExit()
    })()
    return stopping
  }
}

function unrefStream(stream: unknown): void {
  const s = stream as { unref?: () => void } | null
  if (s !== null && typeof s.unref === 'function') s.unref()
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream }).on('line', (line) => {
    if (line.trim() !== '') onLine(line)
  })
}

/** Keeps the last few KB of a child's stderr (and stdout for mongod) for error messages. */
function captureTail(child: ChildProcess, includeStdout: boolean): { text: () => string } {
  let tail = ''
  const add = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
  }
  child.stderr?.on('data', add)
  if (includeStdout) child.stdout?.on('data', add)
  return { text: () => (tail.trim() === '' ? '' : `:\n${tail.trim()}`) }
}

interface RunResult {
  code: number | null
  output: string
}

/** Runs a command to completion, capturing stdout and stderr together. Rejects if it cannot start. */
function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const add = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS * 4)
    }
    child.stdout.on('data', add)
    child.stderr.on('data', add)
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
  })
}

async function runChecked(cmd: string, args: string[]): Promise<string> {
  const result = await run(cmd, args)
  if (result.code !== 0) {
    const shown = args.length > 8 ? [...args.slice(0, 8), '…'] : args
    throw new Error(
      `engine: \`${cmd} ${shown.join(' ')}\` failed (code ${result.code}):\n${result.output.slice(-OUTPUT_TAIL_CHARS)}`,
    )
  }
  return result.output
}

/** The command's output, or null when it is not on PATH. */
async function probe(cmd: string, args: string[]): Promise<string | null> {
  try {
    return (await run(cmd, args)).output
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EACCES') return null
    throw err
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, HOST, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('engine: no free port'))))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
