import type {
  EnrolmentStatus,
  NurseTask,
  PlanAnchor,
  PushStatus,
  QuestionnaireKind,
  QuestionnaireStatus,
  QuestionType,
  ReadingKind,
  RedFlagOp,
  StepKind,
  StepStatus,
} from '@careloop/shared'
import { ApiError, errorText } from './api'

/** Labels and wording of 随访, 问卷, 任务, 健康指标 and 消息推送. */

export const ANCHOR_LABEL: Record<PlanAnchor, string> = {
  surgery: '手术日',
  discharge: '出院日',
  first_visit: '首诊日',
  enrolment: '入组日',
}

export const STEP_KIND_LABEL: Record<StepKind, string> = {
  reminder: '提醒',
  questionnaire: '问卷',
  content: '宣教',
  nurse_task: '护士任务',
}

export const STEP_STATUS_LABEL: Record<StepStatus, string> = {
  scheduled: '未到期',
  due: '待完成',
  done: '已完成',
  missed: '漏访',
  cancelled: '已取消',
}

export const CANCEL_REASON_LABEL: Record<'before_enrolment' | 'stopped' | 'paused', string> = {
  before_enrolment: '入组前已过期',
  stopped: '随访已停止',
  paused: '暂停期间过期',
}

export const ENROLMENT_STATUS_LABEL: Record<EnrolmentStatus, string> = {
  active: '进行中',
  paused: '已暂停',
  stopped: '已停止',
  completed: '已完成',
}

export const ENROL_VIA_LABEL: Record<'console' | 'bot' | 'tag', string> = {
  console: '控制台入组',
  bot: '企业微信入组',
  tag: '标签自动入组',
}

export const HISTORY_ACTION_LABEL: Record<
  'enrolled' | 'paused' | 'resumed' | 'stopped' | 'completed',
  string
> = { enrolled: '入组', paused: '暂停', resumed: '恢复', stopped: '停止', completed: '完成' }

export const QUESTION_TYPE_LABEL: Record<QuestionType, string> = {
  single: '单选',
  multiple: '多选',
  number: '数值',
  text: '文本',
  scale: '量表',
}

export const QUESTIONNAIRE_KIND_LABEL: Record<QuestionnaireKind, string> = {
  clinical: '临床随访',
  satisfaction: '满意度调查',
}

export const QUESTIONNAIRE_STATUS_LABEL: Record<QuestionnaireStatus, string> = {
  draft: '草稿',
  published: '已发布',
  archived: '已归档',
}

export const OP_LABEL: Record<RedFlagOp, string> = {
  eq: '等于',
  in: '属于其中之一',
  includes: '包含',
  gt: '大于',
  gte: '大于等于',
  lt: '小于',
  lte: '小于等于',
}

/** Which operators apply to a question type (the builder's operator picker). */
export const OPS_FOR: Record<QuestionType, readonly RedFlagOp[]> = {
  single: ['eq', 'in'],
  multiple: ['includes', 'in'],
  text: ['includes'],
  number: ['gte', 'gt', 'lte', 'lt', 'eq', 'in'],
  scale: ['gte', 'gt', 'lte', 'lt', 'eq', 'in'],
}

export const TASK_KIND_LABEL: Record<NurseTask['kind'], string> = {
  followup: '随访任务',
  missed: '漏访跟进',
  red_flag: '问卷预警',
  abnormal_reading: '指标异常',
  no_reading: '未测提醒',
  manual: '手动任务',
}

export const READING_KIND_LABEL: Record<ReadingKind, string> = { bp: '血压', glucose: '血糖', weight: '体重' }

export const GLUCOSE_CONTEXT_LABEL: Record<'fasting' | 'postprandial' | 'random', string> = {
  fasting: '空腹',
  postprandial: '餐后',
  random: '随机',
}

export const METRIC_LABEL: Record<'bpSystolic' | 'bpDiastolic' | 'glucose' | 'weight', string> = {
  bpSystolic: '收缩压',
  bpDiastolic: '舒张压',
  glucose: '血糖',
  weight: '体重',
}

export const PUSH_STATUS_LABEL: Record<PushStatus, string> = {
  pending: '待发送',
  sending: '发送中',
  sent: '已送达',
  failed: '失败',
  dead: '死信',
  cancelled: '已取消',
  skipped: '已跳过',
}

export const PUSH_CHANNEL_LABEL: Record<'subscribe' | 'wecom-app' | 'robot' | 'inbox', string> = {
  subscribe: '订阅消息',
  'wecom-app': '企业微信应用',
  robot: '群机器人',
  inbox: '消息中心',
}

export const PUSH_PURPOSE_LABEL: Record<'care' | 'marketing' | 'staff', string> = {
  care: '诊疗提醒',
  marketing: '营销',
  staff: '员工通知',
}

/** Every `{ path, message }` of an error's details (VALIDATION_FAILED, QUESTIONNAIRE_INVALID …). */
export const issuesOf = (e: unknown): { path: string; message: string }[] => {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return []
  const out: { path: string; message: string }[] = []
  for (const d of e.details as unknown[])
    if (d && typeof d === 'object' && 'path' in d && 'message' in d) {
      const { path, message } = d as { path: unknown; message: unknown }
      if (typeof path === 'string' && typeof message === 'string') out.push({ path, message })
    }
  return out
}

