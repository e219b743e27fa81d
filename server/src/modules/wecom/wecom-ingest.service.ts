import { AppError, type WecomEventInput, type WecomEventResult } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { WecomApiError } from '../../platform/wecom/wecom-client'
import type { WecomContactService } from './wecom-contact.service'
import type { WecomEventRepo } from './wecom-event.repo'
import type { ChatEventSink } from './wecom-events'
import type { WecomTagSync } from './wecom-tag-sync.service'

/**
 * The server's inbox of WeCom customer-contact events (platform.md §3.6–3.7), forwarded by the bot
 * with a delivery key. Each key is processed once: a duplicate answers `{duplicate: true}` and changes
 * nothing; a delivery whose processing failed (or was abandoned mid-way) is processed again when it is
 * delivered again, so every handler is idempotent. Dispatch: contacts → WecomContactService, chats →
 * the communities module's ChatEventSink (recorded as ignored without one), tags → corp-tag sync.
 */
export interface WecomIngestService {
  ingest(e: WecomEventInput): Promise<WecomEventResult>
}

export const createWecomIngestService = (deps: {
  events: WecomEventRepo
  contacts: WecomContactService
  tagSync: WecomTagSync
  chats?: ChatEventSink
  clock: Clock
  logger: Logger
}): WecomIngestService => {
  const { events, clock } = deps
  const log = deps.logger.child({ module: 'wecom-ingest' })

  const dispatch = (e: WecomEventInput, at: Date): Promise<string> => {
    switch (e.event) {
      case 'change_external_contact':
        return deps.contacts.onContactEvent(e as WecomEventInput & { event: 'change_external_contact' }, at)
      case 'change_external_chat':
        return deps.chats
          ? deps.chats.onChatEvent(e as WecomEventInput & { event: 'change_external_chat' }, at)
          : Promise.resolve('ignored: no chat event sink')
      case 'change_external_tag':
        return deps.tagSync.onTagEvent(e, at)
    }
  }

  return {
    async ingest(e) {
      const claim = await events.claim(e, clock.now())
      if (!claim.claimed) return { duplicate: true, outcome: claim.row.outcome ?? claim.row.status }
      const at = new Date(e.createTime * 1000)
      try {
        const outcome = await dispatch(e, at)
        await events.finish(e.dedupeKey, outcome, clock.now())
        log.info({ event: e.event, changeType: e.changeType, attempt: claim.attempt, outcome }, 'wecom event')
        return { duplicate: false, outcome }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        await events.fail(e.dedupeKey, message, clock.now())
        log.warn({ event: e.event, changeType: e.changeType, err: message }, 'wecom event failed; retryable')
        if (err instanceof AppError) throw err
        // WeCom refused or failed: the bot may deliver again (the inbox lets the retry run)
        if (err instanceof WecomApiError)
          throw new AppError('UPSTREAM_UNAVAILABLE', 'WeCom failed while processing the event', {
            api: err.api,
            errcode: err.errcode,
          })
        throw err
      }
    },
  }
}
