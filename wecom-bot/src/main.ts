// Entry point: `node wecom-bot/dist/main.js` or `npx tsx wecom-bot/src/main.ts`.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { createBotApp } from './app'
import type { BotAppOptions } from './app'
import type { MessageHandler } from './callback.routes'
import type { Clock } from './clock'
import { createNurseHandler, nurseMessageHandler } from './commands'
import { createEventForwarder, withEventForwarding, type EventForwarderDeps } from './event-forwarder'
import { createServerClient } from './server-client'
import type { BotConfig } from './config'
import { loadBotConfigOrExit } from './config'

export interface StartBotOptions {
  logger?: Logger
  handler?: MessageHandler
  clock?: Clock
  appOptions?: BotAppOptions
  /** Retry policy of event forwarding (tests shorten the delays). */
  forwarding?: Pick<EventForwarderDeps, 'retries' | 'retryDelayMs'>
}

export interface RunningBot {
  /** e.g. http://127.0.0.1:3200 (the real port when BOT_PORT is 0). */
  url: string
  /** Stops listening, then waits for events still being forwarded to the server. */
  close(): Promise<void>
  /** Resolves when every event forward started so far has finished. */
  idle(): Promise<void>
}

export function createBotLogger(config: Pick<BotConfig, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'wecom-bot' } })
}

/** Starts the bot in-process on config.host:config.port. */
export async function startBot(config: BotConfig, options: StartBotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createBotLogger(config)
  const server = config.serviceToken
    ? createServerClient({ baseUrl: config.serverBaseUrl, serviceToken: config.serviceToken })
    : undefined
  // Customer-contact events go to the server in the background (answered at once); text messages
  // are nurse commands.
  const forwarder =
    options.handler || !server
      ? undefined
      : createEventForwarder({ server, log: logger, ...options.forwarding })
  const nurse = server ? createNurseHandler(server, logger, options.clock) : nurseMessageHandler
  const app = createBotApp({
    config,
    logger,
    clock: options.clock,
    handler: options.handler ?? (forwarder ? withEventForwarding(forwarder, nurse) : nurse),
    options: options.appOptions,
  })
  if (!server)
    logger.warn('SERVICE_TOKEN is not set: customer-contact events are not forwarded to the server')
  const handle = app.callback()
  // Koa's handler settles its own errors (the app's error middleware and 'error' listener).
  const http = createServer((req, res) => {
    void handle(req, res)
  })
  http.requestTimeout = 30_000
  http.headersTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => {
      http.off('error', reject)
      resolve()
    })
  })
  const { address, port } = http.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        http.close((err) => (err ? reject(err) : resolve()))
        http.closeIdleConnections()
      }).then(() => forwarder?.idle())
      return closing
    },
    idle: () => forwarder?.idle() ?? Promise.resolve(),
  }
}

async function main(): Promise<void> {
  const config = loadBotConfigOrExit()
  const logger = createBotLogger(config)
  const bot = await startBot(config, { logger })
  logger.info({ url: bot.url, callback: `${bot.url}/wecom/callback` }, 'wecom-bot listening')

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'wecom-bot shutting down')
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting')
      process.exit(1)
    }, 10_000)
    force.unref()
    bot.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while closing the server')
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`wecom-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
