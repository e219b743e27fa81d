import { apiRoutes, ErrorBody, STAFF_ROLES, type ApiRoute, type StaffRole } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { tagGroupModel, tagModel } from '../tags/tag.model'
import { tagRuleModel } from '../tag-rules/tag-rule.model'
import { patientModel } from '../patients/patient.model'
import { staffModel } from './staff.model'
import { seedCommunityFixture, type CommunityFixture } from '../../../../tests/src/harness/community-fixture'
import { outboxModel } from '../push/outbox.model'
import { taskModel } from '../tasks/task.model'
import { toRowDoc } from '../push/outbox.repo'
import { postSurgeryCheck, satisfactionSurvey } from '../../../../tests/src/harness/questionnaire-fixture'
import { MEMBERSHIP_FIXTURE, seedMembershipFixture } from '../../../../tests/src/harness/membership-fixture'
import { articleIn, cleanArticle } from '../../../../tests/src/harness/content-fixture'
import { seedMatrixCampaigns, type MatrixCampaigns } from '../../../../tests/src/harness/campaign-fixture'
import { seedRewardFixture, type RewardFixture } from '../../../../tests/src/harness/rewards-fixture'
import { DEFAULT_TIERS } from '../points/points-rules'

const h = useStaffHarness()

const USER_OF: Record<StaffRole, string> = {
  admin: 'admin',
  nurse: 'nurse.li',
  head_nurse: 'headnurse.wang',
  marketer: 'marketing.zhao',
}
const tokens = {} as Record<StaffRole, string>
let patientId = ''
let staffId = ''
let seq = 0

const codeOf = (body: unknown): string => ErrorBody.parse(body).error.code
const detailsOf = (body: unknown): { path: string; message: string }[] =>
  ErrorBody.parse(body).error.details as { path: string; message: string }[]

const staffRouteList = Object.values(apiRoutes as Record<string, ApiRoute>).filter((r) => r.auth === 'staff')
const patientRouteList = Object.values(apiRoutes as Record<string, ApiRoute>).filter(
  (r) => r.auth === 'patient',
)

/** A request every allowed role can make successfully (valid ids, valid bodies). */
let tagGroupId = ''
let nurseLiId = ''
let tagId = ''
let tagRuleId = ''
let community: CommunityFixture
/** A queued outbox row (retrying a queued row answers it unchanged). */
let outboxRowId = ''
/** Questionnaires: one to read and edit, a satisfaction survey (marketers' stats), one to publish, one to archive. */
const qn = { clinical: '', satisfaction: '', toPublish: '', toArchive: '' }
/** Follow-up: a plan, the fixture patient's enrolment in it (paused, resumed, then stopped), a task of nurse.li. */
const fu = { planId: '', enrolmentId: '', taskId: '' }
/** Membership: a paid order of the fixture patient (with a settled refund) and an active membership. */
const ms = { orderId: '' }
/**
 * Content (F22): a draft to read and edit, a draft to submit (idempotent), and articles awaiting
 * clinical / compliance review — one per call (each review decides an article once).
 */
const ct = { draft: '', toSubmit: '', clinical: [] as string[], compliance: [] as string[] }
/** Campaigns: a draft with a run, one to submit, one pending approval, one approved (pause → resume → cancel). */
let cmp: MatrixCampaigns
/** Rewards mall: rewards to edit and deactivate; issued redemptions of the fixture patient to fulfil and cancel. */
let rw: RewardFixture
const matrixCampaign = () => ({
  name: `矩阵活动${++seq}`,
  segment: { expression: '矩阵标签' },
  content: { kind: 'template', title: '矩阵', body: '矩阵消息' },
  channels: ['inbox'],
  schedule: { kind: 'now' },
})

