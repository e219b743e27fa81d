import type { Campaign, CampaignRun, CampaignState, CampaignStats } from '@careloop/shared'
import { ApiError, errorText } from './api'
import { formatMinute } from './communityText'
import { blockedClaimOf } from './contentText'

/** Labels and wording of 营销活动 (campaigns F23, statistics F24). */

export const CAMPAIGN_STATE_LABEL: Record<CampaignState, string> = {
  draft: '草稿',
  pending_approval: '待审批',
  approved: '已批准',
  running: '进行中',
  paused: '已暂停',
  completed: '已完成',
  cancelled: '已取消',
}

export type RunState = CampaignRun['state']

export const RUN_STATE_LABEL: Record<RunState, string> = {
  materialising: '生成名单中',
  paused: '已暂停',
  materialised: '已完成',
  failed: '失败',
  cancelled: '已取消',
}

export type CampaignChannel = Campaign['channels'][number]

export const CHANNEL_LABEL: Record<CampaignChannel, string> = {
  subscribe: '微信订阅消息',
  inbox: '小程序消息中心',
}

export const CHANNEL_HINT: Record<CampaignChannel, string> = {
  subscribe: '需要患者事先订阅（每次订阅可发一条），没有额度时改用下一个渠道',
  inbox: '一定可达：患者打开小程序即可在“消息中心”看到',
}

export type GoalEvent = NonNullable<Campaign['goal']>['event']

export const GOAL_LABEL: Record<GoalEvent, string> = {
  article_read: '阅读文章',
  community_joined: '加入病友社群',
  membership_bought: '购买会员',
}

/** Why a message was skipped, failed or fell back (push engine codes). */
const REASON_LABEL: Record<string, string> = {
  NO_CONSENT: '未同意接收营销信息',
  FREQUENCY_CAP: '超出每日营销次数上限',
  EXPIRED: '超过有效期未能发送',
  ERASED: '患者已注销',
  QUIET_HOURS: '免打扰时段',
  NO_SUBSCRIBE_CREDIT: '无订阅消息额度',
  NO_OPENID: '未绑定微信',
  NO_PATIENT: '患者档案不存在',
  NO_CHANNEL: '没有可用渠道',
  CHANNEL_UNAVAILABLE: '渠道不可用',
  SUBSCRIBE_TEMPLATE_UNKNOWN: '订阅消息模板未配置',
  SUBSCRIBE_DATA_INVALID: '模板内容不符合微信要求',
  NO_SUBSCRIBE_CONTENT: '消息内容不适用订阅消息',
  WECHAT_NOT_CONFIGURED: '未配置微信',
  UPSTREAM_UNAVAILABLE: '微信服务暂不可用',
  UPSTREAM_BUSY: '微信服务繁忙',
  RATE_LIMITED: '微信接口限流',
  INTERNAL: '系统错误',
  UNKNOWN: '未知原因',
}

export const reasonLabel = (code: string): string => REASON_LABEL[code] ?? code

/** The funnel of F24 (sent and delivered are the same count: WeChat gives no receipt beyond accepting). */
export const FUNNEL_STEPS = ['targeted', 'sent', 'delivered', 'opened', 'clicked', 'converted'] as const
export type FunnelStep = (typeof FUNNEL_STEPS)[number]

export const FUNNEL_LABEL: Record<FunnelStep, string> = {
  targeted: '目标人数',
  sent: '已发送',
  delivered: '已送达',
  opened: '已打开',
  clicked: '已点击',
  converted: '已转化',
}

export const FUNNEL_HINT: Record<FunnelStep, string> = {
  targeted: '执行时分群内的患者',
  sent: '微信已接受或已存入消息中心',
  delivered: '按实际送达的渠道统计',
  opened: '读了消息或打开了文章',
  clicked: '从消息点开了文章',
  converted: '目标天数内完成转化',
}

export const funnelCount = (s: CampaignStats, step: FunnelStep): number => s[step]

/** Not final yet: the run is still generating its list, or messages wait to be sent. */
export const runIsLive = (state: RunState, s: CampaignStats | null): boolean =>
  state === 'materialising' || (state === 'materialised' && (s?.pending ?? 0) > 0)

// --- schedules ------------------------------------------------------------------------------------

export const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'] as const

/** The cron helper: 每天 / 每周 X / 每月 N 日 at HH:mm, or a hand-written expression. */
export type CronMode = 'daily' | 'weekly' | 'monthly' | 'custom'
export interface CronHelper {
  mode: CronMode
  /** 0 = Sunday (cron's day of week). */
  weekday: number
  monthDay: number
  /** HH:mm */
  time: string
  /** The expression when `mode` is custom. */
  custom: string
}

const int = (s: string, max: number): number | null =>
  /^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : null

