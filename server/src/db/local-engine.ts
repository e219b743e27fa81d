// The database engine CareLoop starts by itself when no MONGODB_URI is given (architecture §6):
// a `mongod` found on PATH, else mongo-java-server (fetched from Maven Central with mvn, our launcher
// compiled with javac, all cached under <repoRoot>/.cache/engine). Every input is a parameter: this
// module never reads process.env (config.ts does).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { canConnect, captureTail, forwardLines, freePort, probe, unrefStream } from './child-process'
import { ensureJavaEngine, LAUNCHER_CLASS } from './java-engine-build'

export { ensureJavaEngine } from './java-engine-build'
export type { JavaEngineBuild } from './java-engine-build'

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

const HOST = '127.0.0.1'
const DEFAULT_START_TIMEOUT_MS = 60_000
const JAVA_STOP_GRACE_MS = 5_000
const MONGOD_STOP_GRACE_MS = 10_000

const noop = (): void => undefined
const noopAsync = (): Promise<void> => Promise.resolve()

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
// mongo-java-server (built by java-engine-build.ts)
// ---------------------------------------------------------------------------------------------

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
    const port = await freePort(HOST)
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
        void canConnect(HOST, port).then((ok) => {
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
// supervision
// ---------------------------------------------------------------------------------------------

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