const sampleRequest = (r: ApiRoute): { path: string; body?: unknown } => {
  const id = r.path.startsWith('/api/v1/admin/staff') ? staffId : patientId
  const path = r.path.replace(':id', id)
  switch (r.id) {
    case 'createStaff':
      return {
        path,
        body: { username: `matrix.${++seq}`, name: '测试', role: 'nurse', password: 'matrix-pass-123' },
      }
    case 'updateStaff':
      return { path, body: { name: `改名${++seq}` } }
    case 'assignNurse':
      // keep the fixture patient nurse.li's, so later nurse-scoped routes still reach it
      return { path, body: { nurseId: nurseLiId } }
    case 'previewSegment':
      return { path, body: { expression: '矩阵标签 OR age>=60' } }
    case 'saveSegment':
      return { path, body: { name: `分群${++seq}`, expression: '矩阵标签' } }
    case 'createTagGroup':
      return { path, body: { name: `分组${++seq}`, kind: 'other' } }
    case 'createTag':
      return { path: r.path.replace(':id', tagGroupId), body: { name: `标签${++seq}` } }
    case 'assignTag':
      return { path, body: { tagId, reason: '矩阵测试' } }
    case 'unassignTag':
      return { path: `${path.replace(':tagId', tagId)}?reason=${encodeURIComponent('矩阵测试')}` }
    case 'createTagRule':
      return {
        path,
        body: { name: `规则${++seq}`, tagId, condition: { all: [{ attr: 'age', op: '>=', value: 60 }] } },
      }
    case 'updateTagRule':
      return { path: r.path.replace(':id', tagRuleId), body: { enabled: true } }
    case 'deleteTagRule':
      // idempotent: deleting a rule that does not exist answers the list
      return { path: r.path.replace(':id', new Types.ObjectId().toHexString()) }
    case 'runTagRule':
      return { path: r.path.replace(':id', tagRuleId) }
    case 'previewTagRule':
      return { path, body: { condition: { any: [{ event: 'diagnosis', codePrefix: 'E11' }] } } }
    case 'recordPatientEvent':
      return { path, body: { kind: 'diagnosis', code: 'E11.9', at: '2024-01-01T00:00:00Z' } }
    case 'importTags':
      return { path, body: { csv: `patient,tag\n${patientId},矩阵标签\n`, reason: '矩阵测试', dryRun: true } }
    case 'getCommunity':
    case 'listGroupSop':
      return { path: r.path.replace(':id', community.communityId) }
    case 'updateCommunity':
      return { path: r.path.replace(':id', community.communityId), body: { description: `矩阵${++seq}` } }
    case 'createCommunity':
      return {
        path,
        body: {
          name: `矩阵社群${++seq}`,
          diseaseTagId: community.tagId,
          ownerNurseId: nurseLiId,
          chatId: community.spareChatIds.shift(),
        },
      }
    case 'listWecomGroups':
      return { path: `${r.path}?ownerNurseId=${nurseLiId}` }
    case 'createGroupSop':
      return {
        path: r.path.replace(':id', community.communityId),
        body: { text: `矩阵群发${++seq}`, sendAt: community.sendAt },
      }
    case 'cancelGroupSop':
      // idempotent: cancelling a cancelled item answers it again
      return { path: r.path.replace(':id', community.communityId).replace(':itemId', community.sopItemId) }
    case 'getQuestionnaire':
      return { path: r.path.replace(':id', qn.clinical) }
    case 'createQuestionnaire':
      return { path, body: postSurgeryCheck(`矩阵问卷${++seq}`) }
    case 'updateQuestionnaire':
      return { path: r.path.replace(':id', qn.clinical), body: postSurgeryCheck(`矩阵改版${++seq}`) }
    case 'publishQuestionnaire':
      // idempotent: publishing a published questionnaire answers it again
      return { path: r.path.replace(':id', qn.toPublish) }
    case 'archiveQuestionnaire':
      // idempotent: archiving an archived questionnaire answers it again
      return { path: r.path.replace(':id', qn.toArchive) }
    case 'questionnaireStats':
      return { path: r.path.replace(':id', qn.satisfaction) }
    case 'retryOutbox':
      return { path: r.path.replace(':id', outboxRowId) }
    case 'getPlan':
      return { path: r.path.replace(':id', fu.planId) }
    case 'updatePlan':
      return { path: r.path.replace(':id', fu.planId), body: { description: `矩阵${++seq}` } }
    case 'createPlan':
      return {
        path,
        body: {
          name: `矩阵方案${++seq}`,
          anchor: 'enrolment',
          steps: [{ offsetDays: 1, kind: 'reminder', title: '矩阵提醒', windowDays: 1 }],
        },
      }
    case 'enrolPatient':
      // idempotent: the fixture patient's running enrolment is answered again
      return { path, body: { planId: fu.planId } }
    case 'pauseEnrolment':
    case 'resumeEnrolment':
    case 'stopEnrolment':
      // each idempotent; run in catalogue order: pause, resume, stop
      return { path: r.path.replace(':id', fu.enrolmentId) }
    case 'completeTask':
      // idempotent: completing a done task answers it again
      return { path: r.path.replace(':id', fu.taskId), body: {} }
    case 'saveMembershipPlan':
      return {
        path: r.path.replace(':code', 'matrix'),
        body: { name: `矩阵会员${++seq}`, period: 'month', priceFen: 100, tier: 'silver', active: false },
      }
    case 'getMembershipOrder':
      return { path: r.path.replace(':id', ms.orderId) }
    case 'refundMembershipOrder':
      // idempotent: the fixture's settled refund is answered again (no WeChat Pay call)
      return {
        path: r.path.replace(':id', ms.orderId),
        body: { amountFen: 100, reason: '矩阵退款', requestId: MEMBERSHIP_FIXTURE.refundRequestId },
      }
    case 'getArticle':
    case 'articleStats':
      return { path: r.path.replace(':id', ct.draft) }
    case 'createArticle':
      return { path, body: cleanArticle(`矩阵文章${++seq}`) }
    case 'updateArticle':
      return { path: r.path.replace(':id', ct.draft), body: { summary: `矩阵${++seq}` } }
    case 'submitArticle':
      // idempotent: submitting a submitted version answers it again
      return { path: r.path.replace(':id', ct.toSubmit), body: { version: 1 } }
    case 'clinicalReview':
      return { path: r.path.replace(':id', ct.clinical.shift()!), body: { version: 1, decision: 'approve' } }
    case 'complianceReview':
      return {
        path: r.path.replace(':id', ct.compliance.shift()!),
        body: { version: 1, decision: 'approve' },
      }
    case 'putBlockedClaims':
      return { path, body: { phrases: ['治愈率', '根治', '保证疗效', '包治', '无副作用'] } }
    case 'createCampaign':
      return { path, body: matrixCampaign() }
    case 'getCampaign':
    case 'previewCampaign':
    case 'campaignStats':
      return { path: r.path.replace(':id', cmp.draft) }
    case 'updateCampaign':
      return { path: r.path.replace(':id', cmp.draft), body: matrixCampaign() }
    case 'submitCampaign':
      // idempotent: submitting a pending campaign answers it again
      return { path: r.path.replace(':id', cmp.toSubmit) }
    case 'decideCampaign':
      // idempotent: approving an approved campaign answers it again
      return { path: r.path.replace(':id', cmp.pending), body: { decision: 'approve' } }
    case 'pauseCampaign':
    case 'resumeCampaign':
    case 'cancelCampaign':
      // each idempotent; run in catalogue order: pause, resume, cancel
      return { path: r.path.replace(':id', cmp.live) }
    case 'getCampaignRun':
      return { path: r.path.replace(':id', cmp.draft).replace(':runId', cmp.runId) }
    case 'consumeQuota':
      // idempotent: the first allowed role uses one consult, the others answer it again
      return { path, body: { kind: 'nurse_consult', requestId: MEMBERSHIP_FIXTURE.quotaRequestId } }
    case 'createReward':
      return { path, body: { name: `矩阵礼品${++seq}`, category: 'coupon', pointsCost: 10, stock: 5 } }
    case 'updateReward':
      return { path: r.path.replace(':id', rw.rewardId), body: { description: `矩阵${++seq}` } }
    case 'restockReward':
      // idempotent by requestId: the first allowed role restocks, the others answer it again
      return { path: r.path.replace(':id', rw.rewardId), body: { requestId: 'matrix-restock-1', delta: 1 } }
    case 'deactivateReward':
      // idempotent: deactivating an inactive reward answers it again
      return { path: r.path.replace(':id', rw.toDeactivate) }
    case 'fulfilRedemption':
      // idempotent: fulfilling a fulfilled redemption answers it again
      return { path: r.path.replace(':id', rw.toFulfil), body: { code: rw.fulfilCode } }
    case 'cancelRedemption':
      // idempotent: cancelling a cancelled redemption answers it again (the patient is nurse.li's)
      return { path: r.path.replace(':id', rw.toCancel), body: { reason: '矩阵测试' } }
    case 'updatePointsRule':
      return { path: r.path.replace(':rule', 'lecture'), body: { enabled: true } }
    case 'updatePointsTiers':
      return { path, body: { tiers: DEFAULT_TIERS } }
    case 'adjustPoints':
      return { path, body: { amount: 5, reason: '矩阵测试', requestId: `matrix-adjust-${++seq}` } }
    default:
      return { path }
  }
}

