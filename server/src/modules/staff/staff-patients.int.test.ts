import {
  AuditListResponse,
  ErrorBody,
  PatientListResponse,
  StaffMeResponse,
  StaffPatientDetail,
  type StaffPatientRow,
} from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { createPiiCrypto, maskIdNumber } from '../../privacy/pii-crypto'
import { accountModel } from '../accounts/account.model'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { idNumberAad, phoneAad } from '../patients/profile.service'

const h = useStaffHarness()
const PHONE = '13812345678'
const OTHER_PHONE = '13998765432'

const tok = {} as Record<'admin' | 'nurseA' | 'nurseB' | 'head' | 'marketer', string>
const ids = {} as Record<'nurseA' | 'nurseB' | 'admin' | 'head' | 'marketer', string>
const pid = {} as Record<'wang' | 'wangFather' | 'li' | 'zhang' | 'erased' | 'dotty', string>

const errorOf = (body: unknown) => ErrorBody.parse(body).error
const list = async (token: string, qs = '') => {
  const r = await h.request('GET', `/api/v1/staff/patients${qs}`, { token })
  expect(r.status).toBe(200)
  return PatientListResponse.parse(r.body)
}
const names = (rows: StaffPatientRow[]) => rows.map((r) => r.name).sort()

/** An account with its phone encrypted at rest (as the patient side binds it) and its profiles. */
const seedAccount = async (
  phone: string | null,
  profiles: {
    name: string | null
    relation?: string
    nurse?: string
    hospitalPatientId?: string
    erased?: boolean
  }[],
): Promise<string[]> => {
  const pii = createPiiCrypto(h.config.pii)
  const accountId = new Types.ObjectId()
  await accountModel(h.db).create({
    _id: accountId,
    openid: `o-${accountId.toHexString()}`,
    ...(phone
      ? {
          phone: pii.encrypt(phone, phoneAad(accountId.toHexString())),
          phoneIndex: pii.blindIndex('phone', phone),
        }
      : {}),
  })
  const out: string[] = []
  for (const p of profiles) {
    const doc = await patientModel(h.db).create({
      accountId,
      relation: p.relation ?? 'self',
      name: p.name,
      hospitalPatientId: p.hospitalPatientId ?? null,
      assignedNurseId: p.nurse ? new Types.ObjectId(p.nurse) : null,
      erasedAt: p.erased ? new Date() : null,
      consents: {
        care: { granted: true, policyVersion: '2026-01', at: new Date('2026-01-05T02:00:00Z'), by: 'self' },
        marketing: {
          granted: false,
          policyVersion: '2026-01',
          at: new Date('2026-01-06T02:00:00Z'),
          by: 'self',
        },
      },
    })
    out.push(doc._id.toHexString())
  }
  return out
}

beforeAll(async () => {
  await h.seedStaff()
  const admin = await h.staffLogin('admin')
  tok.admin = admin.accessToken
  ids.admin = admin.staff.id
  const created = await h.request('POST', '/api/v1/admin/staff', {
    token: tok.admin,
    body: { username: 'nurse.zhou', name: '周敏', role: 'nurse', password: 'zhou-password-1' },
  })
  expect(created.status).toBe(201)
  ids.nurseB = StaffMeResponse.parse(created.body).staff.id
  tok.nurseB = (await h.staffLogin('nurse.zhou', 'zhou-password-1')).accessToken
  for (const [k, u] of [
    ['nurseA', 'nurse.li'],
    ['head', 'headnurse.wang'],
    ['marketer', 'marketing.zhao'],
  ] as const) {
    const l = await h.staffLogin(u)
    tok[k] = l.accessToken
    ids[k] = l.staff.id
  }
  ;[pid.wang = '', pid.wangFather = ''] = await seedAccount(PHONE, [
    { name: '王秀英', nurse: ids.nurseA, hospitalPatientId: 'H0001' },
    { name: '王建国', relation: 'parent' },
  ])
  ;[pid.li = ''] = await seedAccount(OTHER_PHONE, [{ name: '李四', nurse: ids.nurseB }])
  ;[pid.zhang = '', pid.erased = '', pid.dotty = ''] = await seedAccount(null, [
    { name: '张三' },
    { name: null, relation: 'parent', erased: true, nurse: ids.nurseA },
    { name: 'A.*B', relation: 'child' },
  ])
})

beforeEach(() => {
  h.clock.advance(1000)
})

