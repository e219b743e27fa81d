import type {
  BindPhoneRequest,
  ClientConfig,
  ConsentsResponse,
  CreateProfileRequest,
  ExportResponse,
  JoinQrResponse,
  LoginResponse,
  MeResponse,
  MyCommunitiesResponse,
  PrivacyPolicy,
  ProfilesResponse,
  RefreshRequest,
  SetConsentRequest,
  UpdateMeRequest,
  WechatLoginRequest,
} from '@careloop/shared'

import { apiBase } from '../env'
import { httpRequest } from './http'

const url = (path: string) => `${apiBase()}${path}`

/** The typed calls of the patient API (contracts in @careloop/shared). Refresh lives in http.ts. */
export const api = {
  clientConfig: () => httpRequest<ClientConfig>({ method: 'GET', url: url('/api/v1/client-config') }),

  wechatLogin: (body: WechatLoginRequest) =>
    httpRequest<LoginResponse>({ method: 'POST', url: url('/api/v1/auth/wechat/login'), data: body }),

  logout: (body: RefreshRequest) =>
    httpRequest<null>({ method: 'POST', url: url('/api/v1/auth/logout'), data: body }),

  getMe: () => httpRequest<MeResponse>({ method: 'GET', url: url('/api/v1/me'), auth: true }),

  updateMe: (body: UpdateMeRequest) =>
    httpRequest<MeResponse>({ method: 'PUT', url: url('/api/v1/me'), data: body, auth: true }),

  bindPhone: (body: BindPhoneRequest) =>
    httpRequest<MeResponse>({ method: 'POST', url: url('/api/v1/me/phone'), data: body, auth: true }),

  listProfiles: () =>
    httpRequest<ProfilesResponse>({ method: 'GET', url: url('/api/v1/profiles'), auth: true }),

  createProfile: (body: CreateProfileRequest) =>
    httpRequest<ProfilesResponse>({ method: 'POST', url: url('/api/v1/profiles'), data: body, auth: true }),

  activateProfile: (id: string) =>
    httpRequest<ProfilesResponse>({
      method: 'POST',
      url: url(`/api/v1/profiles/${encodeURIComponent(id)}/activate`),
      auth: true,
    }),

  deleteProfile: (id: string) =>
    httpRequest<ProfilesResponse>({
      method: 'DELETE',
      url: url(`/api/v1/profiles/${encodeURIComponent(id)}`),
      auth: true,
    }),

  privacyPolicy: () => httpRequest<PrivacyPolicy>({ method: 'GET', url: url('/api/v1/privacy-policy') }),

  getConsents: () =>
    httpRequest<ConsentsResponse>({ method: 'GET', url: url('/api/v1/me/consents'), auth: true }),

  setConsent: (body: SetConsentRequest) =>
    httpRequest<ConsentsResponse>({
      method: 'POST',
      url: url('/api/v1/me/consents'),
      data: body,
      auth: true,
    }),

  exportMyData: () =>
    httpRequest<ExportResponse>({ method: 'GET', url: url('/api/v1/me/export'), auth: true }),

  eraseAccount: () => httpRequest<null>({ method: 'DELETE', url: url('/api/v1/me/account'), auth: true }),

  myCommunities: () =>
    httpRequest<MyCommunitiesResponse>({ method: 'GET', url: url('/api/v1/me/communities'), auth: true }),

  communityJoinQr: (id: string) =>
    httpRequest<JoinQrResponse>({
      method: 'POST',
      url: url(`/api/v1/me/communities/${encodeURIComponent(id)}/join-qr`),
      auth: true,
    }),
}

let clientConfigOnce: Promise<ClientConfig> | null = null

/** The deployment's client config, fetched once per app run (again after a failure). */
export function getClientConfig(): Promise<ClientConfig> {
  if (!clientConfigOnce) {
    clientConfigOnce = api.clientConfig().catch((e: unknown) => {
      clientConfigOnce = null
      throw e
    })
  }
  return clientConfigOnce
}

/** Tests only: forget the cached client config. */
export function resetClientConfigCache() {
  clientConfigOnce = null
}
