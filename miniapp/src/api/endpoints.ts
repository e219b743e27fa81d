import type {
  ClientConfig,
  LoginResponse,
  MeResponse,
  UpdateMeRequest,
  WechatLoginRequest,
} from '@careloop/shared'

import { apiBase } from '../env'
import { httpRequest } from './http'

const url = (path: string) => `${apiBase()}${path}`

/** The typed calls of the patient API (contracts in @careloop/shared). */
export const api = {
  clientConfig: () => httpRequest<ClientConfig>({ method: 'GET', url: url('/api/v1/client-config') }),

  wechatLogin: (body: WechatLoginRequest) =>
    httpRequest<LoginResponse>({ method: 'POST', url: url('/api/v1/auth/wechat/login'), data: body }),

  getMe: () => httpRequest<MeResponse>({ method: 'GET', url: url('/api/v1/me'), auth: true }),

  updateMe: (body: UpdateMeRequest) =>
    httpRequest<MeResponse>({ method: 'PUT', url: url('/api/v1/me'), data: body, auth: true }),
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
