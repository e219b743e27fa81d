import type {
  BindPhoneRequest,
  ClientConfig,
  ConsentsResponse,
  CreateProfileRequest,
  ExportResponse,
  JoinQrResponse,
  InboxResponse,
  MyArticlesResponse,
  PatientArticle,
  RecordReadRequest,
  RecordReadResponse,
  LoginResponse,
  MeResponse,
  MyAnswersResponse,
  MyCommunitiesResponse,
  MyFollowupResponse,
  PublishedQuestionnaire,
  PushPreferences,
  ReadingsResponse,
  RecordSubscriptionsRequest,
  SetPushPreferencesRequest,
  StepDoneResponse,
  SubmitAnswerRequest,
  SubmitAnswerResponse,
  SubmitReadingRequest,
  SubmitReadingResponse,
  SubscriptionsResponse,
  UnreadCountResponse,
  PrivacyPolicy,
  ProfilesResponse,
  RefreshRequest,
  SetConsentRequest,
  UpdateMeRequest,
  WechatLoginRequest,
  CheckinResponse,
  CreateOrderRequest,
  CreateOrderResponse,
  MembershipOrder,
  MembershipPlansResponse,
  MembershipStatus,
  MyOrdersResponse,
  MyPointsResponse,
  MyRedemptionsResponse,
  MyRewardResponse,
  MyRewardsResponse,
  PointsLedgerResponse,
  PointsWaysResponse,
  RedeemRewardRequest,
  RedeemRewardResponse,
  Redemption,
  RedemptionStatus,
  RewardCategory,
} from '@careloop/shared'

import { apiBase } from '../env'
import { httpRequest } from './http'

const url = (path: string) => `${apiBase()}${path}`

