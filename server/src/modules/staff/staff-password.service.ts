import { randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

/**
 * Staff password hashing: argon2id through @node-rs/argon2 with its defaults (m = 19 MiB, t = 2,
 * p = 1: OWASP's recommended argon2id profile). The PHC string carries its parameters, so raising
 * them later keeps old hashes verifiable.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  /** False for a wrong password or a malformed hash (never throws on bad input). */
  verify(passwordHash: string, password: string): Promise<boolean>
  /**
   * Spends the same work as a real verification against a throw-away hash, so a login for an
   * unknown or inactive username takes as long as one with a wrong password.
   */
  burn(password: string): Promise<void>
}

export const createPasswordHasher = (): PasswordHasher => {
  let dummy: Promise<string> | undefined
  const check = async (passwordHash: string, password: string): Promise<boolean> => {
    try {
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  }
  return {
    hash: (password) => hash(password),
    verify: check,
    async burn(password) {
      dummy ??= hash(randomBytes(24).toString('base64'))
      await check(await dummy, password)
    },
  }
}
