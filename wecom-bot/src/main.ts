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
import { createServerClient } from './server-client'
import type { BotConfig } from './config'
import { loadBotConfigOrExit } from './config'

export interface StartBotOptions {
  logger?: Logger
  handler?: MessageHandler
  clock?: Clock
  appOptions?: BotAppOptions
}

export interface RunningBot {
  /** e.g. http://127.0.0.1:3200 (the real port when BOT_PORT is 0). */
  url: string
  close(): Promise<void>
}

export function createBotLogger(config: Pick<BotConfig, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'wecom-bot' } })
}

/** Starts the bot in-process on config.host:config.port. */
export async function startBot(config: BotConfig, options: StartBotOptions = {}): Promise<RunningBot> {
  const logger = options.logger ?? createBotLogger(config)
  const app = createBotApp({
    config,
    logger,
    clock: options.clock,
    handler:
      options.handler ??
      (config.serviceToken
        ? createNurseHandler(
            createServerClient({ baseUrl: config.serverBaseUrl, serviceToken: config.serviceToken }),
            logger,
          )
        : nurseMessageHandler),
    options: options.appOptions,
  })
  const handle = app.callback()
  // Koa's handler settles its own errors (the app's error middleware and 'error' listener).
  const server = createServer((req, res) => {
    void handle(req, res)
  })
  server.requestTimeout = 30_000
  server.headersTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeIdleConnections()
      })
      return closing
    },
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
