// Small child-process and socket helpers used to build and run the local database engine.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { createInterface } from 'node:readline'

const OUTPUT_TAIL_CHARS = 8_000

export interface RunResult {
  code: number | null
  output: string
}

/** Runs a command to completion, capturing stdout and stderr together. Rejects if it cannot start. */
export function run(cmd: string, args: string[]): Promise<RunResult> {
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

export async function runChecked(cmd: string, args: string[]): Promise<string> {
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
export async function probe(cmd: string, args: string[]): Promise<string | null> {
  try {
    return (await run(cmd, args)).output
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EACCES') return null
    throw err
  }
}

/** Keeps the last few KB of a child's stderr (and stdout for mongod) for error messages. */
export function captureTail(child: ChildProcess, includeStdout: boolean): { text: () => string } {
  let tail = ''
  const add = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS)
  }
  child.stderr?.on('data', add)
  if (includeStdout) child.stdout?.on('data', add)
  return { text: () => (tail.trim() === '' ? '' : `:\n${tail.trim()}`) }
}

export function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  createInterface({ input: stream }).on('line', (line) => {
    if (line.trim() !== '') onLine(line)
  })
}

export function unrefStream(stream: unknown): void {
  const s = stream as { unref?: () => void } | null
  if (s !== null && typeof s.unref === 'function') s.unref()
}

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('engine: no free port'))))
    })
  })
}

export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