beforeAll(async () => {
  await h.seedStaff()
  for (const role of STAFF_ROLES) tokens[role] = (await h.staffLogin(USER_OF[role])).accessToken
  const nurse = await staffModel(h.db).findOne({ username: 'nurse.li' }).lean()
  const p = await patientModel(h.db).create({
    accountId: new Types.ObjectId(),
    relation: 'self',
    name: '王秀英',
    assignedNurseId: nurse!._id,
  })
  patientId = p._id.toHexString()
  nurseLiId = nurse!._id.toHexString()
  tagGroupId = (await tagGroupModel(h.db).create({ name: '矩阵', kind: 'other' }))._id.toHexString()
  tagId = (await tagModel(h.db).create({ groupId: tagGroupId, name: '矩阵标签' }))._id.toHexString()
  tagRuleId = (
    await tagRuleModel(h.db).create({ name: '矩阵规则', tagId, condition: { any: [{ event: 'visit' }] } })
  )._id.toHexString()
  staffId = (
    await staffModel(h.db).create({ username: 'target', name: '目标', role: 'nurse', passwordHash: 'x' })
  )._id.toHexString()
  community = await seedCommunityFixture(h, { adminToken: tokens.admin, nurseId: nurseLiId })
  outboxRowId = (
    await outboxModel(h.db).collection.insertOne(
      toRowDoc(
        {
          dedupeKey: 'matrix-outbox-row',
          purpose: 'care',
          dueAt: new Date('2099-01-01T00:00:00Z'),
          patientId,
          channels: ['inbox'],
          content: { title: '矩阵', body: '矩阵消息' },
          source: { kind: 'matrix', id: '1' },
        },
        h.clock.now(),
      ) as never,
    )
  ).insertedId.toHexString()
  for (const [k, def] of [
    ['clinical', postSurgeryCheck()],
    ['satisfaction', satisfactionSurvey()],
    ['toPublish', postSurgeryCheck()],
    ['toArchive', postSurgeryCheck()],
  ] as const) {
    const r = await h.request('POST', '/api/v1/staff/questionnaires', { token: tokens.admin, body: def })
    qn[k] = (r.body as { id: string }).id
  }
  fu.planId = (
    (
      await h.request('POST', '/api/v1/staff/followup/plans', {
        token: tokens.admin,
        body: {
          name: '矩阵随访',
          anchor: 'enrolment',
          steps: [{ offsetDays: 1, kind: 'reminder', title: '矩阵提醒', windowDays: 1 }],
        },
      })
    ).body as { id: string }
  ).id
  fu.enrolmentId = (
    (
      await h.request('POST', `/api/v1/staff/patients/${patientId}/enrolments`, {
        token: tokens.nurse,
        body: { planId: fu.planId },
      })
    ).body as { enrolment: { id: string } }
  ).enrolment.id
  fu.taskId = (
    await taskModel(h.db).create({
      dedupeKey: 'matrix-task',
      patientId: new Types.ObjectId(patientId),
      nurseId: nurse!._id,
      kind: 'manual',
      priority: 'normal',
      title: '矩阵任务',
      dueAt: h.clock.now(),
      source: { kind: 'matrix', id: '1' },
    })
  )._id.toHexString()
  ms.orderId = (await seedMembershipFixture(h.db, patientId, h.clock)).orderId
  cmp = await seedMatrixCampaigns(h, '矩阵标签')
  rw = await seedRewardFixture(h.db, patientId, h.clock.now())
  const writers = { marketer: tokens.marketer, head: tokens.head_nurse, admin: tokens.admin }
  ct.draft = (await articleIn(h, writers, 'draft')).id
  ct.toSubmit = (await articleIn(h, writers, 'draft')).id
  for (let i = 0; i < 6; i++) {
    ct.clinical.push((await articleIn(h, writers, 'clinical_review')).id)
    ct.compliance.push((await articleIn(h, writers, 'compliance_review')).id)
  }
})