/** The cron expression of the helper (minute hour day month weekday). */
export const cronOf = (c: CronHelper): string => {
  if (c.mode === 'custom') return c.custom.trim()
  const [h = '9', m = '0'] = c.time.split(':')
  const time = `${Number(m)} ${Number(h)}`
  if (c.mode === 'daily') return `${time} * * *`
  if (c.mode === 'weekly') return `${time} * * ${c.weekday}`
  return `${time} ${c.monthDay} * *`
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** An expression the helper can show (5 fields, fixed minute and hour), or a custom one. */
export const helperOf = (cron: string): CronHelper => {
  const base: CronHelper = { mode: 'custom', weekday: 1, monthDay: 1, time: '09:00', custom: cron }
  const f = cron.trim().split(/\s+/)
  if (f.length !== 5) return base
  const [mi, ho, dom, mon, dow] = f as [string, string, string, string, string]
  const minute = int(mi, 59)
  const hour = int(ho, 23)
  if (minute === null || hour === null || mon !== '*') return base
  const time = `${pad(hour)}:${pad(minute)}`
  if (dom === '*' && dow === '*') return { ...base, mode: 'daily', time }
  const wd = int(dow, 7)
  if (dom === '*' && wd !== null) return { ...base, mode: 'weekly', weekday: wd % 7, time }
  const md = int(dom, 31)
  if (dow === '*' && md !== null && md >= 1) return { ...base, mode: 'monthly', monthDay: md, time }
  return base
}

/** 每周一 09:00 (or the expression itself when the helper cannot say it). */
export const describeCron = (cron: string): string => {
  const h = helperOf(cron)
  if (h.mode === 'daily') return `每天 ${h.time}`
  if (h.mode === 'weekly') return `每周${WEEKDAYS[h.weekday]} ${h.time}`
  if (h.mode === 'monthly') return `每月 ${h.monthDay} 日 ${h.time}`
  return `按表达式 ${cron}`
}

export const scheduleText = (s: Campaign['schedule']): string => {
  if (s.kind === 'now') return '审批通过后立即发送'
  if (s.kind === 'at') return `定时 ${formatMinute(s.at)}`
  return `${describeCron(s.cron)}，至 ${formatMinute(s.endAt)}`
}

// --- errors ---------------------------------------------------------------------------------------

export const campaignErrorText = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  switch (e.code) {
    case 'CAMPAIGN_NOT_FOUND':
      return '未找到该活动，可能已被删除，请刷新页面'
    case 'CAMPAIGN_RUN_NOT_FOUND':
      return '未找到该次执行记录'
    case 'CAMPAIGN_STATE':
      return '活动状态已变化，当前不能进行此操作，请刷新页面'
    case 'CAMPAIGN_SELF_APPROVAL':
      return '您创建或修改过该活动，需由其他护士长或管理员审批'
    case 'CAMPAIGN_CONTENT_NOT_APPROVED':
      return '所选文章还没有通过审核发布，不能发送'
    case 'CAMPAIGN_SCHEDULE_INVALID':
      return '发送时间有误，请检查标红的时间设置'
    case 'SEGMENT_INVALID':
      return '目标人群有误：分群表达式无法解析，或已保存的分群不存在'
    default: {
      const claim = blockedClaimOf(e)
      return claim ? `文章含违规用语「${claim.match}」` : errorText(e)
    }
  }
}

/** Validation and schedule messages of the campaign routes in Chinese. */
export const zhCampaignIssue = (message: string): string => {
  const rules: [RegExp, string][] = [
    [/name (is required|must not be empty)|title must not be empty|body must not be empty/, '请填写此项'],
    [/at most (\d+) character/, '不能超过 $1 个字'],
    [/at least one channel/, '请至少选择一个发送渠道'],
    [/channels must not repeat/, '渠道不能重复'],
    [/page must be a mini-program page path/, '小程序页面路径格式不正确，例如 pages/index/index'],
    [/must be in the future/, '时间须晚于现在'],
    [/must be within a year/, '结束日期须在一年以内'],
    [/has passed/, '时间已过，请修改后重新提交'],
    [/not a valid date-time|must be YYYY-MM-DD/, '请填写有效的日期和时间'],
    [/at most once an hour/, '活动最多每小时执行一次：请固定分钟，例如 0 9 * * 1'],
    [/invalid cron expression/, 'cron 表达式无效'],
    [/cron must not be empty/, '请填写 cron 表达式'],
    [/no (such )?saved segment/, '该分群不存在，请重新选择'],
    [/Number must be greater than or equal to (\d+)/, '不能小于 $1'],
    [/Number must be less than or equal to (\d+)/, '不能大于 $1'],
    [/Expected integer|Expected number/, '请填写整数'],
    [/Invalid ObjectId|must be a 24/, '请选择'],
  ]
  for (const [re, zh] of rules) {
    const m = re.exec(message)
    if (m) return zh.replace('$1', m[1] ?? '')
  }
  return message
}
