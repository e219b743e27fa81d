import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { createPatientRepo } from '../patients/patient.repo'
import type { PointsPort } from '../points/points.port'
import type { PushPort } from '../push/push.port'
import { createStaffRepo } from '../staff/staff.repo'
import { createAlertService, type AlertService } from '../tasks/alert.service'
import { createTaskRepo } from '../tasks/task.repo'
import { createAnswerRepo } from './answer.repo'
import { createAnswerService, type AnswerService } from './answer.service'
import type { FollowupSteps } from './followup-steps.port'
import { answerEffectsJob } from './questionnaire.jobs'
import { createQuestionnaireRepo } from './questionnaire.repo'
import { mountQuestionnaireRoutes } from './questionnaire.routes'
import { createQuestionnaireService, type QuestionnaireService } from './questionnaire.service'
import { createQuestionnaireStatsService } from './questionnaire-stats.service'

export interface QuestionnairesModule {
  questionnaires: QuestionnaireService
  answers: AnswerService
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** The repair job of answer effects (every minute). */
  jobs(): Job[]
}

/**
 * Wires questionnaires (F17): the builder and stats for staff, the answering API for patients, red
 * flags → urgent nurse task + WeCom alert (through `alerts`, by default built on `push`), follow-up
 * steps completed through `steps` (the follow-up module).
 */
export const createQuestionnairesModule = (deps: {
  clock: Clock
  db: Connection
  logger: Logger
  push: PushPort
  steps: FollowupSteps
  audit?: AuditLog
  alerts?: Pick<AlertService, 'raise'>
  /** The points ledger: a completed questionnaire earns points (F27); absent, nothing is earned. */
  points?: Pick<PointsPort, 'earn'>
}): QuestionnairesModule => {
  const { clock, db, logger } = deps
  const audit = deps.audit ?? createAuditLog(db, clock)
  const alerts =
    deps.alerts ??
    createAlertService({ db, clock, tasks: createTaskRepo(db), staff: createStaffRepo(db), push: deps.push })
  const repo = createQuestionnaireRepo(db)
  const answerRepo = createAnswerRepo(db)
  const questionnaires = createQuestionnaireService({ questionnaires: repo, audit, clock })
  const answers = createAnswerService({
    answers: answerRepo,
    questionnaires,
    versions: repo,
    patients: createPatientRepo(db),
    staffPatients: createPatientStaffRepo(db),
    steps: deps.steps,
    alerts,
    audit,
    clock,
    logger,
    points: deps.points,
  })
  const stats = createQuestionnaireStatsService({ questionnaires: repo, answers: answerRepo })
  return {
    questionnaires,
    answers,
    mount: (router, guard) => mountQuestionnaireRoutes(router, guard, { questionnaires, answers, stats }),
    jobs: () => [answerEffectsJob({ answers, logger })],
  }
}
