import { apiRoutes, ErrorBody, type ApiRoute } from '@careloop/shared'
import { useServerHarness } from '../../../../tests/src/harness/server-harness'
import { accountModel } from '../accounts/account.model'
import { patientModel } from './patient.model'

/**
 * Bad input on every patient-side route that takes input: 400 VALIDATION_FAILED naming the field,
 * and nothing written. The first test fails when a new route with input has no case here.
 */
const h = useServerHarness()
let token = ''

beforeAll(async () => {
  const s = await h.login('input-checker')
  token = s.accessToken
  const policy = (await h.request('GET', '/api/v1/privacy-policy')).body as { version: string }
  await h.request('POST', '/api/v1/me/consents', {
    token,
    body: { purpose: 'care', granted: true, policyVersion: policy.version },
  })
})

const cases: {
  route: string
  method: string
  path: string
  body?: unknown
  field: string
  auth?: boolean
}[] = [
  {
    route: 'wechatLogin',
    method: 'POST',
    path: '/api/v1/auth/wechat/login',
    body: { code: '' },
    field: 'code',
  },
  {
    route: 'refresh',
    method: 'POST',
    path: '/api/v1/auth/refresh',
    body: { refreshToken: 'short' },
    field: 'refreshToken',
  },
  { route: 'logout', method: 'POST', path: '/api/v1/auth/logout', body: {}, field: 'refreshToken' },
  {
    route: 'updateMe',
    method: 'PUT',
    path: '/api/v1/me',
    body: { name: '王'.repeat(21) },
    field: 'name',
    auth: true,
  },
  {
    route: 'bindPhone',
    method: 'POST',
    path: '/api/v1/me/phone',
    body: { code: 42 },
    field: 'code',
    auth: true,
  },
  {
    route: 'createProfile',
    method: 'POST',
    path: '/api/v1/profiles',
    body: { name: '母亲', relation: 'aunt', proxyConsent: true },
    field: 'relation',
    auth: true,
  },
  {
    route: 'activateProfile',
    method: 'POST',
    path: '/api/v1/profiles/not-an-id/activate',
    field: 'id',
    auth: true,
  },
  { route: 'deleteProfile', method: 'DELETE', path: '/api/v1/profiles/xyz', field: 'id', auth: true },
  {
    route: 'setConsent',
    method: 'POST',
    path: '/api/v1/me/consents',
    body: { purpose: 'care', granted: true, policyVersion: '' },
    field: 'policyVersion',
    auth: true,
  },
  {
    route: 'communityJoinQr',
    method: 'POST',
    path: '/api/v1/me/communities/not-an-id/join-qr',
    field: 'communityId',
    auth: true,
  },
  {
    route: 'myQuestionnaire',
    method: 'GET',
    path: '/api/v1/me/questionnaires/not-an-id',
    field: 'id',
    auth: true,
  },
  {
    route: 'submitAnswer',
    method: 'POST',
    path: '/api/v1/me/questionnaires/000000000000000000000000/answers',
    body: { patientId: '000000000000000000000000', answers: {} },
    field: 'requestId',
    auth: true,
  },
  {
    route: 'myAnswers',
    method: 'GET',
    path: '/api/v1/me/answers?patientId=42',
    field: 'patientId',
    auth: true,
  },
  {
    route: 'submitReading',
    method: 'POST',
    path: '/api/v1/me/readings',
    body: {
      patientId: '000000000000000000000000',
      requestId: 'reading-bad-1',
      kind: 'temperature',
      value: 37,
    },
    field: 'kind',
    auth: true,
  },
  {
    route: 'myReadings',
    method: 'GET',
    path: '/api/v1/me/readings?kind=temperature',
    field: 'kind',
    auth: true,
  },
  {
    route: 'setPushPreferences',
    method: 'PUT',
    path: '/api/v1/me/push-preferences',
    body: { quietHours: { start: '22:00', end: '7:00' } },
    field: 'quietHours.end',
    auth: true,
  },
  {
    route: 'recordSubscriptions',
    method: 'POST',
    path: '/api/v1/me/subscriptions',
    body: { results: { 'tmpl-followup-reminder': 'maybe' }, scene: 'enrol' },
    field: 'results.tmpl-followup-reminder',
    auth: true,
  },
  { route: 'listInbox', method: 'GET', path: '/api/v1/me/inbox?limit=500', field: 'limit', auth: true },
  {
    route: 'readInboxMessage',
    method: 'POST',
    path: '/api/v1/me/inbox/not-an-id/read',
    field: 'id',
    auth: true,
  },
  {
    route: 'myFollowup',
    method: 'GET',
    path: '/api/v1/me/followup?patientId=42',
    field: 'patientId',
    auth: true,
  },
  {
    route: 'myStepDone',
    method: 'POST',
    path: '/api/v1/me/followup/steps/not-an-id/done',
    field: 'id',
    auth: true,
  },
  {
    route: 'createMembershipOrder',
    method: 'POST',
    path: '/api/v1/me/membership/orders',
    body: { planCode: 'monthly' },
    field: 'requestId',
    auth: true,
  },
  { route: 'myMembershipOrder', method: 'GET', path: '/api/v1/me/orders/not-an-id', field: 'id', auth: true },
  {
    route: 'syncMembershipOrder',
    method: 'POST',
    path: '/api/v1/me/orders/not-an-id/sync',
    field: 'id',
    auth: true,
  },
  { route: 'myArticles', method: 'GET', path: '/api/v1/me/articles?limit=0', field: 'limit', auth: true },
  { route: 'myArticle', method: 'GET', path: '/api/v1/me/articles/not-an-id', field: 'id', auth: true },
  {
    route: 'recordArticleRead',
    method: 'POST',
    path: '/api/v1/me/articles/000000000000000000000000/reads',
    body: { readId: 'read-bad-0001', event: 'scroll', seconds: 5 },
    field: 'event',
    auth: true,
  },
  {
    route: 'recordArticleRead',
    method: 'POST',
    path: '/api/v1/me/articles/000000000000000000000000/reads',
    body: { readId: 'read-bad-0002', event: 'progress', seconds: -1 },
    field: 'seconds',
    auth: true,
  },
  {
    route: 'myRewards',
    method: 'GET',
    path: '/api/v1/me/rewards?category=food',
    field: 'category',
    auth: true,
  },
  { route: 'myReward', method: 'GET', path: '/api/v1/me/rewards/not-an-id', field: 'id', auth: true },
  {
    route: 'redeemReward',
    method: 'POST',
    path: '/api/v1/me/rewards/000000000000000000000000/redeem',
    body: {},
    field: 'requestId',
    auth: true,
  },
  {
    route: 'myRedemptions',
    method: 'GET',
    path: '/api/v1/me/redemptions?status=lost',
    field: 'status',
    auth: true,
  },
  { route: 'myRedemption', method: 'GET', path: '/api/v1/me/redemptions/not-an-id', field: 'id', auth: true },
  {
    route: 'cancelMyRedemption',
    method: 'POST',
    path: '/api/v1/me/redemptions/not-an-id/cancel',
    field: 'id',
    auth: true,
  },
  {
    route: 'myPoints',
    method: 'GET',
    path: '/api/v1/me/points?patientId=42',
    field: 'patientId',
    auth: true,
  },
  {
    route: 'myPointsLedger',
    method: 'GET',
    path: '/api/v1/me/points/ledger?limit=500',
    field: 'limit',
    auth: true,
  },
  {
    route: 'myPointsWays',
    method: 'GET',
    path: '/api/v1/me/points/ways?patientId=x',
    field: 'patientId',
    auth: true,
  },
  {
    route: 'pointsCheckin',
    method: 'POST',
    path: '/api/v1/me/points/checkin',
    body: { patientId: 'not-an-id' },
    field: 'patientId',
    auth: true,
  },
]

it('covers every patient-side route that takes input', () => {
  const withInput = Object.values(apiRoutes as Record<string, ApiRoute>)
    .filter((r) => r.auth === 'patient' || (r.auth === 'public' && r.path.startsWith('/api/v1/auth/')))
    .filter((r) => r.body || r.query || r.params)
    .map((r) => r.id)
  expect(new Set(cases.map((c) => c.route))).toEqual(new Set(withInput))
})

it.each(cases.map((c) => [c.route, c] as const))(
  '%s → 400 naming the field, nothing written',
  async (_n, c) => {
    const before = [await accountModel(h.db).countDocuments(), await patientModel(h.db).countDocuments()]
    const r = await h.request(c.method, c.path, { token: c.auth ? token : undefined, body: c.body })
    expect(r.status).toBe(400)
    const err = ErrorBody.parse(r.body).error
    expect(err.code).toBe('VALIDATION_FAILED')
    expect((err.details as { path: string }[]).map((d) => d.path)).toContain(c.field)
    expect([await accountModel(h.db).countDocuments(), await patientModel(h.db).countDocuments()]).toEqual(
      before,
    )
  },
)
