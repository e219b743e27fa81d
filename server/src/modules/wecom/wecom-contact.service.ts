import type { WecomEventInput } from '@careloop/shared'
import type { Clock } from '../../clock'
import type { Logger } from '../../logger'
import { WecomApiError, type ExternalContact, type WecomClient } from '../../platform/wecom/wecom-client'
import type { StaffRecord } from '../staff/staff.repo'
import type { WecomContactRepo } from './wecom-contact.repo'
import type { ContactEventSink, StateResolver } from './wecom-events'
import type { WecomIdentityRepo } from './wecom-identity.repo'
import type { WecomTagSync } from './wecom-tag-sync.service'

/**
 * `change_external_contact` (platform.md §3.7, §4.2, §4.5; F4, F9, F14).
 *
 * Adding a contact: `externalcontact/get` (unionid, the pair's tags) → identity (the join QR's
 * `state` when the communities module resolves it, else unionid → the account's own profile) →
 * **the welcome message at once** (the code lives 20 s and is single-use; 41051 = already sent is
 * recorded, not an error) → the follow relation → then the slow parts (corp tags both ways, the
 * contact sink). Deleting marks the relation ended (history kept); editing re-reads the pair's tags.
 */

export const WELCOME_ALREADY_SENT = 41051

type ContactEvent = WecomEventInput & { event: 'change_external_contact' }

export interface WecomContactService {
  onContactEvent(e: ContactEvent, at: Date): Promise<string>
}

/** How the patient reads a member's name: 李娜护士, 王护士长 (a title already in the name is not doubled). */
export const memberTitle = (staff: Pick<StaffRecord, 'name' | 'role'> | null): string => {
  if (!staff) return '护士'
  const title = staff.role === 'head_nurse' ? '护士长' : staff.role === 'nurse' ? '护士' : ''
  return staff.name.endsWith(title) ? staff.name : `${staff.name}${title}`
}

/** The welcome text (F14): the nurse and the hospital by name; known patients are pointed to the mini-program. */
export const welcomeText = (o: { hospital: string; member: string; patientKnown: boolean }): string =>
  o.patientKnown
    ? `您好，我是${o.hospital}的${o.member}，很高兴为您服务。您已关联「${o.hospital}」小程序，随访计划、复诊提醒和健康宣教都可以在小程序里查看；有任何不适或疑问，随时在这里给我留言。`
    : `您好，我是${o.hospital}的${o.member}，很高兴为您服务。在微信中搜索「${o.hospital}」小程序并登录，即可查看随访计划、复诊提醒和健康宣教；有任何不适或疑问，随时在这里给我留言。`

const unionidOf = (c: ExternalContact | undefined): string | null =>
  typeof c?.unionid === 'string' && c.unionid ? c.unionid : null

