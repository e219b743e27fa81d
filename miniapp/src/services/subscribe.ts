import type { ClientConfig } from '@careloop/shared'

import { api } from '../api/endpoints'
import { platform, PlatformError, type SubscribeDecision } from '../platform'
import { newRequestId } from './followup'

/**
 * Subscribe-message asks (F21, platform.md §2.4–2.6). WeChat sends a one-time template's message only
 * once per 允许, so the patient is asked at natural moments (a new plan, a questionnaire just sent),
 * always inside the tap handler, with at most 3 one-time templates and never mixed with long-term ones.
 * What WeChat answered goes to the server, which keeps one credit per accepted one-time template.
 */

/** The server's template kinds (push.port SubscribeKind) the follow-up asks cover. */
export type SubscribeKind = 'followup_reminder' | 'questionnaire_due' | 'health_notice'

/** Where the patient was asked (the server keeps it for statistics). */
export type SubscribeScene = 'enrol' | 'questionnaire'

/** The kinds asked for at each moment: the reminders that follow from it. */
export const SCENE_KINDS: Record<SubscribeScene, readonly SubscribeKind[]> = {
  enrol: ['followup_reminder', 'questionnaire_due'],
  questionnaire: ['questionnaire_due', 'followup_reminder'],
}

/**
 * The one-time template ids of `kinds` the deployment configured, in order, at most 3. Long-term
 * templates are left out: WeChat refuses a call that mixes the two.
 */
export function oneTimeTemplateIds(config: ClientConfig | null, kinds: readonly SubscribeKind[]): string[] {
  const templates = config?.subscribeTemplates ?? {}
  const ids: string[] = []
  for (const kind of kinds) {
    const t = templates[kind]
    if (t && !t.longTerm && !ids.includes(t.templateId)) ids.push(t.templateId)
  }
  return ids.slice(0, 3)
}

export interface SubscribeOutcome {
  /** Templates asked about. */
  asked: number
  /** Templates the patient allowed. */
  accepted: number
}

/**
 * Asks for the one-time reminders of `scene` and records the answer. MUST be called synchronously
 * from a tap handler, with the client config loaded beforehand (WeChat rejects the popup once the tap
 * has been left for a network round-trip). Null when the deployment has no template to ask for.
 */
export async function askReminders(
  config: ClientConfig | null,
  scene: SubscribeScene,
): Promise<SubscribeOutcome | null> {
  const ids = oneTimeTemplateIds(config, SCENE_KINDS[scene])
  if (ids.length === 0) return null
  // First thing in the tap: the popup.
  const results: Record<string, SubscribeDecision> = await platform.requestSubscribeMessage(ids)
  const decided = Object.keys(results).length
  if (decided === 0) throw new PlatformError('未获得订阅授权，请稍后重试')
  await api.recordSubscriptions({ results, scene, requestId: newRequestId('sub') })
  return { asked: ids.length, accepted: Object.values(results).filter((d) => d === 'accept').length }
}

/** What to tell the patient after an ask. */
export function outcomeText(o: SubscribeOutcome): string {
  if (o.accepted === 0) return '您未开启提醒，可随时在随访页面重新开启'
  if (o.accepted < o.asked) return '已开启部分提醒'
  return '已开启随访提醒'
}
