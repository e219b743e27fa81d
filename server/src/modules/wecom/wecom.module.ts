import type Router from '@koa/router'
import type { Clock } from '../../clock'
import type { Config } from '../../config'
import type { Connection } from '../../db/connection'
import type { AccessGuard } from '../../http/auth'
import type { AppState } from '../../http/context'
import type { Logger } from '../../logger'
import type { WecomClient } from '../../platform/wecom/wecom-client'
import type { PatientDataEraser } from '../patients/profile.service'
import { createStaffRepo } from '../staff/staff.repo'
import type { TagRepo } from '../tags/tag.repo'
import { createWecomContactRepo } from './wecom-contact.repo'
import { createWecomContactService } from './wecom-contact.service'
import { createWecomEventRepo } from './wecom-event.repo'
import type { ChatEventSink, ContactEventSink, StateResolver } from './wecom-events'
import { createWecomIdentityRepo } from './wecom-identity.repo'
import { createWecomIngestService, type WecomIngestService } from './wecom-ingest.service'
import { createWecomTagRepo } from './wecom-tag.repo'
import { createWecomTagSync, type WecomTagSync } from './wecom-tag-sync.service'
import { mountWecomRoutes } from './wecom.routes'

/** What the communities module plugs in: chat events, join-QR states, and (optionally) new contacts. */
export type CommunitiesHooks = ChatEventSink & StateResolver & ContactEventSink

export interface WecomModule {
  /** POST /api/v1/service/wecom/events (the bot's forwarded customer-contact events). */
  mount(router: Router<AppState>, guard: AccessGuard): void
  ingest: WecomIngestService
  tagSync: WecomTagSync
}

/**
 * Wires WeCom customer contact: the event inbox, contacts and welcome messages (F14), identity
 * stitching (F4) and corp-tag sync (F9). `wecom` is undefined when WeCom is not configured: events
 * are still recorded and what needs WeCom is skipped. Registers the corp-tag sync as a change
 * listener of `tags` (every TagRepo on `db` notifies it).
 */
export const createWecomModule = (deps: {
  config: Pick<Config, 'hospitalName'>
  clock: Clock
  db: Connection
  logger: Logger
  wecom: WecomClient | undefined
  tags: TagRepo
  communities?: CommunitiesHooks
}): WecomModule => {
  const { db, clock, logger, wecom } = deps
  const identities = createWecomIdentityRepo(db)
  const contacts = createWecomContactRepo(db)
  const staff = createStaffRepo(db)
  const tagSync = createWecomTagSync({
    wecom,
    tags: deps.tags,
    mapping: createWecomTagRepo(db),
    contacts,
    identities,
    clock,
    logger,
  })
  if (wecom) deps.tags.onChange((c) => tagSync.onTagChange(c))
  const contactService = createWecomContactService({
    wecom,
    contacts,
    identities,
    tagSync,
    staffByWecomUserId: (u) => staff.findByWecomUserId(u),
    hospitalName: deps.config.hospitalName,
    clock,
    logger,
    states: deps.communities,
    sink: deps.communities,
  })
  const ingest = createWecomIngestService({
    events: createWecomEventRepo(db),
    contacts: contactService,
    tagSync,
    chats: deps.communities,
    clock,
    logger,
  })
  return {
    mount: (router, guard) => mountWecomRoutes(router, guard, ingest),
    ingest,
    tagSync,
  }
}

/**
 * Erasure (F5) of a profile's WeCom traces: its identity links (and the account's unionid on
 * unlinked contacts), the follow relations of those contacts and open tag-sync failures.
 */
export const createWecomPatientEraser = (db: Connection): PatientDataEraser => {
  const identities = createWecomIdentityRepo(db)
  const contacts = createWecomContactRepo(db)
  const mapping = createWecomTagRepo(db)
  return {
    async eraseProfile(profileId, o) {
      const ids = await identities.erasePatient(profileId, o.unionid)
      await contacts.eraseExternal(ids)
      await mapping.erasePatient(profileId)
    },
  }
}