describe('the role × route permission matrix', () => {
  it('covers every staff route of the catalogue', () => {
    expect(staffRouteList.map((r) => r.id).sort()).toEqual(
      [
        'assignNurse',
        'assignTag',
        'createStaff',
        'createTag',
        'createTagGroup',
        'listTagGroups',
        'listSegments',
        'previewSegment',
        'saveSegment',
        'patientTags',
        'unassignTag',
        'listTagRules',
        'createTagRule',
        'updateTagRule',
        'deleteTagRule',
        'runTagRule',
        'previewTagRule',
        'recordPatientEvent',
        'listPatientEvents',
        'importTags',
        'getPatient',
        'listAudit',
        'listPatients',
        'listStaff',
        'listNurses',
        'staffMe',
        'updateStaff',
        'listCommunities',
        'getCommunity',
        'createCommunity',
        'updateCommunity',
        'listWecomGroups',
        'listGroupSop',
        'createGroupSop',
        'cancelGroupSop',
        'listOutbox',
        'pushStats',
        'retryOutbox',
        'pendingGroupSends',
        'listQuestionnaires',
        'getQuestionnaire',
        'createQuestionnaire',
        'updateQuestionnaire',
        'publishQuestionnaire',
        'archiveQuestionnaire',
        'questionnaireStats',
        'patientAnswers',
        'patientReadings',
        'listPlans',
        'getPlan',
        'createPlan',
        'updatePlan',
        'followupRates',
        'enrolPatient',
        'patientEnrolments',
        'pauseEnrolment',
        'resumeEnrolment',
        'stopEnrolment',
        'listTasks',
        'completeTask',
        'staffMembershipPlans',
        'saveMembershipPlan',
        'listMembershipOrders',
        'getMembershipOrder',
        'refundMembershipOrder',
        'patientMembership',
        'consumeQuota',
        'listCampaigns',
        'createCampaign',
        'getCampaign',
        'updateCampaign',
        'submitCampaign',
        'decideCampaign',
        'previewCampaign',
        'pauseCampaign',
        'resumeCampaign',
        'cancelCampaign',
        'campaignStats',
        'getCampaignRun',
        'listArticles',
        'createArticle',
        'getArticle',
        'updateArticle',
        'submitArticle',
        'clinicalReview',
        'complianceReview',
        'articleStats',
        'getBlockedClaims',
        'putBlockedClaims',
        'listRewards',
        'createReward',
        'updateReward',
        'restockReward',
        'deactivateReward',
        'listRedemptions',
        'fulfilRedemption',
        'cancelRedemption',
        'listPointsRules',
        'updatePointsRule',
        'getPointsTiers',
        'updatePointsTiers',
        'patientPoints',
        'adjustPoints',
        'pointsLiability',
      ].sort(),
    )
    for (const r of staffRouteList) expect(r.roles?.length).toBeGreaterThan(0)
  })

  for (const route of staffRouteList)
    for (const role of STAFF_ROLES) {
      const allowed = route.roles!.includes(role)
      it(`${route.method.toUpperCase()} ${route.path} as ${role} → ${allowed ? 'allowed' : '403'}`, async () => {
        const { path, body } = sampleRequest(route)
        const r = await h.request(route.method.toUpperCase(), path, { token: tokens[role], body })
        if (allowed) {
          expect([401, 403]).not.toContain(r.status)
          expect(r.status).toBe(route.status ?? 200)
        } else {
          expect(r.status).toBe(403)
          expect(codeOf(r.body)).toBe('FORBIDDEN')
        }
      })
    }

  it('refuses every staff route without a token (401) and with a patient token (403)', async () => {
    const patient = await h.login('matrix-patient')
    for (const route of staffRouteList) {
      const { path, body } = sampleRequest(route)
      const none = await h.request(route.method.toUpperCase(), path, { body })
      expect([route.id, none.status]).toEqual([route.id, 401])
      expect(codeOf(none.body)).toBe('AUTH_REQUIRED')
      const asPatient = await h.request(route.method.toUpperCase(), path, {
        body,
        token: patient.accessToken,
      })
      expect([route.id, asPatient.status]).toEqual([route.id, 403])
      expect(codeOf(asPatient.body)).toBe('FORBIDDEN')
    }
  })

  it('refuses every patient route to every staff role (403)', async () => {
    expect(patientRouteList.length).toBeGreaterThan(0)
    for (const route of patientRouteList)
      for (const role of STAFF_ROLES) {
        const path = route.path.replace(/:\w+/g, new Types.ObjectId().toHexString())
        const body = route.method === 'get' ? undefined : {}
        const r = await h.request(route.method.toUpperCase(), path, { token: tokens[role], body })
        expect([route.id, role, r.status]).toEqual([route.id, role, 403])
        expect(codeOf(r.body)).toBe('FORBIDDEN')
      }
  })
})