describe('data scoping by role', () => {
  it('a nurse sees only her assigned patients, in the list and in detail (404 for the others)', async () => {
    const a = await list(tok.nurseA)
    expect(a.total).toBe(1)
    expect(a.patients.map((p) => p.id)).toEqual([pid.wang])
    expect(a.patients[0]).toMatchObject({ name: '王秀英', phone: '138****5678', hospitalPatientId: 'H0001' })
    const b = await list(tok.nurseB)
    expect(b.patients.map((p) => p.id)).toEqual([pid.li])

    expect((await h.request('GET', `/api/v1/staff/patients/${pid.wang}`, { token: tok.nurseA })).status).toBe(
      200,
    )
    for (const other of [pid.li, pid.zhang, pid.erased, new Types.ObjectId().toHexString()]) {
      const r = await h.request('GET', `/api/v1/staff/patients/${other}`, { token: tok.nurseA })
      expect([other, r.status]).toEqual([other, 404])
      expect(errorOf(r.body).code).toBe('PATIENT_NOT_FOUND')
    }
    // a nurse's search stays inside her scope
    expect((await list(tok.nurseA, `?q=${OTHER_PHONE}`)).total).toBe(0)
    expect((await list(tok.nurseA, '?q=李')).total).toBe(0)
  })

  it('head nurse and admin see everyone (erased excluded) with full names and masked phones', async () => {
    for (const t of [tok.head, tok.admin]) {
      const r = await list(t)
      expect(r.total).toBe(5)
      expect(names(r.patients)).toEqual(['A.*B', '张三', '李四', '王建国', '王秀英'].sort())
      const wang = r.patients.find((p) => p.id === pid.wang)
      expect(wang).toMatchObject({
        phone: '138****5678',
        hospitalPatientId: 'H0001',
        assignedNurseId: ids.nurseA,
      })
      expect(r.patients.find((p) => p.id === pid.zhang)?.phone).toBeNull()
    }
  })

  it('a marketer sees masked names and phones and no hospital ids, and never a detail', async () => {
    const r = await list(tok.marketer)
    expect(r.total).toBe(5)
    const wang = r.patients.find((p) => p.id === pid.wang)
    expect(wang).toMatchObject({ name: '王*英', phone: '138****5678', hospitalPatientId: null })
    expect(r.patients.find((p) => p.id === pid.li)?.name).toBe('李*')
    expect(JSON.stringify(r)).not.toMatch(/王秀英|李四|H0001|13812345678/)
    expect(
      (await h.request('GET', `/api/v1/staff/patients/${pid.wang}`, { token: tok.marketer })).status,
    ).toBe(403)
  })

  it('the full phone never leaves the server and is never stored in plaintext', async () => {
    const detail = await h.request('GET', `/api/v1/staff/patients/${pid.wang}`, { token: tok.admin })
    expect(JSON.stringify(detail.body)).not.toContain(PHONE)
    const rawAccounts = await h.db.collection('accounts').find({}).toArray()
    expect(rawAccounts.length).toBeGreaterThan(0)
    const raw = JSON.stringify(rawAccounts)
    for (const p of [PHONE, OTHER_PHONE]) {
      expect(raw).not.toContain(p)
      expect(raw).not.toContain(p.slice(-8))
    }
  })
})

