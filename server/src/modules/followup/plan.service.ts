import { randomBytes } from 'node:crypto'
import {
  AppError,
  type CreatePlanRequest,
  type FollowupPlan,
  type FollowupPlansResponse,
  type UpdatePlanRequest,
} from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import type { PlanDoc, PlanStepDoc } from './followup.model'
import { PlanNameTakenError, type PlanChanges, type PlanRepo } from './plan.repo'

/**
 * What a plan needs to know of questionnaires (F17, the questionnaires module): whether one exists and
 * is published. Absent (module not wired): any well-formed id is accepted.
 */
export interface QuestionnaireCheck {
  status(id: string): Promise<'draft' | 'published' | 'archived' | null>
}

export interface PlanService {
  list(status: 'active' | 'archived' | 'all'): Promise<FollowupPlansResponse>
  get(id: string): Promise<FollowupPlan>
  create(p: StaffPrincipal, body: CreatePlanRequest, meta: RequestMeta): Promise<FollowupPlan>
  update(p: StaffPrincipal, id: string, body: UpdatePlanRequest, meta: RequestMeta): Promise<FollowupPlan>
}

type StepIn = CreatePlanRequest['steps'][number]

const invalid = (path: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }])

/** A new stable step key: D+N and a random suffix, unique within the plan. */
const newKey = (offsetDays: number, taken: Set<string>): string => {
  for (;;) {
    const k = `d${offsetDays}-${randomBytes(2).toString('hex')}`
    if (!taken.has(k)) return k
  }
}

export const createPlanService = (deps: {
  plans: PlanRepo
  tags: Pick<TagRepo, 'findTag'>
  audit: AuditLog
  questionnaires?: QuestionnaireCheck
}): PlanService => {
  const { plans, audit } = deps

  const present = async (d: PlanDoc, running?: number): Promise<FollowupPlan> => {
    const tag = d.autoEnrolTagId ? await deps.tags.findTag(d.autoEnrolTagId) : null
    const count = running ?? (await plans.runningCounts([d._id])).get(d._id.toHexString()) ?? 0
    return {
      id: d._id.toHexString(),
      name: d.name,
      description: d.description ?? null,
      anchor: d.anchor,
      steps: d.steps.map((s) => ({
        key: s.key,
        offsetDays: s.offsetDays,
        time: s.time,
        kind: s.kind,
        title: s.title,
        body: s.body ?? null,
        questionnaireId: s.questionnaireId ?? null,
        link: s.link ?? null,
        windowDays: s.windowDays,
      })),
      thresholds: d.thresholds ?? {},
      autoEnrolTag: d.autoEnrolTagId ? { id: d.autoEnrolTagId, name: tag?.name ?? null } : null,
      status: d.status,
      version: d.version,
      activeEnrolments: count,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    }
  }

  /** Checks what the schema cannot (questionnaires published, tag exists); fills in step keys. */
  const checkSteps = async (steps: StepIn[]): Promise<PlanStepDoc[]> => {
    const taken = new Set(steps.map((s) => s.key).filter((k): k is string => !!k))
    const out: PlanStepDoc[] = []
    for (const [i, s] of steps.entries()) {
      if (s.kind === 'questionnaire' && s.questionnaireId && deps.questionnaires) {
        const status = await deps.questionnaires.status(s.questionnaireId)
        if (status === null) throw invalid(`steps.${i}.questionnaireId`, 'no questionnaire with this id')
        if (status !== 'published')
          throw invalid(`steps.${i}.questionnaireId`, `the questionnaire is ${status}, not published`)
      }
      const key = s.key ?? newKey(s.offsetDays, taken)
      taken.add(key)
      out.push({
        key,
        offsetDays: s.offsetDays,
        time: s.time,
        kind: s.kind,
        title: s.title,
        body: s.body ?? null,
        questionnaireId: s.questionnaireId ?? null,
        link: s.link ?? null,
        windowDays: s.windowDays,
      })
    }
    return out.sort((a, b) => a.offsetDays - b.offsetDays || a.time.localeCompare(b.time))
  }

  const checkTag = async (tagId: string | null | undefined): Promise<void> => {
    if (tagId && !(await deps.tags.findTag(tagId))) throw invalid('autoEnrolTagId', 'no tag with this id')
  }

  const named = async <T>(name: string | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (e instanceof PlanNameTakenError)
        throw new AppError('FOLLOWUP_PLAN_NAME_TAKEN', `A plan named ${name ?? ''} exists already`)
      throw e
    }
  }

  const get = async (id: string): Promise<PlanDoc> => {
    const d = await plans.findById(id)
    if (!d) throw new AppError('FOLLOWUP_PLAN_NOT_FOUND', 'No such follow-up plan')
    return d
  }

  return {
    async list(status) {
      const docs = await plans.list(status)
      const counts = await plans.runningCounts(docs.map((d) => d._id))
      return {
        plans: await Promise.all(docs.map((d) => present(d, counts.get(d._id.toHexString()) ?? 0))),
      }
    },
    get: async (id) => present(await get(id)),
    async create(p, body, meta) {
      const steps = await checkSteps(body.steps)
      await checkTag(body.autoEnrolTagId)
      const d = await named(body.name, () =>
        plans.create({
          name: body.name,
          description: body.description ?? null,
          anchor: body.anchor,
          steps,
          thresholds: body.thresholds,
          autoEnrolTagId: body.autoEnrolTagId ?? null,
          status: 'active',
          createdBy: p.staffId,
        }),
      )
      await audit.record({
        actor: staffActor(p),
        action: 'followup.plan_create',
        detail: { planId: d._id.toHexString(), name: d.name, steps: steps.length },
        ...meta,
      })
      return present(d, 0)
    },
    async update(p, id, body, meta) {
      await get(id)
      const changes: PlanChanges = {}
      if (body.name !== undefined) changes.name = body.name
      if (body.description !== undefined) changes.description = body.description
      if (body.anchor !== undefined) changes.anchor = body.anchor
      if (body.steps !== undefined) changes.steps = await checkSteps(body.steps)
      if (body.thresholds !== undefined) changes.thresholds = body.thresholds
      if (body.autoEnrolTagId !== undefined) {
        await checkTag(body.autoEnrolTagId)
        changes.autoEnrolTagId = body.autoEnrolTagId
      }
      if (body.status !== undefined) changes.status = body.status
      const d = await named(body.name, () => plans.update(id, changes))
      if (!d) throw new AppError('FOLLOWUP_PLAN_NOT_FOUND', 'No such follow-up plan')
      await audit.record({
        actor: staffActor(p),
        action: 'followup.plan_update',
        detail: { planId: id, version: d.version, fields: Object.keys(changes) },
        ...meta,
      })
      return present(d)
    },
  }
}