/** `?a=1&b=2` of the defined values ('' when none). */
const query = (params: Record<string, string | number | undefined>) => {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}
const seg = encodeURIComponent

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

  // 随访 (F15–F19): plans and steps of a profile, questionnaires, readings
  myFollowup: (patientId?: string) =>
    httpRequest<MyFollowupResponse>({
      method: 'GET',
      url: url(`/api/v1/me/followup${query({ patientId })}`),
      auth: true,
    }),

  stepDone: (stepId: string) =>
    httpRequest<StepDoneResponse>({
      method: 'POST',
      url: url(`/api/v1/me/followup/steps/${seg(stepId)}/done`),
      auth: true,
    }),

  questionnaire: (id: string) =>
    httpRequest<PublishedQuestionnaire>({
      method: 'GET',
      url: url(`/api/v1/me/questionnaires/${seg(id)}`),
      auth: true,
    }),

  submitAnswer: (questionnaireId: string, body: SubmitAnswerRequest) =>
    httpRequest<SubmitAnswerResponse>({
      method: 'POST',
      url: url(`/api/v1/me/questionnaires/${seg(questionnaireId)}/answers`),
      data: body,
      auth: true,
    }),

  myAnswers: (patientId?: string) =>
    httpRequest<MyAnswersResponse>({
      method: 'GET',
      url: url(`/api/v1/me/answers${query({ patientId })}`),
      auth: true,
    }),

  submitReading: (body: SubmitReadingRequest) =>
    httpRequest<SubmitReadingResponse>({
      method: 'POST',
      url: url('/api/v1/me/readings'),
      data: body,
      auth: true,
    }),

  myReadings: (patientId?: string) =>
    httpRequest<ReadingsResponse>({
      method: 'GET',
      url: url(`/api/v1/me/readings${query({ patientId })}`),
      auth: true,
    }),

  // 健康科普 (F22): approved articles and read tracking
  myArticles: (category?: string) =>
    httpRequest<MyArticlesResponse>({
      method: 'GET',
      url: url(`/api/v1/me/articles${query({ category })}`),
      auth: true,
    }),

  myArticle: (id: string) =>
    httpRequest<PatientArticle>({ method: 'GET', url: url(`/api/v1/me/articles/${seg(id)}`), auth: true }),

  recordArticleRead: (id: string, body: RecordReadRequest) =>
    httpRequest<RecordReadResponse>({
      method: 'POST',
      url: url(`/api/v1/me/articles/${seg(id)}/reads`),
      data: body,
      auth: true,
    }),

  // 消息中心, subscribe messages and quiet hours (push engine, F20/F21)
  inbox: (cursor?: string) =>
    httpRequest<InboxResponse>({
      method: 'GET',
      url: url(`/api/v1/me/inbox${query({ cursor })}`),
      auth: true,
    }),

  inboxUnreadCount: () =>
    httpRequest<UnreadCountResponse>({
      method: 'GET',
      url: url('/api/v1/me/inbox/unread-count'),
      auth: true,
    }),

  readInboxMessage: (id: string) =>
    httpRequest<UnreadCountResponse>({
      method: 'POST',
      url: url(`/api/v1/me/inbox/${seg(id)}/read`),
      auth: true,
    }),

  readAllInbox: () =>
    httpRequest<UnreadCountResponse>({ method: 'POST', url: url('/api/v1/me/inbox/read-all'), auth: true }),

  recordSubscriptions: (body: RecordSubscriptionsRequest) =>
    httpRequest<SubscriptionsResponse>({
      method: 'POST',
      url: url('/api/v1/me/subscriptions'),
      data: body,
      auth: true,
    }),

  pushPreferences: () =>
    httpRequest<PushPreferences>({ method: 'GET', url: url('/api/v1/me/push-preferences'), auth: true }),

  setPushPreferences: (body: SetPushPreferencesRequest) =>
    httpRequest<PushPreferences>({
      method: 'PUT',
      url: url('/api/v1/me/push-preferences'),
      data: body,
      auth: true,
    }),

  // 积分 (F26–F28, F30): the active profile's balance, tier, history, ways to earn and check-in
  myPoints: () => httpRequest<MyPointsResponse>({ method: 'GET', url: url('/api/v1/me/points'), auth: true }),

  myPointsLedger: (cursor?: string, limit = 20) =>
    httpRequest<PointsLedgerResponse>({
      method: 'GET',
      url: url(`/api/v1/me/points/ledger${query({ cursor, limit })}`),
      auth: true,
    }),

  myPointsWays: () =>
    httpRequest<PointsWaysResponse>({ method: 'GET', url: url('/api/v1/me/points/ways'), auth: true }),

  pointsCheckin: () =>
    httpRequest<CheckinResponse>({
      method: 'POST',
      url: url('/api/v1/me/points/checkin'),
      data: {},
      auth: true,
    }),

  // 积分商城 (F29): rewards, redemptions (idempotent by requestId), cancelling before check-off
  myRewards: (category?: RewardCategory) =>
    httpRequest<MyRewardsResponse>({
      method: 'GET',
      url: url(`/api/v1/me/rewards${query({ category })}`),
      auth: true,
    }),

  myReward: (id: string) =>
    httpRequest<MyRewardResponse>({ method: 'GET', url: url(`/api/v1/me/rewards/${seg(id)}`), auth: true }),

  redeemReward: (id: string, body: RedeemRewardRequest) =>
    httpRequest<RedeemRewardResponse>({
      method: 'POST',
      url: url(`/api/v1/me/rewards/${seg(id)}/redeem`),
      data: body,
      auth: true,
    }),

  myRedemptions: (status?: RedemptionStatus) =>
    httpRequest<MyRedemptionsResponse>({
      method: 'GET',
      url: url(`/api/v1/me/redemptions${query({ status })}`),
      auth: true,
    }),

  myRedemption: (id: string) =>
    httpRequest<Redemption>({ method: 'GET', url: url(`/api/v1/me/redemptions/${seg(id)}`), auth: true }),

  cancelMyRedemption: (id: string) =>
    httpRequest<Redemption>({
      method: 'POST',
      url: url(`/api/v1/me/redemptions/${seg(id)}/cancel`),
      auth: true,
    }),

  // 付费会员 (F31, F32): plans, status and quotas, orders paid with WeChat Pay, receipts
  membershipPlans: () =>
    httpRequest<MembershipPlansResponse>({
      method: 'GET',
      url: url('/api/v1/me/membership/plans'),
      auth: true,
    }),

  myMembership: () =>
    httpRequest<MembershipStatus>({ method: 'GET', url: url('/api/v1/me/membership'), auth: true }),

  createMembershipOrder: (body: CreateOrderRequest) =>
    httpRequest<CreateOrderResponse>({
      method: 'POST',
      url: url('/api/v1/me/membership/orders'),
      data: body,
      auth: true,
    }),

  myOrders: () => httpRequest<MyOrdersResponse>({ method: 'GET', url: url('/api/v1/me/orders'), auth: true }),

  myOrder: (id: string) =>
    httpRequest<MembershipOrder>({ method: 'GET', url: url(`/api/v1/me/orders/${seg(id)}`), auth: true }),

  syncOrder: (id: string) =>
    httpRequest<MembershipOrder>({
      method: 'POST',
      url: url(`/api/v1/me/orders/${seg(id)}/sync`),
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
