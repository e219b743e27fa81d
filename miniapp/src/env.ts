/** Build-time facts, read in one place. */

/** The target this bundle was built for; undefined under jest, which behaves like h5. */
export const targetEnv = process.env.TARO_ENV

/**
 * Origin the API lives on. The h5 build is served by the server itself (at /h5/), so it calls its
 * own origin with relative URLs. The weapp build needs an absolute origin (TARO_APP_API_BASE).
 */
export function apiBase(): string {
  if (process.env.TARO_ENV === 'weapp') return process.env.TARO_APP_API_BASE || 'http://127.0.0.1:3000'
  return ''
}
