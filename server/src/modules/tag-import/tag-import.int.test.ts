import { ErrorBody, TagImportResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createPiiCrypto } from '../../privacy/pii-crypto'
import { accountModel } from '../accounts/account.model'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { phoneAad } from '../patients/profile.service'
import { tagEventModel, tagGroupModel, tagModel } from '../tags/tag.model'

const h = useStaffHarness()
const PHONE = '13812345678'
const tok = {} as Record<'admin' | 'nurse' | 'head' | 'marketer', string>
const pid = {} as Record<'wang' | 'wangFather' | 'li' | 'hosp' | 'erased', string>
const tag = {} as Record<'diabetes' | 'hypertension', string>

const errorOf = (b: unknown) => ErrorBody.parse(b).error
const upload = async (csv: string, token = tok.admin, extra: Record<string, unknown> = {}) => {
  const r = await h.request('POST', '/api/v1/staff/tags/import', {
    token,
    body: { csv, reason: '2026 年门诊名单', ...extra },
  })
  expect(r.status).toBe(200)
  return TagImportResponse.parse(r.body)
}
const tagIdsOf = async (id: string) =>
  ((await patientModel(h.db).findById(id).lean())?.tags ?? []).map((t) => t.tagId).sort()
const statuses = (r: TagImportResponse) => r.rows.map((x) => [x.line, x.status])

beforeAll(async () => {
  await h.seedStaff()
  const nurse = await h.staffLogin('nurse.li')
  tok.nurse = nurse.accessToken
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  const pii = createPiiCrypto(h.config.pii)
  const accountId = new Types.ObjectId()
  await accountModel(h.db).create({
    _id: accountId,
    openid: `o-${accountId.toHexString()}`,
    phone: pii.encrypt(PHONE, phoneAad(accountId.toHexString())),
    phoneIndex: pii.blindIndex('phone', PHONE),
  })
  const P = patientModel(h.db)
  const mk = async (o: Record<string, unknown>) =>
    (await P.create({ accountId: new Types.ObjectId(), relation: 'self', ...o }))._id.toHexString()
  const nurseId = new Types.ObjectId(nurse.staff.id)
  pid.wang = await mk({ accountId, name: '王秀英', assignedNurseId: nurseId })
  pid.wangFather = await mk({ accountId, name: '王建国', relation: 'parent', assignedNurseId: nurseId })
  pid.li = await mk({ name: '李四' })
  pid.hosp = await mk({ name: '张三', hospitalPatientId: 'MZ20260001', assignedNurseId: nurseId })
  pid.erased = await mk({ name: null, erasedAt: new Date(), hospitalPatientId: 'MZ20269999' })
  const groupId = (await tagGroupModel(h.db).create({ name: '疾病', kind: 'disease' }))._id
  tag.diabetes = (await tagModel(h.db).create({ groupId, name: '糖尿病' }))._id.toHexString()
  tag.hypertension = (await tagModel(h.db).create({ groupId, name: '高血压' }))._id.toHexString()
})

