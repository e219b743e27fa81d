import type { BlockedClaimDetails } from '@careloop/shared'
import { htmlText } from './html-sanitize'

/**
 * Finding blocked medical claims (治愈率, 根治, 保证疗效 …) however they are typed: full-width and
 * half-width forms are the same (NFKC: "１００％" = "100%"), case is ignored, and whitespace,
 * zero-width characters and decorative separators between the characters do not hide a phrase
 * ("根 治", "根\u3000治", "根·治", "保证-疗效").
 */

/** Characters skipped when comparing: whitespace, zero-width characters and separators. */
const IGNORED = /[\s\u200b-\u200d\u2060\ufeff·・•*_~\-—–|/\\]/u

/** The normalised text and, for each of its characters, the index of the character it came from. */
export const normalise = (s: string): { text: string; from: number[] } => {
  let text = ''
  const from: number[] = []
  let i = 0
  for (const ch of s) {
    for (const c of ch.normalize('NFKC').toLowerCase())
      if (!IGNORED.test(c)) {
        text += c
        from.push(i)
      }
    i += ch.length
  }
  return { text, from }
}

export interface ClaimFields {
  title: string
  summary: string
  bodyHtml: string
}

/** The first blocked phrase in title, summary or body (in that order), or undefined. */
export const findBlockedClaim = (
  fields: ClaimFields,
  phrases: readonly string[],
): BlockedClaimDetails | undefined => {
  const needles = phrases.map((phrase) => ({ phrase, text: normalise(phrase).text })).filter((n) => n.text)
  const texts: [BlockedClaimDetails['field'], string][] = [
    ['title', fields.title],
    ['summary', fields.summary],
    ['bodyHtml', htmlText(fields.bodyHtml)],
  ]
  for (const [field, raw] of texts) {
    const n = normalise(raw)
    let best: BlockedClaimDetails | undefined
    for (const needle of needles) {
      const at = n.text.indexOf(needle.text)
      if (at < 0) continue
      const index = n.from[at]!
      if (best && best.index <= index) continue
      const end = n.from[at + needle.text.length - 1]!
      const last = raw.codePointAt(end)! > 0xffff ? 2 : 1
      best = { phrase: needle.phrase, field, index, match: raw.slice(index, end + last) }
    }
    if (best) return best
  }
  return undefined
}
