import { ErrorBody, PatientEventsResponse, RecordPatientEventResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { patientModel } from '../patients/patient.model'
import { patientEventModel } from './patient-event.model'

const h = useStaffHarness()
const tok = {} as Record<'admin' | 'nurse' | 'head' | 'marketer', string>
let mine = ''
let foreign = ''
let erased = ''

const errorOf = (b: unknown) => ErrorBody.parse(b).error
const path = (id: string) => `/api/v1/staff/patients/${id}/events`
const ago = (ms: number) => new Date(h.clock.now().getTime() - ms).toISOString()

beforeAll(async () => {
  await h.seedStaff()
  const nurse = await h.staffLogin('nurse.li')
  tok.nurse = nurse.accessToken
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  const P = patientModel(h.db)
  const mk = async (o: Record<string, unknown>) =>
    (await P.create({ accountId: new Types.ObjectId(), relation: 'self', ...o }))._id.toHexString()
  mine = await mk({ name: '张秀兰', assignedNurseId: new Types.ObjectId(nurse.staff.id) })
  foreign = await mk({ name: '赵六' })
  erased = await mk({ name: null, erasedAt: new Date(), assignedNurseId: new Types.ObjectId(nurse.staff.id) })
})

describe('clinical events', () => {
  it('a nurse records and lists events of her patient, newest first, audited', async () => {
    const first = await h.request('POST', path(mine), {
      token: tok.nurse,
      body: { kind: 'diagnosis', code: 'E11.900x001', at: ago(86_400_000), note: '门诊' },
    })
    expect(first.status).toBe(201)
    const r = RecordPatientEventResponse.parse(first.body)
    expect(r).toMatchObject({
      duplicate: false,
      tagChanges: [],
      event: { kind: 'diagnosis', code: 'E11.900x001', note: '门诊', source: 'staff', externalId: null },
    })
    expect(r.event.by.kind).toBe('staff')
    await h.request('POST', path(mine), { token: tok.head, body: { kind: 'visit', at: ago(3_600_000) } })
    const list = await h.request('GET', path(mine), { token: tok.nurse })
    expect(PatientEventsResponse.parse(list.body).events.map((e) => e.kind)).toEqual(['visit', 'diagnosis'])
    const audit = await auditModel(h.db)
      .find({ patientId: new Types.ObjectId(mine), action: /^patient\.(event_record|read_events)$/ })
      .lean()
    expect(audit.map((a) => a.action).sort()).toEqual([
      'patient.event_record',
      'patient.event_record',
      'patient.read_events',
    ])
  })

  it('scope and roles: another nurse’s or an erased patient is 404; marketers may not', async () => {
    for (const id of [foreign, erased, new Types.ObjectId().toHexString()]) {
      const w = await h.request('POST', path(id), {
        token: tok.nurse,
        body: { kind: 'visit', at: ago(1000) },
      })
      expect([w.status, errorOf(w.body).code]).toEqual([404, 'PATIENT_NOT_FOUND'])
      const r = await h.request('GET', path(id), { token: tok.nurse })
      expect(r.status).toBe(404)
    }
    expect((await h.request('GET', path(foreign), { token: tok.admin })).status).toBe(200)
    const m = await h.request('GET', path(mine), { token: tok.marketer })
    expect([m.status, errorOf(m.body).code]).toEqual([403, 'FORBIDDEN'])
    expect(await patientEventModel(h.db).countDocuments({ patientId: new Types.ObjectId(foreign) })).toBe(0)
  })

  it('validates the code, the kind and the time', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'diagnosis', at: ago(1000) }, 'code'],
      [{ kind: 'diagnosis', code: 'diabetes', at: ago(1000) }, 'code'],
      [{ kind: 'diagnosis', code: 'e11.9', at: ago(1000) }, 'code'],
      [{ kind: 'surgery', code: '36.10 01', at: ago(1000) }, 'code'],
      [{ kind: 'checkup', at: ago(1000) }, 'kind'],
      [{ kind: 'visit', at: '2026-13-01' }, 'at'],
      [{ kind: 'visit', at: ago(-3_600_000) }, 'at'],
      [{ kind: 'visit', at: '1899-12-31T00:00:00Z' }, 'at'],
      [{ kind: 'visit', at: ago(1000), externalId: '' }, 'externalId'],
      [{ kind: 'visit', at: ago(1000), who: 'x' }, '(root)'],
    ]
    const before = await patientEventModel(h.db).countDocuments()
    for (const [body, field] of cases) {
      const r = await h.request('POST', path(mine), { token: tok.admin, body })
      expect([JSON.stringify(body), r.status, errorOf(r.body).code]).toEqual([
        JSON.stringify(body),
        400,
        'VALIDATION_FAILED',
      ])
      expect((errorOf(r.body).details as { path: string }[]).map((d) => d.path)).toContain(field)
    }
    expect(await patientEventModel(h.db).countDocuments()).toBe(before)
    // a surgery may carry a procedure code; a few minutes of clock skew are tolerated
    const ok = await h.request('POST', path(mine), {
      token: tok.admin,
      body: { kind: 'surgery', code: '36.1001', at: ago(-60_000) },
    })
    expect(ok.status).toBe(201)
  })

  it('re-delivery with the same externalId records nothing new; another patient cannot reuse it', async () => {
    const body = { kind: 'admission', at: ago(7_200_000), externalId: 'ward-2026-001' }
    const rs = await Promise.all(
      Array.from({ length: 5 }, () => h.request('POST', path(mine), { token: tok.nurse, body })),
    )
    expect(rs.map((r) => r.status)).toEqual([201, 201, 201, 201, 201])
    const parsed = rs.map((r) => RecordPatientEventResponse.parse(r.body))
    expect(new Set(parsed.map((p) => p.event.id)).size).toBe(1)
    expect(parsed.filter((p) => !p.duplicate)).toHaveLength(1)
    expect(await patientEventModel(h.db).countDocuments({ externalId: 'ward-2026-001' })).toBe(1)
    const other = await h.request('POST', path(foreign), { token: tok.admin, body })
    expect([other.status, errorOf(other.body).code]).toEqual([409, 'PATIENT_EVENT_CONFLICT'])
  })
})
