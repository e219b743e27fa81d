// Builds mongo-java-server for the local database engine: the jars fetched from Maven Central with mvn
// and our launcher compiled with javac, cached under <repoRoot>/.cache/engine and keyed by a hash of the
// engine sources; a lock directory serialises concurrent builds. Also checks (and, as root on Debian,
// installs) the Java toolchain.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { delimiter, join, relative } from 'node:path'
import { errorCode, firstLine, probe, run, runChecked, sleep } from './child-process'

export interface JavaEngineBuild {
  /** A java -cp value: the launcher classes and every runtime jar. */
  classpath: string
  /** True when the cache was already up to date. */
  cached: boolean
}

/** The launcher's main class, run with the classpath from ensureJavaEngine. */
export const LAUNCHER_CLASS = 'careloop.EngineLauncher'
const LOCK_WAIT_MS = 10 * 60_000
const LOCK_STALE_MS = 15 * 60_000
/** Bump when the cache layout or the build commands change. */
const CACHE_LAYOUT = 'careloop-engine/1'
const JAVA_RELEASE = 17

const noop = (): void => undefined

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
