import { CampaignResponse, type Campaign, type CampaignInput } from '@careloop/shared'
import { Types } from 'mongoose'
import { campaignModel, campaignRunModel } from '../../../server/src/modules/campaigns/campaign.model'
import { PRIVACY_POLICY } from '../../../server/src/modules/consent/privacy-policy'
import { patientModel } from '../../../server/src/modules/patients/patient.model'
import { tagGroupModel, tagModel } from '../../../server/src/modules/tags/tag.model'
import type { ServerHarness } from './server-harness'

/** Campaign test helpers: a tag, patients carrying it (bulk), and campaigns taken through approval. */

/** Creates a tag (in its own group) and answers its id. */
export const seedTag = async (h: Pick<ServerHarness, 'db'>, name: string): Promise<string> => {
  const group = await tagGroupModel(h.db).create({ name: `${name}组`, kind: 'other' })
  return (await tagModel(h.db).create({ groupId: group._id, name }))._id.toHexString()
}

/**
 * Inserts `n` patient profiles carrying the tag, with care consent (and marketing consent unless
 * `marketing: false`); answers their ids in insertion order.
 */
export const seedTaggedPatients = async (
  h: Pick<ServerHarness, 'db' | 'clock'>,
  tagId: string,
  n: number,
  o: { marketing?: boolean } = {},
): Promise<string[]> => {
  const at = h.clock.now()
  const consent = { granted: true, policyVersion: PRIVACY_POLICY.version, at, by: 'self' }
  const docs = Array.from({ length: n }, (_, i) => ({
    _id: new Types.ObjectId(),
    accountId: new Types.ObjectId(),
    relation: 'self',
    name: `活动患者${i}`,
    gender: null,
    birthYear: 1960,
    tags: [{ tagId, source: 'import', reason: 'test', by: { kind: 'system', id: null }, at }],
    consents: { care: consent, ...(o.marketing === false ? {} : { marketing: consent }) },
    erasedAt: null,
    createdAt: at,
    updatedAt: at,
  }))
  for (let i = 0; i < docs.length; i += 5000)
    await patientModel(h.db).collection.insertMany(docs.slice(i, i + 5000), { ordered: false })
  return docs.map((d) => d._id.toHexString())
}

/** A campaign body: a template to the tag's patients through the inbox, now. */
export const campaignBody = (
  expression: string,
  over: Partial<CampaignInput> = {},
): Record<string, unknown> => ({
  name: '春季体检提醒',
  segment: { expression },
  content: { kind: 'template', title: '春季免费体检', body: '本周六上午门诊楼一楼，凭小程序预约免费体检。' },
  channels: ['inbox'],
  schedule: { kind: 'now' },
  ...over,
})

export interface CampaignTokens {
  /** Drafts and submits. */
  marketer: string
  /** Approves (not the author). */
  head: string
}

const expectOk = (r: { status: number; body: unknown }, what: string): Campaign => {
  if (r.status !== 200 && r.status !== 201) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`)
  return CampaignResponse.parse(r.body).campaign
}

/** Drafts a campaign as the marketer, submits it and has the head nurse approve it. */
export const approvedCampaign = async (
  h: Pick<ServerHarness, 'request'>,
  t: CampaignTokens,
  body: Record<string, unknown>,
): Promise<Campaign> => {
  const c = expectOk(
    await h.request('POST', '/api/v1/staff/campaigns', { token: t.marketer, body }),
    'create',
  )
  expectOk(await h.request('POST', `/api/v1/staff/campaigns/${c.id}/submit`, { token: t.marketer }), 'submit')
  return expectOk(
    await h.request('POST', `/api/v1/staff/campaigns/${c.id}/decision`, {
      token: t.head,
      body: { decision: 'approve' },
    }),
    'approve',
  )
}

/** Campaigns for the role × route matrix, written by a staff id none of the demo staff has. */
export interface MatrixCampaigns {
  /** A draft (read, edit, preview, statistics) with one run (its run route). */
  draft: string
  runId: string
  /** A draft the authors submit (a repeat answers it again). */
  toSubmit: string
  /** Pending approval (the approvers approve; a repeat answers it again). */
  pending: string
  /** Approved, scheduled in a month (paused, resumed, cancelled in catalogue order). */
  live: string
}

export const seedMatrixCampaigns = async (
  h: Pick<ServerHarness, 'db' | 'clock'>,
  expression: string,
): Promise<MatrixCampaigns> => {
  const now = h.clock.now()
  const at = new Date(now.getTime() + 30 * 86_400_000)
  const base = {
    name: '矩阵活动',
    segment: { expression, segmentId: null },
    content: { kind: 'template', title: '矩阵', body: '矩阵消息', page: null },
    channels: ['inbox'],
    schedule: { kind: 'at', at, cron: null, endAt: null },
    goal: null,
    expiresAfterHours: 24,
    approvals: [],
    createdBy: 'matrix-author',
    editors: ['matrix-author'],
    approvedAt: null,
    anchor: null,
    lastSlotAt: null,
    pausedFrom: null,
    createdAt: now,
    updatedAt: now,
  }
  const make = async (state: string, extra: Record<string, unknown> = {}) =>
    (await campaignModel(h.db).collection.insertOne({ ...base, state, ...extra })).insertedId.toHexString()
  const draft = await make('draft')
  const runId = (
    await campaignRunModel(h.db).collection.insertOne({
      campaignId: new Types.ObjectId(draft),
      slot: now,
      state: 'materialised',
      owner: null,
      leaseUntil: null,
      cursor: null,
      materialised: 0,
      created: 0,
      total: 0,
      contentVersion: null,
      startedAt: now,
      finishedAt: now,
      failure: null,
      createdAt: now,
      updatedAt: now,
    })
  ).insertedId.toHexString()
  return {
    draft,
    runId,
    toSubmit: await make('draft'),
    pending: await make('pending_approval'),
    live: await make('approved', { approvedAt: now, anchor: now }),
  }
}