describe('search', () => {
  it('finds by the full phone through the blind index: every profile the account manages', async () => {
    const r = await list(tok.admin, `?q=${PHONE}`)
    expect(names(r.patients)).toEqual(['王建国', '王秀英'].sort())
    expect((await list(tok.admin, '?q=13800000000')).total).toBe(0)
    // the audit keeps that a phone was searched, never the number
    const entry = await auditModel(h.db)
      .findOne({ action: 'patient.list', 'detail.query.kind': 'phone', 'actor.id': ids.admin })
      .sort({ _id: 1 })
      .lean()
    expect(entry?.detail).toMatchObject({ query: { kind: 'phone' }, total: 2, count: 2 })
    expect(JSON.stringify(await auditModel(h.db).find({}).lean())).not.toContain(PHONE)
  })

  it('finds by the full ID number through the blind index, shows it masked to clinical roles only', async () => {
    const id = '11010519491231002X'
    const pii = createPiiCrypto(h.config.pii)
    await patientModel(h.db).updateOne(
      { _id: new Types.ObjectId(pid.wang) },
      {
        $set: {
          idNumber: pii.encrypt(id, idNumberAad(pid.wang)),
          idNumberIndex: pii.blindIndex('id', id),
          idNumberMasked: maskIdNumber(id),
        },
      },
    )
    const r = await list(tok.admin, `?q=${id.toLowerCase()}`)
    expect(r.patients.map((p) => [p.id, p.idNumber])).toEqual([[pid.wang, '1101**********002X']])
    expect((await list(tok.marketer, `?q=${id}`)).patients.map((p) => p.idNumber)).toEqual([null])
    expect(JSON.stringify(await auditModel(h.db).find({}).lean())).not.toContain(id)
  })

  it('finds by name prefix or exact hospital patient id, with regex characters taken literally', async () => {
    expect(names((await list(tok.admin, `?q=${encodeURIComponent('王')}`)).patients)).toEqual(
      ['王建国', '王秀英'].sort(),
    )
    expect((await list(tok.admin, '?q=H0001')).patients.map((p) => p.id)).toEqual([pid.wang])
    expect((await list(tok.admin, '?q=H000')).total).toBe(0)
    expect((await list(tok.admin, `?q=${encodeURIComponent('.*')}`)).total).toBe(0)
    expect((await list(tok.admin, `?q=${encodeURIComponent('A.*')}`)).patients.map((p) => p.id)).toEqual([
      pid.dotty,
    ])
    expect((await list(tok.admin, `?q=${encodeURIComponent('(')}`)).total).toBe(0)
  })

  it('pages through the results', async () => {
    const p1 = await list(tok.admin, '?page=1&pageSize=2')
    const p3 = await list(tok.admin, '?page=3&pageSize=2')
    expect(p1).toMatchObject({ total: 5, page: 1, pageSize: 2 })
    expect(p1.patients).toHaveLength(2)
    expect(p3.patients).toHaveLength(1)
    const all = [...p1.patients, ...(await list(tok.admin, '?page=2&pageSize=2')).patients, ...p3.patients]
    expect(new Set(all.map((p) => p.id)).size).toBe(5)
  })
})

describe('patient detail and assignment', () => {
  it('shows consent state honestly and audits the read', async () => {
    const r = await h.request('GET', `/api/v1/staff/patients/${pid.wang}`, {
      token: tok.nurseA,
      headers: { 'x-request-id': 'req-detail-1' },
    })
    expect(r.status).toBe(200)
    const d = StaffPatientDetail.parse(r.body)
    expect(d.consents).toEqual({ care: true, marketing: false, research: false })
    expect(d.sections).toEqual([
      {
        key: 'consent',
        title: '知情同意',
        items: [
          '诊疗与随访：已同意（政策版本 2026-01，2026/1/5 10:00，本人）',
          '营销消息：已撤回（政策版本 2026-01，2026/1/6 10:00，本人）',
          '医学研究：未表态',
        ],
      },
    ])
    const a = await auditModel(h.db)
      .findOne({ action: 'patient.read', 'actor.id': ids.nurseA })
      .sort({ _id: -1 })
      .lean()
    expect(a?.actor).toMatchObject({ kind: 'staff', id: ids.nurseA, role: 'nurse' })
    expect(typeof a?.ip).toBe('string')
    expect(a?.patientId?.toHexString()).toBe(pid.wang)
    expect(typeof a?.requestId).toBe('string')
  })

  it('head nurse assigns a patient to a nurse, who sees it at once; only active nurses qualify', async () => {
    const url = `/api/v1/staff/patients/${pid.zhang}/nurse`
    const r = await h.request('PUT', url, { token: tok.head, body: { nurseId: ids.nurseA } })
    expect(r.status).toBe(200)
    expect(StaffPatientDetail.parse(r.body).patient.assignedNurseId).toBe(ids.nurseA)
    expect((await list(tok.nurseA)).patients.map((p) => p.id).sort()).toEqual([pid.wang, pid.zhang].sort())
    expect(
      (await h.request('GET', `/api/v1/staff/patients/${pid.zhang}`, { token: tok.nurseA })).status,
    ).toBe(200)

    const a = await auditModel(h.db).findOne({ action: 'patient.assign' }).sort({ _id: -1 }).lean()
    expect(a?.detail).toEqual({ from: null, to: ids.nurseA })
    expect(a?.actor).toMatchObject({ id: ids.head, role: 'head_nurse' })

    for (const bad of [ids.marketer, ids.admin, new Types.ObjectId().toHexString()]) {
      const x = await h.request('PUT', url, { token: tok.admin, body: { nurseId: bad } })
      expect([bad, x.status, errorOf(x.body).code]).toEqual([bad, 404, 'STAFF_NOT_FOUND'])
    }
    const erased = await h.request('PUT', `/api/v1/staff/patients/${pid.erased}/nurse`, {
      token: tok.admin,
      body: { nurseId: ids.nurseA },
    })
    expect(errorOf(erased.body).code).toBe('PATIENT_NOT_FOUND')

    const un = await h.request('PUT', url, { token: tok.admin, body: { nurseId: null } })
    expect(StaffPatientDetail.parse(un.body).patient.assignedNurseId).toBeNull()
    expect(
      (await h.request('GET', `/api/v1/staff/patients/${pid.zhang}`, { token: tok.nurseA })).status,
    ).toBe(404)
  })

  it('a deactivated nurse loses access at once; a role change applies at once', async () => {
    const off = await h.request('PUT', `/api/v1/admin/staff/${ids.nurseB}`, {
      token: tok.admin,
      body: { active: false },
    })
    expect(off.status).toBe(200)
    const r = await h.request('GET', '/api/v1/staff/patients', { token: tok.nurseB })
    expect(r.status).toBe(401)
    expect(errorOf(r.body).code).toBe('AUTH_TOKEN_INVALID')
    const assign = await h.request('PUT', `/api/v1/staff/patients/${pid.zhang}/nurse`, {
      token: tok.admin,
      body: { nurseId: ids.nurseB },
    })
    expect(errorOf(assign.body).code).toBe('STAFF_NOT_FOUND')

    await h.request('PUT', `/api/v1/admin/staff/${ids.nurseB}`, {
      token: tok.admin,
      body: { active: true, role: 'marketer' },
    })
    const asMarketer = await list(tok.nurseB)
    expect(asMarketer.patients.find((p) => p.id === pid.li)?.name).toBe('李*')
    expect((await h.request('GET', `/api/v1/staff/patients/${pid.li}`, { token: tok.nurseB })).status).toBe(
      403,
    )
  })
})

