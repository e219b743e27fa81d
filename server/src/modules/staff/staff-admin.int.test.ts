import { ErrorBody, StaffListResponse, StaffMeResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { DEMO_STAFF_PASSWORD } from './staff-bootstrap.service'
import { staffModel } from './staff.model'

const h = useStaffHarness()
let admin = { token: '', id: '' }

const errorOf = (body: unknown) => ErrorBody.parse(body).error
const create = (body: Record<string, unknown>) =>
  h.request('POST', '/api/v1/admin/staff', { token: admin.token, body })
const update = (id: string, body: Record<string, unknown>) =>
  h.request('PUT', `/api/v1/admin/staff/${id}`, { token: admin.token, body })

beforeAll(async () => {
  await h.seedStaff()
  const l = await h.staffLogin('admin')
  admin = { token: l.accessToken, id: l.staff.id }
})

describe('staff management (admin)', () => {
  it('creates staff who can log in, and lists everyone without password hashes', async () => {
    const r = await create({
      username: 'nurse.sun',
      name: '孙丽',
      role: 'nurse',
      password: 'sun-password-1',
      wecomUserId: 'SunLi',
    })
    expect(r.status).toBe(201)
    const s = StaffMeResponse.parse(r.body).staff
    expect(s).toMatchObject({ username: 'nurse.sun', role: 'nurse', wecomUserId: 'SunLi', active: true })
    expect((await h.staffLogin('nurse.sun', 'sun-password-1')).staff.id).toBe(s.id)

    const listed = await h.request('GET', '/api/v1/admin/staff', { token: admin.token })
    const all = StaffListResponse.parse(listed.body).staff
    expect(all.map((x) => x.username)).toEqual(
      expect.arrayContaining(['admin', 'nurse.li', 'headnurse.wang', 'marketing.zhao', 'nurse.sun']),
    )
    expect(JSON.stringify(listed.body)).not.toMatch(/argon2|passwordHash|failedLogins/)
    const a = await auditModel(h.db).findOne({ action: 'staff.create', 'detail.staffId': s.id }).lean()
    expect(a?.actor).toMatchObject({ kind: 'staff', id: admin.id, role: 'admin' })
  })

  it('refuses a taken username (409) and a WeCom userid linked elsewhere (400 naming it), writing nothing', async () => {
    const before = await staffModel(h.db).countDocuments()
    const dup = await create({
      username: 'nurse.li',
      name: '重名',
      role: 'nurse',
      password: 'dup-password-1',
    })
    expect(dup.status).toBe(409)
    expect(errorOf(dup.body).code).toBe('STAFF_USERNAME_TAKEN')
    const dupWecom = await create({
      username: 'nurse.new',
      name: '新',
      role: 'nurse',
      password: 'dup-password-1',
      wecomUserId: 'LiNa',
    })
    expect(dupWecom.status).toBe(400)
    expect(errorOf(dupWecom.body)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'wecomUserId', message: 'is linked to another staff account' }],
    })
    expect(await staffModel(h.db).countDocuments()).toBe(before)

    const sun = await staffModel(h.db).findOne({ username: 'nurse.sun' }).lean()
    const clash = await update(sun!._id.toHexString(), { wecomUserId: 'LiNa' })
    expect(clash.status).toBe(400)
    expect((await staffModel(h.db).findById(sun!._id).lean())?.wecomUserId).toBe('SunLi')
  })

  it('unlinks WeCom with null; several unlinked accounts coexist', async () => {
    const sun = await staffModel(h.db).findOne({ username: 'nurse.sun' }).lean()
    const r = await update(sun!._id.toHexString(), { wecomUserId: null })
    expect(StaffMeResponse.parse(r.body).staff.wecomUserId).toBeNull()
    const raw = await h.db.collection('staff').findOne({ _id: sun!._id })
    expect(raw).not.toHaveProperty('wecomUserId')
    for (const u of ['plain.one', 'plain.two'])
      expect(
        (await create({ username: u, name: '无企微', role: 'marketer', password: 'plain-password-1' }))
          .status,
      ).toBe(201)
  })

  it('changes name, role and password, auditing the changed field names only', async () => {
    const sun = (await staffModel(h.db).findOne({ username: 'nurse.sun' }).lean())!._id.toHexString()
    const r = await update(sun, {
      name: '孙丽丽',
      role: 'head_nurse',
      password: 'new-sun-password',
      active: true,
    })
    expect(StaffMeResponse.parse(r.body).staff).toMatchObject({ name: '孙丽丽', role: 'head_nurse' })
    const a = await auditModel(h.db)
      .findOne({ action: 'staff.update', 'detail.staffId': sun })
      .sort({ _id: -1 })
      .lean()
    expect(a?.detail).toEqual({ staffId: sun, fields: ['name', 'role', 'password'] })
    expect(JSON.stringify(a)).not.toContain('new-sun-password')
    expect((await h.staffLogin('nurse.sun', 'new-sun-password')).staff.role).toBe('head_nurse')
  })

  it('a new password set by an admin lifts a lock-out', async () => {
    for (let i = 0; i < 5; i++)
      await h.request('POST', '/api/v1/staff/auth/login', {
        body: { username: 'marketing.zhao', password: 'wrong-password-1' },
      })
    const locked = await h.request('POST', '/api/v1/staff/auth/login', {
      body: { username: 'marketing.zhao', password: DEMO_STAFF_PASSWORD },
    })
    expect(locked.status).toBe(423)
    const id = (await staffModel(h.db).findOne({ username: 'marketing.zhao' }).lean())!._id.toHexString()
    expect((await update(id, { password: 'reset-password-1' })).status).toBe(200)
    expect((await h.staffLogin('marketing.zhao', 'reset-password-1')).staff.username).toBe('marketing.zhao')
  })

  it('an admin cannot deactivate or demote themselves, but may rename themselves', async () => {
    for (const body of [{ active: false }, { role: 'nurse' }]) {
      const r = await update(admin.id, body)
      expect(r.status).toBe(403)
      expect(errorOf(r.body).code).toBe('FORBIDDEN')
      expect(errorOf(r.body).message).toMatch(/own account/)
    }
    expect(await staffModel(h.db).findById(admin.id).lean()).toMatchObject({ active: true, role: 'admin' })
    expect((await update(admin.id, { name: '管理员', role: 'admin', active: true })).status).toBe(200)
  })

  it('answers 404 STAFF_NOT_FOUND for an unknown id', async () => {
    const r = await update(new Types.ObjectId().toHexString(), { name: 'x' })
    expect(r.status).toBe(404)
    expect(errorOf(r.body).code).toBe('STAFF_NOT_FOUND')
  })
})

describe('the nurse directory', () => {
  it('lists active nurses and head nurses to nurses and head nurses; not to marketers', async () => {
    for (const [username, role] of [
      ['dir.head', 'head_nurse'],
      ['dir.market', 'marketer'],
    ] as const)
      expect((await create({ username, name: '目录', role, password: 'directory-pass-1' })).status).toBe(201)
    const head = (await h.staffLogin('dir.head', 'directory-pass-1')).accessToken
    const r = await h.request('GET', '/api/v1/staff/nurses', { token: head })
    expect(r.status).toBe(200)
    const staff = StaffListResponse.parse(r.body).staff
    expect(staff.length).toBeGreaterThan(0)
    for (const s of staff) {
      expect(['nurse', 'head_nurse']).toContain(s.role)
      expect(s.active).toBe(true)
    }
    expect(staff.map((s) => s.username)).toEqual(expect.arrayContaining(['nurse.li', 'dir.head']))
    expect(staff.map((s) => s.username)).not.toContain('dir.market')
    const marketer = (await h.staffLogin('dir.market', 'directory-pass-1')).accessToken
    expect((await h.request('GET', '/api/v1/staff/nurses', { token: marketer })).status).toBe(403)
  })
})
