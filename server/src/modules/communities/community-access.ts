import { AppError } from '@careloop/shared'
import type { StaffPrincipal } from '../../http/context'
import { WecomApiError } from '../../platform/wecom/wecom-client'
import type { CommunityDoc } from './community.model'
import type { CommunityRepo } from './community.repo'

/**
 * Which communities a staff member reaches: a nurse her own (she owns the WeCom group); head nurses,
 * admins and marketers all of them (route roles decide what each may do with them).
 */
export const ownerFilterOf = (p: Pick<StaffPrincipal, 'role' | 'staffId'>): string | undefined =>
  p.role === 'nurse' ? p.staffId : undefined

/** The community if the caller reaches it; otherwise 404, so existence does not leak. */
export const communityFor = async (
  repo: CommunityRepo,
  p: Pick<StaffPrincipal, 'role' | 'staffId'>,
  id: string,
): Promise<CommunityDoc> => {
  const c = await repo.findById(id)
  const owner = ownerFilterOf(p)
  if (!c || (owner && c.ownerNurseId.toHexString() !== owner))
    throw new AppError('COMMUNITY_NOT_FOUND', 'No such community in your scope')
  return c
}

export const wecomNotConfigured = (): AppError =>
  new AppError(
    'WECOM_NOT_CONFIGURED',
    'WeCom is not configured on this server (WECOM_CORP_ID, WECOM_AGENT_SECRET)',
  )

/** Runs a WeCom call on a request path: WeCom's refusals become 502 UPSTREAM_UNAVAILABLE with the errcode. */
export const upstream = async <T>(api: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run()
  } catch (e) {
    if (e instanceof WecomApiError)
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeCom ${api} refused: errcode ${e.errcode}`, {
        errcode: e.errcode,
      })
    throw e
  }
}