describe('GET /api/v1/admin/audit', () => {
  const audit = async (qs = '') => {
    const r = await h.request('GET', `/api/v1/admin/audit${qs}`, { token: tok.admin })
    expect(r.status).toBe(200)
    return AuditListResponse.parse(r.body).entries
  }

  it('lists newest first with staff names, and filters by action, patient, actor, time and limit', async () => {
    const all = await audit('?limit=200')
    expect(all.length).toBeGreaterThan(10)
    const times = all.map((e) => e.at)
    expect([...times].sort().reverse()).toEqual(times)
    const actions = new Set(all.map((e) => e.action))
    for (const a of [
      'staff.login',
      'staff.create',
      'staff.update',
      'patient.list',
      'patient.read',
      'patient.assign',
    ])
      expect(actions).toContain(a)

    const reads = await audit('?action=patient.read')
    expect(reads.length).toBeGreaterThan(0)
    expect(reads.every((e) => e.action === 'patient.read')).toBe(true)
    const mine = reads.find((e) => e.actor.id === ids.nurseA)
    expect(mine?.actor).toEqual({ kind: 'staff', id: ids.nurseA, role: 'nurse', name: '李娜' })

    const forZhang = await audit(`?patientId=${pid.zhang}`)
    expect(forZhang.length).toBeGreaterThan(0)
    expect(forZhang.every((e) => e.patientId === pid.zhang)).toBe(true)

    const byHead = await audit(`?actorId=${ids.head}`)
    expect(byHead.length).toBeGreaterThan(0)
    expect(byHead.every((e) => e.actor.id === ids.head && e.actor.name === '王护士长')).toBe(true)

    expect(await audit('?limit=3')).toHaveLength(3)
    const pivot = all[5]!
    const older = await audit(`?before=${encodeURIComponent(pivot.at)}&limit=200`)
    expect(older.length).toBeGreaterThan(0)
    expect(older.every((e) => e.at < pivot.at)).toBe(true)
  })

  it('records staff changes with the changed field names only', async () => {
    const updates = await audit('?action=staff.update')
    const roleChange = updates.find(
      (e) => e.detail.staffId === ids.nurseB && (e.detail.fields as string[]).includes('role'),
    )
    expect([...(roleChange?.detail.fields as string[])].sort()).toEqual(['active', 'role'])
    const creates = await audit('?action=staff.create')
    expect(creates.find((e) => e.detail.staffId === ids.nurseB)?.detail).toEqual({
      staffId: ids.nurseB,
      username: 'nurse.zhou',
      role: 'nurse',
    })
    expect(JSON.stringify(await audit('?limit=200'))).not.toContain('zhou-password-1')
  })
})