describe('bad input on every staff route', () => {
  const cases: { route: string; method: string; path: () => string; body?: unknown; field: string }[] = [
    {
      route: 'staffLogin',
      method: 'POST',
      path: () => '/api/v1/staff/auth/login',
      body: { password: 'x' },
      field: 'username',
    },
    {
      route: 'staffLogin',
      method: 'POST',
      path: () => '/api/v1/staff/auth/login',
      body: { username: 'a', password: '' },
      field: 'password',
    },
    {
      route: 'staffWecomLogin',
      method: 'POST',
      path: () => '/api/v1/staff/auth/wecom',
      body: { code: '' },
      field: 'code',
    },
    {
      route: 'createStaff',
      method: 'POST',
      path: () => '/api/v1/admin/staff',
      body: { username: 'Bad Name', name: '坏', role: 'nurse', password: 'long-enough-1' },
      field: 'username',
    },
    {
      route: 'createStaff',
      method: 'POST',
      path: () => '/api/v1/admin/staff',
      body: { username: 'short.pw', name: '坏', role: 'nurse', password: 'short' },
      field: 'password',
    },
    {
      route: 'createStaff',
      method: 'POST',
      path: () => '/api/v1/admin/staff',
      body: { username: 'bad.role', name: '坏', role: 'doctor', password: 'long-enough-1' },
      field: 'role',
    },
    {
      route: 'updateStaff',
      method: 'PUT',
      path: () => '/api/v1/admin/staff/not-an-id',
      body: { name: 'x' },
      field: 'id',
    },
    {
      route: 'updateStaff',
      method: 'PUT',
      path: () => `/api/v1/admin/staff/${staffId}`,
      body: { role: 'boss' },
      field: 'role',
    },
    {
      route: 'updateStaff',
      method: 'PUT',
      path: () => `/api/v1/admin/staff/${staffId}`,
      body: {},
      field: '(root)',
    },
    {
      route: 'updateStaff',
      method: 'PUT',
      path: () => `/api/v1/admin/staff/${staffId}`,
      body: { active: 'no' },
      field: 'active',
    },
    {
      route: 'listPatients',
      method: 'GET',
      path: () => '/api/v1/staff/patients?pageSize=1000',
      field: 'pageSize',
    },
    { route: 'listPatients', method: 'GET', path: () => '/api/v1/staff/patients?page=0', field: 'page' },
    {
      route: 'listPatients',
      method: 'GET',
      path: () => `/api/v1/staff/patients?q=${'x'.repeat(41)}`,
      field: 'q',
    },
    { route: 'getPatient', method: 'GET', path: () => '/api/v1/staff/patients/123', field: 'id' },
    {
      route: 'assignNurse',
      method: 'PUT',
      path: () => `/api/v1/staff/patients/${patientId}/nurse`,
      body: { nurseId: 'nope' },
      field: 'nurseId',
    },
    {
      route: 'assignNurse',
      method: 'PUT',
      path: () => `/api/v1/staff/patients/${patientId}/nurse`,
      body: {},
      field: 'nurseId',
    },
    { route: 'listAudit', method: 'GET', path: () => '/api/v1/admin/audit?limit=0', field: 'limit' },
    {
      route: 'listAudit',
      method: 'GET',
      path: () => '/api/v1/admin/audit?before=yesterday',
      field: 'before',
    },
    { route: 'listAudit', method: 'GET', path: () => '/api/v1/admin/audit?patientId=42', field: 'patientId' },
    {
      route: 'previewSegment',
      method: 'POST',
      path: () => '/api/v1/staff/segments/preview',
      body: { expression: '' },
      field: 'expression',
    },
    {
      route: 'saveSegment',
      method: 'POST',
      path: () => '/api/v1/staff/segments',
      body: { expression: '矩阵标签' },
      field: 'name',
    },
    {
      route: 'createTagGroup',
      method: 'POST',
      path: () => '/api/v1/staff/tag-groups',
      body: { name: '疾病', kind: 'illness' },
      field: 'kind',
    },
    {
      route: 'createTag',
      method: 'POST',
      path: () => '/api/v1/staff/tag-groups/000000000000000000000000/tags',
      body: { name: '糖尿病 AND' },
      field: 'name',
    },
    { route: 'patientTags', method: 'GET', path: () => '/api/v1/staff/patients/12/tags', field: 'id' },
    {
      route: 'assignTag',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/tags`,
      body: { tagId: '000000000000000000000000' },
      field: 'reason',
    },
    {
      route: 'unassignTag',
      method: 'DELETE',
      path: () => `/api/v1/staff/patients/${patientId}/tags/000000000000000000000000`,
      field: 'reason',
    },
    {
      route: 'createTagRule',
      method: 'POST',
      path: () => '/api/v1/staff/tag-rules',
      body: {
        name: '坏规则',
        tagId: '000000000000000000000000',
        condition: { all: [{ attr: 'age', op: '~', value: 60 }] },
      },
      field: 'condition.all.0.op',
    },
    {
      route: 'createTagRule',
      method: 'POST',
      path: () => '/api/v1/staff/tag-rules',
      body: { name: '坏规则', tagId: 'x', condition: { any: [{ event: 'visit' }] } },
      field: 'tagId',
    },
    {
      route: 'updateTagRule',
      method: 'PUT',
      path: () => '/api/v1/staff/tag-rules/nope',
      body: { enabled: false },
      field: 'id',
    },
    {
      route: 'updateTagRule',
      method: 'PUT',
      path: () => `/api/v1/staff/tag-rules/${tagRuleId}`,
      body: { enabled: 'no' },
      field: 'enabled',
    },
    { route: 'deleteTagRule', method: 'DELETE', path: () => '/api/v1/staff/tag-rules/42', field: 'id' },
    { route: 'runTagRule', method: 'POST', path: () => '/api/v1/staff/tag-rules/42/run', field: 'id' },
    {
      route: 'previewTagRule',
      method: 'POST',
      path: () => '/api/v1/staff/tag-rules/preview',
      body: { condition: { any: [{ noEvent: 'visit' }] } },
      field: 'condition.any.0.days',
    },
    {
      route: 'recordPatientEvent',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/events`,
      body: { kind: 'diagnosis', at: '2024-01-01T00:00:00Z' },
      field: 'code',
    },
    {
      route: 'recordPatientEvent',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/events`,
      body: { kind: 'visit', at: 'yesterday' },
      field: 'at',
    },
    {
      route: 'listPatientEvents',
      method: 'GET',
      path: () => '/api/v1/staff/patients/12/events',
      field: 'id',
    },
    {
      route: 'importTags',
      method: 'POST',
      path: () => '/api/v1/staff/tags/import',
      body: { reason: '导入' },
      field: 'csv',
    },
    { route: 'getCommunity', method: 'GET', path: () => '/api/v1/staff/communities/nope', field: 'id' },
    {
      route: 'updateCommunity',
      method: 'PUT',
      path: () => `/api/v1/staff/communities/${community.communityId}`,
      body: { capacity: 500 },
      field: 'capacity',
    },
    {
      route: 'createCommunity',
      method: 'POST',
      path: () => '/api/v1/staff/communities',
      body: { diseaseTagId: tagId, ownerNurseId: nurseLiId, chatId: 'wrSimChat000001' },
      field: 'name',
    },
    {
      route: 'listWecomGroups',
      method: 'GET',
      path: () => '/api/v1/staff/wecom-groups?ownerNurseId=li',
      field: 'ownerNurseId',
    },
    { route: 'listGroupSop', method: 'GET', path: () => '/api/v1/staff/communities/7/sop', field: 'id' },
    {
      route: 'createGroupSop',
      method: 'POST',
      path: () => `/api/v1/staff/communities/${community.communityId}/sop`,
      body: { text: '长'.repeat(1400), sendAt: '2030-01-01T09:00' },
      field: 'text',
    },
    {
      route: 'cancelGroupSop',
      method: 'DELETE',
      path: () => `/api/v1/staff/communities/${community.communityId}/sop/x`,
      field: 'itemId',
    },
    {
      route: 'listOutbox',
      method: 'GET',
      path: () => '/api/v1/staff/push/outbox?status=lost',
      field: 'status',
    },
    {
      route: 'retryOutbox',
      method: 'POST',
      path: () => '/api/v1/staff/push/outbox/nope/retry',
      field: 'id',
    },
    {
      route: 'pendingGroupSends',
      method: 'GET',
      path: () => '/api/v1/staff/group-sends/pending?nurseId=1',
      field: 'nurseId',
    },
    {
      route: 'listQuestionnaires',
      method: 'GET',
      path: () => '/api/v1/staff/questionnaires?status=live',
      field: 'status',
    },
    {
      route: 'getQuestionnaire',
      method: 'GET',
      path: () => '/api/v1/staff/questionnaires/nope',
      field: 'id',
    },
    {
      route: 'createQuestionnaire',
      method: 'POST',
      path: () => '/api/v1/staff/questionnaires',
      body: { ...postSurgeryCheck(), title: '' },
      field: 'title',
    },
    {
      route: 'updateQuestionnaire',
      method: 'PUT',
      path: () => `/api/v1/staff/questionnaires/${qn.clinical}`,
      body: { ...postSurgeryCheck(), kind: 'survey' },
      field: 'kind',
    },
    {
      route: 'publishQuestionnaire',
      method: 'POST',
      path: () => '/api/v1/staff/questionnaires/42/publish',
      field: 'id',
    },
    {
      route: 'archiveQuestionnaire',
      method: 'POST',
      path: () => '/api/v1/staff/questionnaires/42/archive',
      field: 'id',
    },
    {
      route: 'questionnaireStats',
      method: 'GET',
      path: () => `/api/v1/staff/questionnaires/${qn.satisfaction}/stats?from=yesterday`,
      field: 'from',
    },
    { route: 'patientAnswers', method: 'GET', path: () => '/api/v1/staff/patients/12/answers', field: 'id' },
    {
      route: 'patientReadings',
      method: 'GET',
      path: () => `/api/v1/staff/patients/${patientId}/readings?kind=temperature`,
      field: 'kind',
    },
    {
      route: 'listPlans',
      method: 'GET',
      path: () => '/api/v1/staff/followup/plans?status=old',
      field: 'status',
    },
    { route: 'getPlan', method: 'GET', path: () => '/api/v1/staff/followup/plans/7', field: 'id' },
    {
      route: 'createPlan',
      method: 'POST',
      path: () => '/api/v1/staff/followup/plans',
      body: {
        name: '坏方案',
        anchor: 'surgery',
        steps: [{ offsetDays: -1, kind: 'reminder', title: 'x', windowDays: 1 }],
      },
      field: 'steps.0.offsetDays',
    },
    {
      route: 'createPlan',
      method: 'POST',
      path: () => '/api/v1/staff/followup/plans',
      body: {
        name: '坏方案',
        anchor: 'surgery',
        steps: [{ offsetDays: 3, kind: 'questionnaire', title: 'x', windowDays: 1 }],
      },
      field: 'steps.0.questionnaireId',
    },
    {
      route: 'updatePlan',
      method: 'PUT',
      path: () => `/api/v1/staff/followup/plans/${fu.planId}`,
      body: { status: 'deleted' },
      field: 'status',
    },
    {
      route: 'followupRates',
      method: 'GET',
      path: () => '/api/v1/staff/followup/rates?groupBy=ward',
      field: 'groupBy',
    },
    {
      route: 'followupRates',
      method: 'GET',
      path: () => '/api/v1/staff/followup/rates?from=2026-13-01',
      field: 'from',
    },
    {
      route: 'enrolPatient',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/enrolments`,
      body: { planId: fu.planId, anchorDate: '2026-02-30' },
      field: 'anchorDate',
    },
    {
      route: 'enrolPatient',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/enrolments`,
      body: {},
      field: 'planId',
    },
    {
      route: 'patientEnrolments',
      method: 'GET',
      path: () => '/api/v1/staff/patients/12/enrolments',
      field: 'id',
    },
    { route: 'pauseEnrolment', method: 'POST', path: () => '/api/v1/staff/enrolments/x/pause', field: 'id' },
    {
      route: 'resumeEnrolment',
      method: 'POST',
      path: () => '/api/v1/staff/enrolments/x/resume',
      field: 'id',
    },
    { route: 'stopEnrolment', method: 'POST', path: () => '/api/v1/staff/enrolments/x/stop', field: 'id' },
    { route: 'listTasks', method: 'GET', path: () => '/api/v1/staff/tasks?view=week', field: 'view' },
    {
      route: 'completeTask',
      method: 'POST',
      path: () => `/api/v1/staff/tasks/${fu.taskId}/complete`,
      body: { note: '长'.repeat(201) },
      field: 'note',
    },
    {
      route: 'saveMembershipPlan',
      method: 'PUT',
      path: () => '/api/v1/staff/membership/plans/Bad Code',
      body: { name: '坏', period: 'month', priceFen: 100, tier: 'gold' },
      field: 'code',
    },
    {
      route: 'saveMembershipPlan',
      method: 'PUT',
      path: () => '/api/v1/staff/membership/plans/matrix',
      body: { name: '坏', period: 'week', priceFen: 100, tier: 'gold' },
      field: 'period',
    },
    {
      route: 'listMembershipOrders',
      method: 'GET',
      path: () => '/api/v1/staff/orders?status=LOST',
      field: 'status',
    },
    { route: 'getMembershipOrder', method: 'GET', path: () => '/api/v1/staff/orders/nope', field: 'id' },
    {
      route: 'refundMembershipOrder',
      method: 'POST',
      path: () => `/api/v1/staff/orders/${ms.orderId}/refunds`,
      body: { amountFen: 0, reason: '坏', requestId: 'matrix-refund-bad' },
      field: 'amountFen',
    },
    {
      route: 'patientMembership',
      method: 'GET',
      path: () => '/api/v1/staff/patients/12/membership',
      field: 'id',
    },
    {
      route: 'consumeQuota',
      method: 'POST',
      path: () => `/api/v1/staff/patients/${patientId}/quota-usage`,
      body: { kind: 'massage', requestId: 'matrix-quota-bad' },
      field: 'kind',
    },
    {
      route: 'listCampaigns',
      method: 'GET',
      path: () => '/api/v1/staff/campaigns?state=sent',
      field: 'state',
    },
    {
      route: 'createCampaign',
      method: 'POST',
      path: () => '/api/v1/staff/campaigns',
      body: { ...matrixCampaign(), channels: ['wecom-app'] },
      field: 'channels.0',
    },
    {
      route: 'createCampaign',
      method: 'POST',
      path: () => '/api/v1/staff/campaigns',
      body: { ...matrixCampaign(), goal: { event: 'community_joined', withinDays: 0 } },
      field: 'goal.withinDays',
    },
    { route: 'getCampaign', method: 'GET', path: () => '/api/v1/staff/campaigns/nope', field: 'id' },
    {
      route: 'updateCampaign',
      method: 'PUT',
      path: () => `/api/v1/staff/campaigns/${cmp.draft}`,
      body: { ...matrixCampaign(), name: '' },
      field: 'name',
    },
    { route: 'submitCampaign', method: 'POST', path: () => '/api/v1/staff/campaigns/7/submit', field: 'id' },
    {
      route: 'decideCampaign',
      method: 'POST',
      path: () => `/api/v1/staff/campaigns/${cmp.pending}/decision`,
      body: { decision: 'maybe' },
      field: 'decision',
    },
    { route: 'previewCampaign', method: 'GET', path: () => '/api/v1/staff/campaigns/x/preview', field: 'id' },
    { route: 'pauseCampaign', method: 'POST', path: () => '/api/v1/staff/campaigns/x/pause', field: 'id' },
    { route: 'resumeCampaign', method: 'POST', path: () => '/api/v1/staff/campaigns/x/resume', field: 'id' },
    { route: 'cancelCampaign', method: 'POST', path: () => '/api/v1/staff/campaigns/x/cancel', field: 'id' },
    { route: 'campaignStats', method: 'GET', path: () => '/api/v1/staff/campaigns/x/stats', field: 'id' },
    {
      route: 'getCampaignRun',
      method: 'GET',
      path: () => `/api/v1/staff/campaigns/${cmp.draft}/runs/nope`,
      field: 'runId',
    },
    {
      route: 'listArticles',
      method: 'GET',
      path: () => '/api/v1/staff/articles?status=published',
      field: 'status',
    },
    {
      route: 'createArticle',
      method: 'POST',
      path: () => '/api/v1/staff/articles',
      body: { ...cleanArticle(), title: '' },
      field: 'title',
    },
    {
      route: 'createArticle',
      method: 'POST',
      path: () => '/api/v1/staff/articles',
      body: { ...cleanArticle(), coverUrl: 'javascript:alert(1)' },
      field: 'coverUrl',
    },
    { route: 'getArticle', method: 'GET', path: () => '/api/v1/staff/articles/nope', field: 'id' },
    {
      route: 'updateArticle',
      method: 'PUT',
      path: () => `/api/v1/staff/articles/${ct.draft}`,
      body: {},
      field: '(root)',
    },
    {
      route: 'updateArticle',
      method: 'PUT',
      path: () => `/api/v1/staff/articles/${ct.draft}`,
      body: { tags: ['糖尿病', '糖尿病'] },
      field: 'tags',
    },
    {
      route: 'submitArticle',
      method: 'POST',
      path: () => `/api/v1/staff/articles/${ct.toSubmit}/submit`,
      body: {},
      field: 'version',
    },
    {
      route: 'clinicalReview',
      method: 'POST',
      path: () => `/api/v1/staff/articles/${ct.draft}/clinical-review`,
      body: { version: 1, decision: 'reject' },
      field: 'comment',
    },
    {
      route: 'complianceReview',
      method: 'POST',
      path: () => `/api/v1/staff/articles/${ct.draft}/compliance-review`,
      body: { version: 1, decision: 'maybe' },
      field: 'decision',
    },
    { route: 'articleStats', method: 'GET', path: () => '/api/v1/staff/articles/42/stats', field: 'id' },
    {
      route: 'putBlockedClaims',
      method: 'PUT',
      path: () => '/api/v1/staff/content/blocked-claims',
      body: { phrases: [] },
      field: 'phrases',
    },
    { route: 'listRewards', method: 'GET', path: () => '/api/v1/staff/rewards?status=gone', field: 'status' },
    {
      route: 'createReward',
      method: 'POST',
      path: () => '/api/v1/staff/rewards',
      body: { name: '坏礼品', category: 'coupon', pointsCost: 0, stock: 1 },
      field: 'pointsCost',
    },
    {
      route: 'updateReward',
      method: 'PUT',
      path: () => `/api/v1/staff/rewards/${rw.rewardId}`,
      body: { category: 'food' },
      field: 'category',
    },
    {
      route: 'updateReward',
      method: 'PUT',
      path: () => '/api/v1/staff/rewards/x',
      body: { name: 'x' },
      field: 'id',
    },
    {
      route: 'restockReward',
      method: 'POST',
      path: () => `/api/v1/staff/rewards/${rw.rewardId}/restock`,
      body: { requestId: 'matrix-restock-bad', delta: 0 },
      field: 'delta',
    },
    {
      route: 'deactivateReward',
      method: 'POST',
      path: () => '/api/v1/staff/rewards/42/deactivate',
      field: 'id',
    },
    {
      route: 'listRedemptions',
      method: 'GET',
      path: () => '/api/v1/staff/redemptions?code=0000',
      field: 'code',
    },
    {
      route: 'fulfilRedemption',
      method: 'POST',
      path: () => `/api/v1/staff/redemptions/${rw.toFulfil}/fulfil`,
      body: {},
      field: 'code',
    },
    {
      route: 'cancelRedemption',
      method: 'POST',
      path: () => `/api/v1/staff/redemptions/${rw.toCancel}/cancel`,
      body: { reason: '' },
      field: 'reason',
    },
    {
      route: 'updatePointsRule',
      method: 'PUT',
      path: () => '/api/v1/staff/points/rules/drug_purchase',
      body: { points: 5 },
      field: 'rule',
    },
    {
      route: 'updatePointsRule',
      method: 'PUT',
      path: () => '/api/v1/staff/points/rules/lecture',
      body: { points: -1 },
      field: 'points',
    },
    {
      route: 'updatePointsTiers',
      method: 'PUT',
      path: () => '/api/v1/staff/points/tiers',
      body: { tiers: [] },
      field: 'tiers',
    },
    { route: 'patientPoints', method: 'GET', path: () => '/api/v1/staff/points/patients/12', field: 'id' },
    {
      route: 'adjustPoints',
      method: 'POST',
      path: () => `/api/v1/staff/points/patients/${patientId}/adjust`,
      body: { amount: 0, reason: '矩阵测试', requestId: 'matrix-adjust-bad' },
      field: 'amount',
    },
    {
      route: 'adjustPoints',
      method: 'POST',
      path: () => `/api/v1/staff/points/patients/${patientId}/adjust`,
      body: { amount: 5, requestId: 'matrix-adjust-bad' },
      field: 'reason',
    },
    {
      route: 'pointsLiability',
      method: 'GET',
      path: () => '/api/v1/staff/points/liability?month=2026-13',
      field: 'month',
    },
  ]

  it('covers every staff route that takes input', () => {
    const withInput = Object.values(apiRoutes as Record<string, ApiRoute>)
      .filter((r) => r.path.includes('/staff') || r.path.includes('/admin/'))
      .filter((r) => r.auth !== 'service') // service routes: tests/drills/bot-server.int.test.ts
      .filter((r) => r.body || r.query || r.params)
      .map((r) => r.id)
    expect(new Set(cases.map((c) => c.route))).toEqual(new Set(withInput))
  })

  it.each(cases.map((c) => [`${c.route} ${c.field}`, c] as const))(
    '%s → 400 naming the field',
    async (_n, c) => {
      const staffBefore = await staffModel(h.db).countDocuments()
      const r = await h.request(c.method, c.path(), { token: tokens.admin, body: c.body })
      expect(r.status).toBe(400)
      expect(codeOf(r.body)).toBe('VALIDATION_FAILED')
      expect(detailsOf(r.body).map((d) => d.path)).toContain(c.field)
      // nothing is half-written
      expect(await staffModel(h.db).countDocuments()).toBe(staffBefore)
    },
  )

  it('answers a non-JSON body with 400 too', async () => {
    const r = await h.request('POST', '/api/v1/staff/auth/login', {
      rawBody: 'username=admin',
      headers: { 'content-type': 'text/plain' },
    })
    expect(r.status).toBe(400)
    expect(codeOf(r.body)).toBe('VALIDATION_FAILED')
  })
})
