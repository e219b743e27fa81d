import type { InboxMessage } from '@careloop/shared'

import { PAGES } from '../routes'
import { formatDateTime } from '../utils/date'

/**
 * 消息中心 (F20): the messages the push engine put in the account's inbox. A message may link a page
 * of the mini-program (`pkg-followup/step/index?id=…`, as in the subscribe message); only pages of
 * this app are opened.
 */

const KNOWN_PAGES = new Set<string>(Object.values(PAGES))

/** The navigateTo url of a message's page, or null when it has none (or names no page of ours). */
export function messageUrl(m: Pick<InboxMessage, 'page'>): string | null {
  const raw = m.page?.trim()
  if (!raw) return null
  const url = raw.startsWith('/') ? raw : `/${raw}`
  const path = url.split('?')[0] ?? ''
  return KNOWN_PAGES.has(path) ? url : null
}

/** `今天 09:30`, `昨天 18:02`, otherwise `2026-03-05 09:30` (device time zone). */
export function messageTime(iso: string, now = new Date()): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const full = formatDateTime(iso)
  const time = full.slice(11)
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime()
  const diff = Math.round((day(now) - day(d)) / 86_400_000)
  if (diff === 0) return `今天 ${time}`
  if (diff === 1) return `昨天 ${time}`
  return full
}

/** The badge text of an unread count: none at 0, `99+` above 99. */
export const badgeText = (n: number): string | null => (n <= 0 ? null : n > 99 ? '99+' : String(n))
