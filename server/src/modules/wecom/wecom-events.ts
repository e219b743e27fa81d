import type { WecomEventInput } from '@careloop/shared'

/**
 * Where the WeCom ingest (wecom-ingest.service.ts) hands events it does not own. The communities
 * module implements `ChatEventSink` for `change_external_chat`; handlers must be idempotent and
 * tolerate out-of-order delivery (re-read `groupchat/get` when versions do not line up).
 */
export interface ChatEventSink {
  onChatEvent(e: WecomEventInput & { event: 'change_external_chat' }, at: Date): Promise<string>
}

/** Called when a patient's WeCom identity becomes known or a contact is added (communities may react). */
export interface ContactEventSink {
  onContactAdded?(
    o: { userId: string; externalUserId: string; patientId: string | null; state?: string },
    at: Date,
  ): Promise<void>
}

/**
 * Opaque `state` values we put in join QRs (≤30 chars, never PII) name a ticket: the communities
 * module resolves one to the patient profile it was issued for.
 */
export interface StateResolver {
  patientOfState(state: string): Promise<string | null>
}
