import type {
  EnrolmentStatus,
  FollowupStep,
  MyFollowupResponse,
  Patient,
  PlanAnchor,
  StepKind,
  StepStatus,
} from '@careloop/shared'

import { api } from '../api/endpoints'
import { ApiError, isAuthError } from '../api/http'
import { PAGES } from '../routes'

export type MyEnrolment = MyFollowupResponse['enrolments'][number]
export type NextStep = MyFollowupResponse['next'][number]

/** How a step's status reads to the patient, and the tag colour it wears. */
export const STEP_STATUS: Record<StepStatus, { label: string; tone: 'orange' | 'teal' | 'red' | 'grey' }> = {
  scheduled: { label: '未开始', tone: 'grey' },
  due: { label: '待完成', tone: 'orange' },
  done: { label: '已完成', tone: 'teal' },
  missed: { label: '已错过', tone: 'red' },
  cancelled: { label: '已取消', tone: 'grey' },
}

export const STEP_KIND_LABELS: Record<StepKind, string> = {
  reminder: '提醒',
  questionnaire: '问卷',
  content: '健康宣教',
  nurse_task: '护士回访',
}

export const ANCHOR_LABELS: Record<PlanAnchor, string> = {
  surgery: '手术日',
  discharge: '出院日',
  first_visit: '首诊日',
  enrolment: '入组日',
}

export const ENROLMENT_STATUS_LABELS: Record<EnrolmentStatus, string> = {
  active: '进行中',
  paused: '已暂停',
  stopped: '已停止',
  completed: '已完成',
}

/** `2026-03-05 09:00` (hospital zone, as the server writes it) → `3月5日 09:00`; the input otherwise. */
export function formatLocalDue(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}:\d{2}))?$/.exec(local)
  if (!m) return local
  const day = `${Number(m[2])}月${Number(m[3])}日`
  return m[4] ? `${day} ${m[4]}` : day
}

/** `2026-03-05` → `2026年3月5日`; the input otherwise. */
export function formatLocalDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date
}

/** The page a step opens in, or null when the patient has nothing to do there (a nurse's call). */
export function stepPage(step: Pick<FollowupStep, 'id' | 'kind'>): string | null {
  if (step.kind === 'nurse_task') return null
  const id = encodeURIComponent(step.id)
  return step.kind === 'questionnaire'
    ? `${PAGES.followupQuestionnaire}?step=${id}`
    : `${PAGES.followupStep}?id=${id}`
}

/** Steps the patient can act on now (inside their window), across the enrolments. */
export const dueCount = (enrolments: readonly MyEnrolment[]): number =>
  enrolments.reduce(
    (n, e) => n + e.steps.filter((s) => s.status === 'due' && s.kind !== 'nurse_task').length,
    0,
  )

/**
 * The steps worth listing under a plan: everything open or done, soonest first; cancelled steps
 * (before enrolment, or stopped) only clutter the list and are left out.
 */
export const visibleSteps = (e: MyEnrolment): FollowupStep[] =>
  e.steps.filter((s) => s.status !== 'cancelled').sort((a, b) => a.dueAt.localeCompare(b.dueAt))

/** A step of one of the account's profiles, with its plan and the profile it belongs to. */
export interface StepContext {
  step: FollowupStep
  enrolment: MyEnrolment
  profile: Patient
  /** The profile is not the active one (a message about a family member). */
  otherProfile: boolean
}

const isSkippable = (e: unknown) =>
  e instanceof ApiError && e.status >= 400 && e.status < 500 && !isAuthError(e)

/**
 * Finds a step by id among the account's profiles: the active profile first, then the family members
 * (a message may be about any of them). Null when none has it (cancelled plan, another account).
 */
export async function findMyStep(stepId: string): Promise<StepContext | null> {
  const me = await api.getMe()
  const order = [me.patient, ...me.profiles.filter((p) => p.id !== me.patient.id)]
  for (const profile of order) {
    const active = profile.id === me.patient.id
    let res: MyFollowupResponse
    try {
      res = await api.myFollowup(active ? undefined : profile.id)
    } catch (e) {
      // Another profile may not have consented: it cannot hold the step the patient opened.
      if (!active && isSkippable(e)) continue
      throw e
    }
    for (const enrolment of res.enrolments) {
      const step = enrolment.steps.find((s) => s.id === stepId)
      if (step) return { step, enrolment, profile, otherProfile: !active }
    }
  }
  return null
}

/** A fresh id for one submission: sent again on a retry, the server answers the first one. */
export function newRequestId(prefix = 'mp'): string {
  const rand = Math.random().toString(36).slice(2, 12).padEnd(10, '0')
  return `${prefix}-${Date.now().toString(36)}-${rand}`
}
