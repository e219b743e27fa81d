/**
 * What domain modules (follow-up, questionnaires, readings, alerts, campaigns) hand the push engine.
 * They never call a platform: they enqueue messages; the outbox worker applies consent, quiet hours,
 * the frequency cap and the per-nurse limiter at dispatch and picks the first usable channel.
 */

/** Consent purpose the message is sent under (`staff` = to hospital staff, no patient consent). */
export type PushPurpose = 'care' | 'marketing' | 'staff'

/** Delivery channels, tried in the order a message lists them (fallback order). */
export type PushChannel = 'subscribe' | 'wecom-app' | 'robot' | 'inbox'

/**
 * Semantic subscribe-message kinds. Each maps (in config) to a WeChat template id and the template's
 * keys; domain code fills semantic fields and never knows `thing1`/`time2`.
 */
export type SubscribeKind = 'followup_reminder' | 'questionnaire_due' | 'health_notice'

export interface PushMessage {
  /** Unique forever: enqueueing the same key again changes nothing (idempotent materialisation). */
  dedupeKey: string
  purpose: PushPurpose
  /** Not sent before this instant (quiet hours and limits may delay it further). */
  dueAt: Date
  /** Skipped (not sent) when it could not go out before this instant, e.g. a stale reminder. */
  expiresAt?: Date
  /** Patient recipient (subscribe, inbox). */
  patientId?: string
  /** Staff recipient (wecom-app): the staff member's id. */
  staffId?: string
  /** Group-robot webhook key (robot). */
  robotKey?: string
  channels: PushChannel[]
  content: {
    /** ≤20 chars reads best; the subscribe channel truncates per template key rules. */
    title: string
    body: string
    /** Mini-program page with query, e.g. `pkg-followup/task/index?id=…`. */
    page?: string
    /** For the subscribe channel: which template and its semantic fields. */
    subscribe?: { kind: SubscribeKind; fields: Record<string, string> }
  }
  /** Alerts to nurses: not delayed by quiet hours or the patient frequency cap. */
  urgent?: boolean
  /**
   * Who asked for it, for the console and for cancelling: e.g. `{ kind: 'followup-step', id: stepKey,
   * groupId: enrolmentId }`.
   */
  source: { kind: string; id: string; groupId?: string }
}

export interface PushPort {
  /** Inserts messages that do not exist yet (by dedupeKey); returns how many were new. */
  enqueue(messages: PushMessage[]): Promise<{ created: number }>
  /**
   * Cancels not-yet-sent messages of a source group (pause/stop an enrolment); rows already claimed
   * by a worker finish. Returns how many were cancelled. Cancelled keys stay taken: re-enqueueing
   * the same dedupeKey does not revive them (resume uses new keys or `reviveBySource`).
   */
  cancelBySource(source: { kind: string; groupId: string }): Promise<number>
  /** Makes cancelled, unsent messages of a source group pending again (resume); returns how many. */
  reviveBySource(source: { kind: string; groupId: string }): Promise<number>
  /** Asks the local worker to look for due rows now (best effort; the cron tick is the safety net). */
  kick(): void
}