/** The server's (and the shared schemas') English validation messages, in Chinese. */
const MESSAGES: [RegExp, string][] = [
  [/^(name|title|text|label) (is required|must not be empty)/, '请填写此项'],
  [/must be at most (\d+) characters/, '不能超过 $1 个字'],
  [/a plan needs at least one step/, '至少需要一个随访步骤'],
  [/at most (\d+) steps/, '最多 $1 个步骤'],
  [/offsetDays must be at least 0/, '天数不能为负'],
  [/offsetDays must be at most (\d+)/, '天数不能超过 $1'],
  [/windowDays must be at least 0/, '窗口天数不能为负'],
  [/windowDays must be at most (\d+)/, '窗口不能超过 $1 天'],
  [/(offsetDays|windowDays) (is required|must be a whole number)/, '请填写整数天数'],
  [/Expected number/, '请填写数字'],
  [/must be a time HH:mm/, '时间格式应为 HH:mm'],
  [/questionnaireId is required/, '请选择问卷'],
  [/questionnaireId is only for/, '只有问卷步骤需要选择问卷'],
  [/the questionnaire is \w+, not published/, '问卷未发布或已归档，请选择已发布的问卷'],
  [/no questionnaire with this id/, '问卷不存在，请重新选择'],
  [/link must be a URL/, '请填写以 http:// 或 https:// 开头的链接'],
  [/link is only for/, '只有宣教步骤可以填写链接'],
  [/min must not exceed max/, '最小值不能大于最大值'],
  [/Number must be greater than or equal to (\S+)/, '不能小于 $1'],
  [/Number must be less than or equal to (\S+)/, '不能大于 $1'],
  [/Expected integer/, '请填写整数'],
  [/no tag with this id/, '标签不存在，请重新选择'],
  [/at least one question/, '至少需要一道题目'],
  [/duplicate question key/, '题目编号重复'],
  [/duplicate option value/, '选项值重复'],
  [/duplicate rule key/, '规则编号重复'],
  [/needs at least 2 options/, '至少需要 2 个选项'],
  [/value must not be empty/, '请填写选项值'],
  [/max must not be below min/, '最大值不能小于最小值'],
  [/scale.max must be above scale.min/, '最大刻度须大于最小刻度'],
  [/a scale has at most 21 points/, '量表最多 21 个刻度'],
  [/is not an option of/, '所选值不是该题的选项'],
  [/compare with numbers/, '请填写数字'],
  [/does not apply to a/, '该条件不适用于此题型'],
  [/op in needs a non-empty list/, '请至少选择一个值'],
  [/needs a non-empty text/, '请填写要匹配的文字'],
  [/no question with key/, '请选择题目'],
  [/needs a scored question/, '需要至少一道计分题（选项分值或计分量表）'],
  [/cannot vary/, '计分题的分值没有变化，无法换算满意度'],
  [/scored number question .* needs min and max/, '计分的数值题需要填写最小值和最大值'],
  [/overlaps band/, '与其他分段重叠'],
  [/key must be a letter/, '编号须以字母开头，只含字母、数字或 _'],
  [/must be a date|is not a real date/, '请填写有效日期'],
  [/from must not be after to/, '开始日期不能晚于结束日期'],
]

export const zhIssue = (message: string): string => {
  for (const [re, zh] of MESSAGES) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '')
  }
  return message
}

/** path → Chinese message (first per path), for fields marked next to the input. */
export const pathErrors = (issues: { path: string; message: string }[]): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const i of issues) out[i.path] ??= zhIssue(i.message)
  return out
}

/** The errors of the follow-up, questionnaire, task and push routes in Chinese. */
export const followupErrorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'FOLLOWUP_PLAN_NOT_FOUND':
      return '未找到该随访方案，可能已被删除，请刷新页面'
    case 'FOLLOWUP_PLAN_NAME_TAKEN':
      return '已有同名的随访方案，请换一个名称'
    case 'FOLLOWUP_PLAN_ARCHIVED':
      return '该方案已归档，不能再入组新患者'
    case 'FOLLOWUP_ANCHOR_REQUIRED':
      return '该患者没有对应的临床记录，请填写基准日期'
    case 'FOLLOWUP_NURSE_INVALID':
      return '责任护士须是在职的护士或护士长'
    case 'FOLLOWUP_ENROLMENT_NOT_FOUND':
      return '未找到该入组记录，请刷新页面'
    case 'FOLLOWUP_ENROLMENT_STATE':
      return '该随访当前状态不允许此操作，请刷新页面'
    case 'QUESTIONNAIRE_NOT_FOUND':
      return '未找到该问卷，请刷新页面'
    case 'QUESTIONNAIRE_INVALID':
      return '问卷内容有误，请检查标红的题目和规则'
    case 'QUESTIONNAIRE_ARCHIVED':
      return '该问卷已归档，请先重新发布再编辑'
    case 'TASK_NOT_FOUND':
      return '未找到该任务，可能已被处理，请刷新'
    case 'TASK_NOT_OPEN':
      return '该任务已取消，无需处理'
    case 'PUSH_MESSAGE_NOT_FOUND':
      return '未找到该消息，请刷新'
    case 'PUSH_NOT_RETRYABLE':
      return '该消息当前状态不能重试（只有失败或死信可以重试）'
    default:
      return errorText(e)
  }
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** YYYY-MM-DD of a Date in the browser's (the hospital's) time. */
export const localDay = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** A fraction 0–1 as 87.5%. */
export const percent = (v: number | null): string =>
  v === null ? '—' : `${(Math.round(v * 1000) / 10).toLocaleString('zh-CN')}%`
