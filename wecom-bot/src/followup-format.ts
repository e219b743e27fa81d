// Reply texts of the follow-up commands 今日随访 / 完成 / 入组. Pure. Every reply fits a WeCom text
// message (≤2048 bytes): long lists are cut and end with 「…还有 N 项」.
import type {
  ServiceCompleteResponse,
  ServiceEnrolResponse,
  ServiceTodayResponse,
  TodayItem,
} from '@careloop/shared'
import {
  describePatient,
  fitList,
  formatHospitalTime,
  truncateBytes,
  WECOM_TEXT_MAX_BYTES,
} from './command-format'

const TASK_LABEL: Record<string, string> = {
  red_flag: '红旗预警',
  abnormal_reading: '指标异常',
  no_reading: '监测中断',
  missed: '漏访',
  followup: '随访任务',
  manual: '任务',
}
const STEP_LABEL: Record<string, string> = {
  reminder: '提醒',
  questionnaire: '问卷',
  content: '宣教',
}

export const TODAY_EMPTY_TEXT = '今天没有待您处理的随访任务。'
export const COMPLETE_HINT = '回复「完成 序号」标记已处理，例如：完成 1'

const item = (i: TodayItem, now: Date): string => {
  const who = i.patient.name ?? '（未填姓名）'
  const when = formatHospitalTime(i.dueAt, i.dueAtLocal, now)
  if (i.type === 'step')
    return `${i.n}. ${who} · ${STEP_LABEL[i.kind] ?? '随访'}「${i.title}」待患者完成 · ${when}`
  const tag = i.urgent ? '【紧急】' : i.overdue ? '【逾期】' : ''
  const label = TASK_LABEL[i.kind] ?? '任务'
  // alert titles already say what they are (漏访：…); do not say it twice
  const title = i.title.startsWith(label) ? i.title : `${label}：${i.title}`
  return `${i.n}. ${tag}${who} · ${title} · ${when}`
}

/** 今日随访: urgent tasks first, then the other tasks, then the patients' steps due now. */
export function formatToday(res: ServiceTodayResponse, now: Date, maxBytes = WECOM_TEXT_MAX_BYTES): string {
  if (res.items.length === 0) return TODAY_EMPTY_TEXT
  const [, month, day] = res.date.split('-').map(Number)
  const urgent = res.items.filter((i) => i.urgent).length
  const total = res.items.length + res.more
  const head = `今日随访（${month}月${day}日，共 ${total} 项${urgent > 0 ? `，紧急 ${urgent} 项` : ''}）：`
  const foot = [
    ...(res.more > 0 ? [`另有 ${res.more} 项未列出，请在 CareLoop 控制台「任务」中查看。`] : []),
    COMPLETE_HINT,
  ]
  return fitList({ head: [head], items: res.items.map((i) => item(i, now)), foot, maxBytes })
}

export function formatComplete(res: ServiceCompleteResponse, maxBytes = WECOM_TEXT_MAX_BYTES): string {
  const who = res.patient.name ?? '（未填姓名）'
  const text = res.alreadyDone
    ? `「${res.title}」（${who}）已经标记完成，无需重复操作。`
    : `已完成：${who} · ${res.title}。`
  return truncateBytes(text, maxBytes)
}

export const ENROL_USAGE_TEXT = [
  '入组请这样写：',
  '入组 <患者> <方案名> [基准日期]',
  '例如：入组 张三 术后随访 2026-03-05',
  '<患者> 可写姓名、手机尾号（4 位）、完整手机号或住院号；基准日期是手术、出院或首诊的日期，省略时用患者已登记的日期。',
].join('\n')

export function formatEnrol(
  res: ServiceEnrolResponse,
  asked: { patient: string; plan: string; anchorDate: string | undefined },
  maxBytes = WECOM_TEXT_MAX_BYTES,
): string {
  if (res.outcome === 'done') {
    const who = describePatient(res.patient)
    if (!res.created)
      return truncateBytes(`${who} 已在随访方案「${res.plan.name}」中，未重复加入。`, maxBytes)
    const next = res.next ? `\n下一步：${res.next.title}，${res.next.dueAtLocal}。` : ''
    return truncateBytes(
      `已为 ${who} 加入随访方案「${res.plan.name}」（基准日 ${res.anchorDate}）。${next}`,
      maxBytes,
    )
  }
  const hidden = res.total - res.candidates.length
  const items = res.candidates.map((c, i) => `${i + 1}. ${c.label}`)
  if (hidden > 0) items.push(`（另有 ${hidden} 项未列出）`)
  const date = asked.anchorDate ? ` ${asked.anchorDate}` : ''
  return res.field === 'patient'
    ? fitList({
        head: [`「${asked.patient}」匹配到 ${res.total} 位您负责的患者，请说得更具体些：`],
        items,
        foot: [
          '请用手机尾号（4 位）、完整手机号或住院号代替姓名重试，例如：',
          `入组 1234 ${asked.plan}${date}`,
        ],
        maxBytes,
      })
    : fitList({
        head: [`「${asked.plan}」匹配到 ${res.total} 个随访方案，请写完整的方案名：`],
        items,
        foot: [],
        maxBytes,
      })
}