export const createWecomContactService = (deps: {
  wecom: WecomClient | undefined
  contacts: WecomContactRepo
  identities: WecomIdentityRepo
  tagSync: WecomTagSync
  staffByWecomUserId(userid: string): Promise<StaffRecord | null>
  hospitalName: string
  clock: Clock
  logger: Logger
  states?: StateResolver
  sink?: ContactEventSink
}): WecomContactService => {
  const { wecom, contacts, identities, tagSync, clock } = deps
  const log = deps.logger.child({ module: 'wecom-contacts' })
  const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

  const staffOf = (userId: string): Promise<StaffRecord | null> =>
    deps.staffByWecomUserId(userId).catch(() => null)

  const added = async (e: ContactEvent, userId: string, ext: string, at: Date): Promise<string> => {
    const pair = { userId, externalUserId: ext }
    // 1. who is it (fast: one WeCom read and a few indexed look-ups)
    let contact: ExternalContact | undefined
    let readError: Error | undefined
    if (wecom) {
      try {
        contact = await wecom.getExternalContact(ext)
      } catch (err) {
        // the welcome still goes out; the event fails afterwards and is retried for the rest
        readError = err instanceof Error ? err : new Error(String(err))
      }
    }
    let statePatientId: string | null = null
    if (e.state && deps.states) {
      statePatientId = await deps.states.patientOfState(e.state).catch((err: unknown) => {
        log.warn({ err: errText(err) }, 'state resolver failed')
        return null
      })
    }
    const patientId = await identities.resolve({
      externalUserId: ext,
      unionid: unionidOf(contact),
      statePatientId,
      at: clock.now(),
    })

    // 2. the welcome message, before anything slow (never queued: the code lives 20 s)
    let welcome: { status: string; error?: string } | null = null
    if (e.welcomeCode) {
      if (!wecom) welcome = { status: 'unavailable', error: 'WeCom is not configured' }
      else {
        const staff = await staffOf(userId)
        const text = welcomeText({
          hospital: deps.hospitalName,
          member: memberTitle(staff),
          patientKnown: patientId !== null,
        })
        try {
          await wecom.sendWelcomeMsg(e.welcomeCode, text)
          welcome = { status: 'sent' }
        } catch (err) {
          if (err instanceof WecomApiError && err.errcode === WELCOME_ALREADY_SENT)
            welcome = { status: 'already_sent' }
          else {
            welcome = { status: 'failed', error: errText(err) }
            log.warn({ userId, err: errText(err) }, 'welcome message failed')
          }
        }
      }
    }

    // 3. the follow relation
    const follow = contact?.follow_user.find((f) => f.userid === userId)
    const since = follow?.createtime ? new Date(follow.createtime * 1000) : at
    const current = await contacts.followed({
      ...pair,
      since,
      state: e.state ?? follow?.state ?? null,
      addWay: e.changeType as 'add_external_contact' | 'add_half_external_contact',
      at,
    })
    if (welcome && current) await contacts.setWelcome(pair, { ...welcome, at: clock.now() })

    // 4. the slow parts: tags both ways, the communities hook
    if (current && follow) {
      const staff = await staffOf(userId)
      await tagSync.applyPairTags({
        pair,
        patientId,
        followTags: follow.tags ?? [],
        memberName: `护士 ${staff?.name ?? userId}`,
        prev: 'none',
        at,
      })
    }
    if (current && patientId) await tagSync.pushAllTo(patientId, pair)
    if (deps.sink?.onContactAdded)
      await deps.sink.onContactAdded({ userId, externalUserId: ext, patientId, state: e.state }, at)

    if (readError) throw readError
    const parts = [
      current ? 'contact added' : 'stale add ignored',
      patientId ? 'patient linked' : 'patient unknown',
      `welcome ${welcome?.status ?? 'no code'}`,
    ]
    return parts.join('; ')
  }

  const edited = async (userId: string, ext: string, at: Date): Promise<string> => {
    if (!wecom) return 'ignored: WeCom not configured'
    const contact = await wecom.getExternalContact(ext)
    const follow = contact.follow_user.find((f) => f.userid === userId)
    if (!follow) return 'ignored: the member no longer follows the contact'
    const pair = { userId, externalUserId: ext }
    if (!(await contacts.find(pair)))
      await contacts.followed({
        ...pair,
        since: follow.createtime ? new Date(follow.createtime * 1000) : at,
        state: follow.state ?? null,
        addWay: 'add_external_contact',
        at,
      })
    const patientId = await identities.resolve({
      externalUserId: ext,
      unionid: unionidOf(contact),
      at: clock.now(),
    })
    const staff = await staffOf(userId)
    return tagSync.applyPairTags({
      pair,
      patientId,
      followTags: follow.tags ?? [],
      memberName: `护士 ${staff?.name ?? userId}`,
      prev: 'pair',
      at,
    })
  }

  return {
    async onContactEvent(e, at) {
      const userId = e.userId
      const ext = e.externalUserId
      if (!userId || !ext) return 'ignored: no UserID / ExternalUserID'
      switch (e.changeType) {
        case 'add_external_contact':
        case 'add_half_external_contact':
          return added(e, userId, ext, at)
        case 'edit_external_contact':
          return edited(userId, ext, at)
        case 'del_external_contact':
        case 'del_follow_user': {
          const by = e.changeType === 'del_external_contact' ? 'staff' : 'customer'
          const ok = await contacts.ended({ userId, externalUserId: ext, by, source: e.source ?? null, at })
          return ok ? `relation ended by ${by}` : 'stale delete ignored'
        }
        default:
          return `ignored: ${e.changeType}`
      }
    },
  }
}
