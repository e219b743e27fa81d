import { randomInt } from 'node:crypto'
import { REDEMPTION_CODE_ALPHABET, REDEMPTION_CODE_LENGTH } from '@careloop/shared'

/**
 * A fresh redemption code: 10 characters drawn uniformly (crypto RNG) from 31 characters without
 * look-alikes (no 0/O, 1/I/L), about 8·10^14 codes, so guessing one is hopeless and a collision (the
 * unique index refuses it; the caller draws again) is rare. Staff may type it in lower case.
 */
export const newRedemptionCode = (random: (max: number) => number = randomInt): string => {
  let code = ''
  for (let i = 0; i < REDEMPTION_CODE_LENGTH; i++)
    code += REDEMPTION_CODE_ALPHABET[random(REDEMPTION_CODE_ALPHABET.length)]
  return code
}
