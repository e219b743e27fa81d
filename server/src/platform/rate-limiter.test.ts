import {
  WECOM_APP_MEMBER_RULES,
  WECOM_ROBOT_RULES,
  windowStart,
  worstInSpan,
  type RateRule,
} from './rate-limiter'

/** The most the rules together let through in any sliding span (each rule bounds it on its own). */
const worst = (rules: readonly RateRule[], spanMs: number): number =>
  Math.min(...rules.map((r) => worstInSpan(r, spanMs)))

/** Brute force: the most sends a greedy sender gets into some sliding span under one fixed-window rule. */
const simulate = (rule: RateRule, spanMs: number, stepMs: number): number => {
  const sends: number[] = []
  const counts = new Map<number, number>()
  for (let t = 0; t < spanMs * 4; t += stepMs) {
    const w = windowStart(t, rule.windowMs)
    if ((counts.get(w) ?? 0) < rule.max) {
      counts.set(w, (counts.get(w) ?? 0) + 1)
      sends.push(t)
    }
  }
  let best = 0
  for (const s of sends) best = Math.max(best, sends.filter((t) => t >= s && t <= s + spanMs).length)
  return best
}

describe('fixed-window limiter arithmetic', () => {
  it('windowStart floors to the window', () => {
    expect(windowStart(0, 10_000)).toBe(0)
    expect(windowStart(9_999, 10_000)).toBe(0)
    expect(windowStart(10_000, 10_000)).toBe(10_000)
    expect(windowStart(1_234_567, 300_000)).toBe(1_200_000)
  })

  it('a span touches at most ceil(span / window) + 1 windows', () => {
    expect(worstInSpan({ windowMs: 10_000, max: 4 }, 60_000)).toBe(28)
    expect(worstInSpan({ windowMs: 10_000, max: 4 }, 15_000)).toBe(12)
    expect(worstInSpan({ windowMs: 300_000, max: 76 }, 3_600_000)).toBe(988)
  })

  it('the bound is what a greedy sender really achieves (brute force over the worst alignment)', () => {
    expect(simulate({ windowMs: 10_000, max: 4 }, 60_000, 500)).toBeLessThanOrEqual(28)
    expect(simulate({ windowMs: 10_000, max: 4 }, 60_000, 500)).toBeGreaterThanOrEqual(24)
    expect(simulate({ windowMs: 10_000, max: 2 }, 60_000, 250)).toBeLessThanOrEqual(14)
  })

  it('keeps a nurse under WeCom app-message limits: 30 in any minute, 1000 in any hour', () => {
    expect(worst(WECOM_APP_MEMBER_RULES, 60_000)).toBeLessThanOrEqual(30)
    expect(worst(WECOM_APP_MEMBER_RULES, 3_600_000)).toBeLessThanOrEqual(1000)
  })

  it('keeps a group robot under 20 messages in any minute', () => {
    expect(worst(WECOM_ROBOT_RULES, 60_000)).toBeLessThanOrEqual(20)
  })
})
