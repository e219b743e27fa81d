// Parsing a nurse's text into a command. Forgiving: full-width letters, digits, spaces and
// punctuation are folded to their ASCII forms (NFKC), any run of spaces or separators (，、：；) splits
// arguments, and the command word may be glued to its first argument (标签张三 糖尿病).

export type TagAction = 'tag' | 'untag'

export type NurseCommand =
  | { kind: 'help' }
  | { kind: 'groups' }
  | { kind: 'pendingSends' }
  | { kind: 'tag'; action: TagAction; patient: string; tag: string; reason: string | undefined }
  /** A 标签/去标签 command missing its patient or tag: answer with its usage. */
  | { kind: 'tagUsage'; action: TagAction }
  /** 今日随访: today's due and missed items. */
  | { kind: 'today' }
  /** 完成 <n|ref> [备注]: an item of the last 今日随访 list by number, or a task by its 6-hex ref. */
  | { kind: 'complete'; item: string; note: string | undefined }
  | { kind: 'completeUsage' }
  /** 入组 <患者> <方案名> [YYYY-MM-DD] */
  | { kind: 'enrol'; patient: string; plan: string; anchorDate: string | undefined }
  | { kind: 'enrolUsage' }
  | { kind: 'unknown'; text: string }

const HELP_WORDS = new Set(['帮助', 'help', '?', '菜单', '指令'])
const GROUP_WORDS = new Set(['群', '群统计', '我的群', '社群'])
const PENDING_WORDS = new Set(['待发', '待群发', '群发'])
const TODAY_WORDS = new Set(['今日随访', '随访', 'jr', '今天随访', '今日任务', '今天任务'])
const COMPLETE_WORDS = ['完成'] as const
const ENROL_WORDS = ['入组', '加入随访'] as const
/** A list number (1–999) or a task's short ref (the last 6 hex digits of its id). */
const ITEM = /^(\d{1,3}|[0-9a-f]{6})$/i
/** 2026-03-05, 2026/3/5, 2026.3.5 */
const DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/
/** Longest first, so 去标签 is not read as 标签 with the patient 去… */
const TAG_WORDS: readonly [string, TagAction][] = [
  ['取消标签', 'untag'],
  ['删除标签', 'untag'],
  ['去标签', 'untag'],
  ['删标签', 'untag'],
  ['打标签', 'tag'],
  ['加标签', 'tag'],
  ['标签', 'tag'],
]

/** Separators between arguments: whitespace and (full-width folded) comma, 、, colon, semicolon. */
const SEP = /[\s,、:;]+/u
const LEADING_SEP = /^[\s,、:;]+/u
/** A leading dash on the tag name means "remove" (-, －, −, –, —, ——). */
const UNTAG_MARK = /^[-−–—]+/u
/** Trailing sentence punctuation a nurse may add to a one-word command (群。 待发！). */
const TRAILING_PUNCT = /[。.!！?？~～]+$/u

/** NFKC (full-width → ASCII, ideographic space → space), trimmed. */
export const normalize = (text: string): string => text.normalize('NFKC').trim()

/** Splits off the first argument of `rest`; `undefined` when there is none. */
const nextArg = (rest: string): [string, string] | undefined => {
  const s = rest.replace(LEADING_SEP, '')
  if (s === '') return undefined
  const m = SEP.exec(s)
  return m ? [s.slice(0, m.index), s.slice(m.index)] : [s, '']
}

export function parseNurseCommand(text: string): NurseCommand {
  const t = normalize(text)
  const word = t.replace(TRAILING_PUNCT, '').toLowerCase()
  if (t === '' || HELP_WORDS.has(word) || t === '?') return { kind: 'help' }
  if (GROUP_WORDS.has(word)) return { kind: 'groups' }
  if (PENDING_WORDS.has(word)) return { kind: 'pendingSends' }
  if (TODAY_WORDS.has(word)) return { kind: 'today' }
  for (const verb of COMPLETE_WORDS) {
    if (!t.startsWith(verb)) continue
    const first = nextArg(t.slice(verb.length))
    // 完成3 / 完成 3 / 完成 #a1b2c3 / 完成 第3项
    const item = first?.[0].replace(/^[#＃第]+/u, '').replace(/[项个。.!！]+$/u, '')
    if (!first || !item || !ITEM.test(item)) return { kind: 'completeUsage' }
    const note = first[1].replace(LEADING_SEP, '').replace(/\s+/g, ' ').trim()
    return { kind: 'complete', item: item.toLowerCase(), note: note === '' ? undefined : note }
  }
  for (const verb of ENROL_WORDS) {
    if (!t.startsWith(verb)) continue
    const args: string[] = []
    for (let rest = t.slice(verb.length), a = nextArg(rest); a; a = nextArg(rest)) {
      args.push(a[0])
      rest = a[1]
    }
    const last = args.length >= 3 ? localDate(args[args.length - 1]!) : undefined
    const planWords = args.slice(1, last ? -1 : undefined)
    if (args.length < 2 || planWords.length === 0) return { kind: 'enrolUsage' }
    return { kind: 'enrol', patient: args[0]!, plan: planWords.join(' '), anchorDate: last }
  }

  for (const [verb, verbAction] of TAG_WORDS) {
    if (!t.startsWith(verb)) continue
    const first = nextArg(t.slice(verb.length))
    const second = first && nextArg(first[1])
    if (!first || !second) return { kind: 'tagUsage', action: verbAction }
    const [patient] = first
    let [tag, rest] = second
    let action = verbAction
    const mark = UNTAG_MARK.exec(tag)
    if (mark) {
      action = 'untag'
      tag = tag.slice(mark[0].length)
      if (tag === '') {
        // 标签 张三 - 糖尿病: the dash stood alone
        const third = nextArg(rest)
        if (!third) return { kind: 'tagUsage', action: 'untag' }
        ;[tag, rest] = third
      }
    }
    const reason = rest.replace(LEADING_SEP, '').replace(/\s+/g, ' ').trim()
    return { kind: 'tag', action, patient, tag, reason: reason === '' ? undefined : reason }
  }
  return { kind: 'unknown', text: t }
}

/** `YYYY-MM-DD` of a date a nurse typed (2026-3-5, 2026/03/05, 2026.3.5), or undefined. */
export function localDate(text: string): string | undefined {
  const m = DATE.exec(text)
  if (!m) return undefined
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
}