describe('CSV bulk tagging', () => {
  it('a dry run reports what would happen and changes nothing', async () => {
    const csv = `patient,tag\n${PHONE},糖尿病\nMZ20260001,糖尿病\nMZ20260001,糖尿病\n`
    const r = await upload(csv, tok.head, { dryRun: true })
    expect(statuses(r)).toEqual([
      [2, 'added'],
      [3, 'added'],
      [4, 'already'],
    ])
    expect(r.summary).toEqual({
      rows: 3,
      added: 2,
      already: 1,
      removed: 0,
      absent: 0,
      errors: 0,
      dryRun: true,
    })
    expect(await tagIdsOf(pid.wang)).toEqual([])
    expect(await tagEventModel(h.db).countDocuments()).toBe(0)
  })

  it('tags by phone (the account’s own profile), hospital id and patient id; BOM, CRLF and quotes are fine', async () => {
    const csv =
      '\uFEFF"Patient",Tag,action\r\n' +
      `${PHONE},糖尿病,add\r\n` +
      `"MZ20260001","高血压",\r\n` +
      `${pid.li},"糖尿病",添加\r\n`
    const r = await upload(csv)
    expect(r.rows).toEqual([
      { line: 2, patient: '138****5678', patientId: pid.wang, tag: '糖尿病', action: 'add', status: 'added' },
      { line: 3, patient: '****0001', patientId: pid.hosp, tag: '高血压', action: 'add', status: 'added' },
      { line: 4, patient: pid.li, patientId: pid.li, tag: '糖尿病', action: 'add', status: 'added' },
    ])
    expect(await tagIdsOf(pid.wang)).toEqual([tag.diabetes])
    expect(await tagIdsOf(pid.wangFather)).toEqual([])
    const row = (await patientModel(h.db).findById(pid.hosp).lean())!.tags[0]!
    expect(row).toMatchObject({ source: 'import', reason: '2026 年门诊名单', by: { kind: 'staff' } })
    const audits = await auditModel(h.db).find({ action: 'tag.import' }).lean()
    expect(audits).toHaveLength(2)
    expect(audits[1]!.detail).toMatchObject({ dryRun: false, added: 3, errors: 0, reason: '2026 年门诊名单' })

    // uploading the same file again changes nothing
    const before = await tagEventModel(h.db).countDocuments()
    const again = await upload(csv)
    expect(again.rows.map((x) => x.status)).toEqual(['already', 'already', 'already'])
    expect(await tagEventModel(h.db).countDocuments()).toBe(before)
  })

  it('reports bad rows by line and still applies the good ones; removes with action remove', async () => {
    const csv = [
      'tag,patient,action,comment',
      '糖尿病,MZ20260001,,"a note, with a comma"',
      '不存在的标签,MZ20260001,add,',
      ',MZ20260001,add,',
      '糖尿病,,add,',
      '糖尿病,MZ00000000,add,',
      '糖尿病,MZ20269999,add,',
      '糖尿病,MZ20260001,delete,',
      '"糖尿病,MZ20260001,add,',
    ].join('\n')
    const broken = await upload(`${csv}\n`)
    expect(broken.rows.map((x) => [x.line, x.status, x.error ?? null])).toEqual([
      [2, 'added', null],
      [3, 'error', '未知标签「不存在的标签」'],
      [4, 'error', '缺少标签'],
      [5, 'error', '缺少患者'],
      [6, 'error', '找不到该患者（或不在您的负责范围内）'],
      [7, 'error', '找不到该患者（或不在您的负责范围内）'],
      [8, 'error', expect.stringMatching(/add 或 remove/)],
      [9, 'error', expect.stringMatching(/^无法读取/)],
    ])
    expect(broken.summary).toMatchObject({ rows: 8, added: 1, errors: 7 })
    expect(await tagIdsOf(pid.hosp)).toEqual([tag.diabetes, tag.hypertension].sort())

    const removed = await upload('patient,tag,action\nMZ20260001,高血压,remove\nMZ20260001,高血压,REMOVE\n')
    expect(statuses(removed)).toEqual([
      [2, 'removed'],
      [3, 'absent'],
    ])
    expect(await tagIdsOf(pid.hosp)).toEqual([tag.diabetes])
  })

  it('a nurse reaches only her patients: the others are reported as not found', async () => {
    const r = await upload(`patient,tag\n${pid.li},高血压\n${pid.wangFather},高血压\n`, tok.nurse)
    expect(r.rows.map((x) => [x.status, x.patientId])).toEqual([
      ['error', null],
      ['added', pid.wangFather],
    ])
    expect(await tagIdsOf(pid.li)).toEqual([tag.diabetes])
    const m = await h.request('POST', '/api/v1/staff/tags/import', {
      token: tok.marketer,
      body: { csv: 'patient,tag\n', reason: 'x' },
    })
    expect(m.status).toBe(403)
  })

  it('refuses a bad header, too many rows and a missing reason with 400', async () => {
    const send = (body: unknown) => h.request('POST', '/api/v1/staff/tags/import', { token: tok.admin, body })
    const noTag = await send({ csv: 'patient,label\n13812345678,糖尿病\n', reason: 'x' })
    expect([noTag.status, errorOf(noTag.body).code]).toEqual([400, 'TAG_IMPORT_INVALID'])
    expect(errorOf(noTag.body).message).toMatch(/tag/)
    expect(errorOf(noTag.body).details).toMatchObject({ missing: ['tag'] })
    const neither = await send({ csv: '\uFEFFname\r\n', reason: 'x' })
    expect(errorOf(neither.body).details).toMatchObject({ missing: ['patient', 'tag'] })
    const twice = await send({ csv: 'patient,tag,患者\n', reason: 'x' })
    expect(errorOf(twice.body).code).toBe('TAG_IMPORT_INVALID')
    const empty = await send({ csv: '\n\n', reason: 'x' })
    expect([empty.status, errorOf(empty.body).code]).toEqual([400, 'TAG_IMPORT_INVALID'])
    const big = await send({ csv: `patient,tag\n${'MZ1,糖尿病\n'.repeat(5001)}`, reason: 'x' })
    expect([big.status, errorOf(big.body).code]).toEqual([400, 'TAG_IMPORT_INVALID'])
    expect(errorOf(big.body).message).toMatch(/5000/)
    const noReason = await send({ csv: 'patient,tag\n' })
    expect([noReason.status, errorOf(noReason.body).code]).toEqual([400, 'VALIDATION_FAILED'])
    expect(await auditModel(h.db).countDocuments({ action: 'tag.import', 'detail.rows': 5001 })).toBe(0)
  })
})
