import type { Connection } from 'mongoose'
import { createQuestionnaireRepo } from '../questionnaires/questionnaire.repo'
import type { QuestionnaireCheck } from './plan.service'

/**
 * Whether a questionnaire a plan step names can be answered: published (it has a published version
 * and is not archived), a draft never published, archived, or missing.
 */
export const createQuestionnaireCheck = (conn: Connection): QuestionnaireCheck => {
  const repo = createQuestionnaireRepo(conn)
  return {
    async status(id) {
      const q = await repo.findById(id)
      if (!q) return null
      if (q.status === 'archived') return 'archived'
      return q.publishedVersion !== null && q.publishedVersion !== undefined ? 'published' : 'draft'
    },
  }
}
