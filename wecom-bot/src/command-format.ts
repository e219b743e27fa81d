// Reply texts of the nurse commands 标签 / 群 / 待发. Pure. Every reply fits a WeCom text message
// (≤2048 bytes, platform.md §4.7): long lists are cut and end with 「…还有 N 项」.
import type {
  BotPatient,
  Community,
  PendingGroupSend,
  ServiceNurseCommunitiesResponse,
  ServicePatientTagResponse,
  ServicePendingSendsResponse,
} from '@careloop/shared'
import type { TagAction } from './command-parse'

export const WECOM_TEXT_MAX_BYTES = 2048
/** Characters of a mass send's content shown in 待发. */
export const PREVIEW_CHARS = 30

const encoder = new TextEncoder()
export const utf8Bytes = (s: string): number => encoder.encode(s).length

/** Cuts `s` to at most `maxBytes` UTF-8 bytes on a character boundary, ending with … when cut. */
export function truncateBytes(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s
  const budget = maxBytes - utf8Bytes('…')
  let out = ''
  let used = 0
  for (const ch of s) {
    const n = utf8Bytes(ch)
    if (used + n > budget) break
    out += ch
    used += n
  }
  return `${out}…`
}

/**
 * `head`, as many `items` as fit, then `foot`, within `maxBytes`. When items are left out a line
 * 「…还有 N 项」 follows the last one shown. The foot is kept whenever it fits with the head.
 */
export function fitList(o: {
  head: readonly string[]
  items: readonly string[]
  foot?: readonly string[]
  maxBytes: number
}): string {
  const foot = o.foot ?? []
  const render = (shown: number): string => {
    const more = o.items.length - shown
    return [...o.head, ...o.items.slice(0, shown), ...(more > 0 ? [`…还有 ${more} 项`] : []), ...foot].join(
      '\n',
    )
  }
  const all = render(o.items.length)
  if (utf8Bytes(all) <= o.maxBytes) return all
  let shown = 0
  while (shown < o.items.length && utf8Bytes(render(shown + 1)) <= o.maxBytes) shown++
  return truncateBytes(render(shown), o.maxBytes)
}

/** The first `max` characters of a text on one line, … when longer. */
export function previewText(text: string, max = PREVIEW_CHARS): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim())
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('')
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/
const DAY_MS = 86_400_000
const QUARTER_HOUR_MS = 900_000

/**
 * A hospital-time instant for a nurse: 今天 18:00, 明天 09:00, 昨天 17:30, 11月24日 09:00 or
 * 2027年1月3日 09:00. `local` is the server's `YYYY-MM-DD HH:mm` of `at` in the hospital's zone; the
 * zone's offset is read from the pair, so "today" is the hospital's today without the bot knowing
 * the zone.
 */
