import pino, { type Logger } from 'pino'

export type { Logger }

/** Paths whose values never reach a log line (tokens, secrets, personal data). */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.session_key',
  '*.phone',
  '*.idNumber',
  '*.password',
]

export const createLogger = (level: string, name = 'careloop-server'): Logger =>
  pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' }, base: { name } })
