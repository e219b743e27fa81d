import type Router from '@koa/router'
import { questionnaireRoutes } from '@careloop/shared'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import { mount, patientOf, staffOf } from '../../http/mount'
import type { AnswerService } from './answer.service'
import type { QuestionnaireStatsService } from './questionnaire-stats.service'
import type { QuestionnaireService } from './questionnaire.service'

export const mountQuestionnaireRoutes = (
  router: Router<AppState>,
  guard: AccessGuard,
  s: { questionnaires: QuestionnaireService; answers: AnswerService; stats: QuestionnaireStatsService },
): void => {
  const r = questionnaireRoutes
  mount(router, r.listQuestionnaires, guard, ({ principal, query }) =>
    s.questionnaires.list(staffOf(principal), query),
  )
  mount(router, r.getQuestionnaire, guard, ({ params }) => s.questionnaires.get(params.id!))
  mount(router, r.createQuestionnaire, guard, ({ principal, body, ip, requestId }) =>
    s.questionnaires.create(staffOf(principal), body, { ip, requestId }),
  )
  mount(router, r.updateQuestionnaire, guard, ({ principal, params, body, ip, requestId }) =>
    s.questionnaires.update(staffOf(principal), params.id!, body, { ip, requestId }),
  )
  mount(router, r.publishQuestionnaire, guard, ({ principal, params, ip, requestId }) =>
    s.questionnaires.publish(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.archiveQuestionnaire, guard, ({ principal, params, ip, requestId }) =>
    s.questionnaires.archive(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.questionnaireStats, guard, ({ principal, params, query }) =>
    s.stats.stats(staffOf(principal), params.id!, query),
  )
  mount(router, r.patientAnswers, guard, ({ principal, params, ip, requestId }) =>
    s.answers.forStaff(staffOf(principal), params.id!, { ip, requestId }),
  )
  mount(router, r.myQuestionnaire, guard, ({ params }) => s.questionnaires.forPatient(params.id!))
  mount(router, r.submitAnswer, guard, ({ principal, params, body }) =>
    s.answers.submit(patientOf(principal), params.id!, body),
  )
  mount(router, r.myAnswers, guard, ({ principal, query }) =>
    s.answers.mine(patientOf(principal), query.patientId),
  )
}