export function formatHospitalTime(at: string, local: string, now: Date): string {
  const m = LOCAL.exec(local)
  if (!m) return local
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number]
  const localMs = Date.UTC(year, month - 1, day, hour, minute)
  const offset = Math.round((localMs - Date.parse(at)) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS
  const today = new Date(now.getTime() + offset)
  const todayMs = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())
  const days = Math.round((Date.UTC(year, month - 1, day) - todayMs) / DAY_MS)
  const hm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`
  if (Number.isNaN(days)) return `${month}月${day}日 ${hm}`
  if (days === 0) return `今天 ${hm}`
  if (days === 1) return `明天 ${hm}`
  if (days === -1) return `昨天 ${hm}`
  if (year === today.getUTCFullYear()) return `${month}月${day}日 ${hm}`
  return `${year}年${month}月${day}日 ${hm}`
}

const GENDER_LABEL = { male: '男', female: '女' } as const

/** 张三（女，1956年生，138****1234） */
export function describePatient(p: BotPatient): string {
  const facts = [
    p.gender ? GENDER_LABEL[p.gender] : null,
    p.birthYear ? `${p.birthYear}年生` : null,
    p.phone,
  ].filter((x): x is string => x !== null)
  const name = p.name ?? '（未填姓名）'
  return facts.length > 0 ? `${name}（${facts.join('，')}）` : name
}

const phoneTail = (p: BotPatient): string | null => /(\d{4})$/.exec(p.phone ?? '')?.[1] ?? null

/** The command that repeats `action` for `patient` (the retry example). */
const commandFor = (action: TagAction, patient: string, tag: string, reason: string | undefined): string =>
  [action === 'tag' ? '标签' : '去标签', patient, tag, reason].filter(Boolean).join(' ')

export function formatTagResult(
  res: ServicePatientTagResponse,
  asked: { action: TagAction; patient: string; tag: string; reason: string | undefined },
  maxBytes = WECOM_TEXT_MAX_BYTES,
): string {
  if (res.outcome === 'done') {
    const who = describePatient(res.patient)
    const tag = `「${res.tag.name}」`
    const reason = asked.reason ? `\n原因：${asked.reason}` : ''
    const text =
      res.action === 'tag'
        ? res.changed
          ? `已给 ${who} 打上${tag}标签。${reason}`
          : `${who} 已有${tag}标签，未重复添加（保留原来的原因）。`
        : res.changed
          ? `已去掉 ${who} 的${tag}标签。${reason}`
          : `${who} 没有${tag}标签，无需去掉。`
    return truncateBytes(text, maxBytes)
  }
  const items = res.candidates.map((p, i) => `${i + 1}. ${describePatient(p)}`)
  const example = res.candidates.map(phoneTail).find((t) => t !== null)
  const foot = [
    '请用手机尾号（4 位）、完整手机号或住院号代替姓名重试，例如：',
    commandFor(asked.action, example ?? '1234', asked.tag, asked.reason),
  ]
  const hidden = res.total - res.candidates.length
  return fitList({
    head: [`「${asked.patient}」匹配到 ${res.total} 位您负责的患者，请说得更具体些：`],
    items: hidden > 0 ? [...items, `（另有 ${hidden} 位未列出）`] : items,
    foot,
    maxBytes,
  })
}

const STATUS_LABEL: Record<Community['status'], string> = {
  active: '',
  archived: '（已归档）',
  dismissed: '（已解散）',
}

export function formatCommunities(
  res: ServiceNurseCommunitiesResponse,
  maxBytes = WECOM_TEXT_MAX_BYTES,
): string {
  if (res.communities.length === 0) {
    return '您目前没有负责的社群。社群由护士长在 CareLoop 控制台「社群」中创建并指定负责护士。'
  }
  const own = res.communities.every((c) => c.ownerNurse.id === res.nurse.id)
  const items = res.communities.map((c, i) => {
    const s = c.stats
    const tag = c.diseaseTag.name ? `（${c.diseaseTag.name}）` : ''
    const owner = c.ownerNurse.id === res.nurse.id ? '' : ` · 负责人 ${c.ownerNurse.name ?? '未知'}`
    const full = s.full ? '（已满）' : ''
    const pending = s.pendingSends > 0 ? ` · 待确认群发 ${s.pendingSends}` : ''
    return (
      `${i + 1}. ${c.name}${tag}${STATUS_LABEL[c.status]}${owner}\n` +
      `   人数 ${s.membersNow}/${s.capacity}${full} · 近7天 入群 ${s.joined7d} 退群 ${s.left7d}${pending}`
    )
  })
  const pendingTotal = res.communities.reduce((n, c) => n + c.stats.pendingSends, 0)
  return fitList({
    head: [`${own ? '您负责的社群' : '社群'}（共 ${res.communities.length} 个）：`],
    items,
    foot: pendingTotal > 0 ? [`有 ${pendingTotal} 条群发待您确认，发送「待发」查看。`] : [],
    maxBytes,
  })
}

export const CONFIRM_HINT = '请在企业微信「客户群发」中确认发送（逾期未确认会通知护士长）。'

export function formatPendingSends(
  res: ServicePendingSendsResponse,
  now: Date,
  maxBytes = WECOM_TEXT_MAX_BYTES,
): string {
  if (res.sends.length === 0) return '目前没有待您确认的群发。'
  const sends = [...res.sends].sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline))
  const overdue = sends.filter((s) => s.overdue).length
  const items = sends.map(
    (s: PendingGroupSend, i) =>
      `${i + 1}. ${s.overdue ? '【已逾期】' : ''}${s.communityName} · 截止 ${formatHospitalTime(s.deadline, s.deadlineLocal, now)}\n` +
      `   「${previewText(s.text)}」`,
  )
  return fitList({
    head: [`待您确认的群发（共 ${sends.length} 条${overdue > 0 ? `，${overdue} 条已逾期` : ''}）：`],
    items,
    foot: [CONFIRM_HINT],
    maxBytes,
  })
}
