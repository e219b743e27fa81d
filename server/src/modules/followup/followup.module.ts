import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Job } from '../../jobs/scheduler'
import type { Logger } from '../../logger'
import type { PiiCrypto } from '../../privacy/pii-crypto'
import { createAuditLog, type AuditLog } from '../audit/audit.repo'
import { createPatientEventRepo } from '../patient-events/patient-event.repo'
import { createPatientLookup } from '../patients/patient-lookup'
import { createPatientStaffRepo } from '../patients/patient-staff.repo'
import { createPatientRepo } from '../patients/patient.repo'
import { phoneAad } from '../patients/profile.service'
import type { PushPort } from '../push/push.port'
import { createStaffRepo } from '../staff/staff.repo'
import { createTagRepo, type TagRepo } from '../tags/tag.repo'
import { createAlertService, type AlertService } from '../tasks/alert.service'
import { createTaskRepo } from '../tasks/task.repo'
import { mountTaskRoutes } from '../tasks/task.routes'
import { createTaskService, type TaskService } from '../tasks/task.service'
import { createBotListRepo } from './bot-list.repo'
import { createEnrolmentRepo } from './enrolment.repo'
import { createEnrolmentService, type EnrolmentService } from './enrolment.service'
import { createFollowupBotService } from './followup-bot.service'
import { createFollowupPatientService } from './followup-patient.service'
import {
  createFollowupLookup,
  createStepCompletion,
  runMissedSteps,
  type FollowupLookup,
  type FollowupSteps,
  type MissedRun,
} from './followup-steps.service'
import { followupMissedJob } from './followup.jobs'
import { mountFollowupRoutes } from './followup.routes'
import { createMaterialiser, STEP_SOURCE } from './materialise'
import { createPatientCommunities } from './patient-communities.repo'
import { createPlanRepo } from './plan.repo'
import { createPlanService, type PlanService, type QuestionnaireCheck } from './plan.service'
import { createRatesService } from './rates.service'
import { createStepRepo } from './step.repo'
import { createTagEnrolment } from './tag-enrol'

export interface FollowupModule {
  plans: PlanService
  enrolments: EnrolmentService
  tasks: TaskService
  alerts: AlertService
  /** Port for the questionnaires module: an answer completes its step. */
  steps: FollowupSteps
  /** Port for the readings module: running enrolments and their thresholds. */
  lookup: FollowupLookup
  /** Staff, patient and bot routes of follow-up and nurse tasks. */
  mount(router: Router<AppState>, guard: AccessGuard): void
  /** One run of the due/missed job (tests call it directly). */
  runMissed(): Promise<MissedRun>
  /** The periodic jobs: the due/missed check every 5 minutes. */
  jobs(): Job[]
}

/**
 * Wires follow-up (F15, F16, F19) and nurse tasks (F33, F34). `push` is the outbox (the push module's
 * port); `alerts` defaults to one built on it. With `tags`, tag-rule enrolment listens to every tag
 * change on `db` (pass it once per process: the API's app does; a worker-only instance need not).
 * `questionnaires` makes plans check that their questionnaires exist and are published.
 */
export const createFollowupModule = (deps: {
  config: Pick<Config, 'timezone'>
  clock: Clock
  db: Connection
  logger: Logger
  push: PushPort
  alerts?: AlertService
  audit?: AuditLog
  tags?: TagRepo
  /** Needed by the routes (the bot finds patients by phone); a worker-only instance need not pass it. */
  pii?: PiiCrypto
  questionnaires?: QuestionnaireCheck
}): FollowupModule => {
  const { clock, db, logger, push } = deps
  const timeZone = deps.config.timezone
  const audit = deps.audit ?? createAuditLog(db, clock)
  const staff = createStaffRepo(db)
  const taskRepo = createTaskRepo(db)
  const plans = createPlanRepo(db)
  const enrolments = createEnrolmentRepo(db)
  const steps = createStepRepo(db)
  const patients = createPatientStaffRepo(db)
  const alerts = deps.alerts ?? createAlertService({ db, clock, tasks: taskRepo, staff, push })
  const materialiser = createMaterialiser({
    enrolments,
    steps,
    tasks: taskRepo,
    push,
    clock,
    timeZone,
  })
  const completion = createStepCompletion({ steps, materialiser })
  const tasks = createTaskService({
    tasks: taskRepo,
    staff,
    audit,
    clock,
    timeZone,
    // a nurse step of a plan is done with its task
    async onDone(task, staffId, at) {
      if (task.kind !== 'followup' || task.source.kind !== STEP_SOURCE) return
      const step = await steps.findById(task.source.id)
      if (step) await completion.byStaff(step, staffId, at)
    },
  })
  const planService = createPlanService({
    plans,
    tags: deps.tags ?? createTagRepo(db),
    audit,
    questionnaires: deps.questionnaires,
  })
  const enrolmentService = createEnrolmentService({
    plans,
    enrolments,
    steps,
    events: createPatientEventRepo(db),
    patients,
    staff,
    alerts,
    materialiser,
    audit,
    clock,
    timeZone,
  })
  if (deps.tags) deps.tags.onChange(createTagEnrolment({ plans, enrolments: enrolmentService, logger }))
  const runMissed = () => runMissedSteps({ steps, enrolments, materialiser, alerts, clock, timeZone })
  return {
    plans: planService,
    enrolments: enrolmentService,
    tasks,
    alerts,
    steps: completion,
    lookup: createFollowupLookup({ enrolments, plans }),
    runMissed,
    jobs: () => [followupMissedJob({ run: runMissed, logger })],
    mount(router, guard) {
      if (!deps.pii) throw new Error('the follow-up routes need pii (the bot looks patients up by phone)')
      const lookup = createPatientLookup({ patients, pii: deps.pii, phoneAad })
      mountFollowupRoutes(router, guard, {
        plans: planService,
        enrolments: enrolmentService,
        rates: createRatesService({
          steps,
          plans,
          staff,
          communities: createPatientCommunities(db),
          clock,
          timeZone,
        }),
        patient: createFollowupPatientService({
          patients: createPatientRepo(db),
          enrolments,
          steps,
          completion,
          staff,
          clock,
          timeZone,
        }),
        bot: createFollowupBotService({
          staff,
          tasks: taskRepo,
          taskService: tasks,
          steps,
          completion,
          lists: createBotListRepo(db),
          plans,
          enrolments: enrolmentService,
          lookup,
          patients,
          audit,
          clock,
          timeZone,
        }),
      })
      mountTaskRoutes(router, guard, tasks)
    },
  }
}
