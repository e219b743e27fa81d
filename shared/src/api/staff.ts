import { z } from '../zod'
import { GENDERS, MaskedPhone, ObjectIdString, Relation } from './auth'
import { ConsentPurpose } from './patient'
import { defineRoute, STAFF_ROLES } from './route'

export const StaffRoleSchema = z.enum(STAFF_ROLES)

export const Username = z
  .string({ required_error: 'username is required' })
  .trim()
  .min(3, 'username must be at least 3 characters')
  .max(32, 'username must be at most 32 characters')
  .regex(/^[a-z0-9._-]+$/, 'username may contain lowercase letters, digits, . _ and - only')
export const Password = z
  .string({ required_error: 'password is required' })
  .min(10, 'password must be at least 10 characters')
  .max(128, 'password must be at most 128 characters')

/** A WeCom member userid (staff accounts carry one; the bot names nurses by it). */
export const WecomUserId = z
  .string()
  .min(1, 'userid must not be empty')
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'userid has invalid characters')

export const Staff = z
  .object({
    id: ObjectIdString,
    username: Username,
    name: z.string(),
    role: StaffRoleSchema,
    wecomUserId: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string().datetime(),
  })
  .openapi('Staff')
export type Staff = z.infer<typeof Staff>

export const StaffLoginRequest = z
  .object({
    username: z.string({ required_error: 'username is required' }).trim().min(1).max(64),
    password: z.string({ required_error: 'password is required' }).min(1).max(256),
  })
  .strict()
  .openapi('StaffLoginRequest')
export type StaffLoginRequest = z.infer<typeof StaffLoginRequest>

export const WecomLoginRequest = z
  .object({ code: z.string({ required_error: 'code is required' }).trim().min(1).max(256) })
  .strict()
  .openapi('WecomLoginRequest')
export type WecomLoginRequest = z.infer<typeof WecomLoginRequest>

export const StaffLoginResponse = z
  .object({ accessToken: z.string(), expiresIn: z.number().int().positive(), staff: Staff })
  .openapi('StaffLoginResponse')
export type StaffLoginResponse = z.infer<typeof StaffLoginResponse>

export const StaffMeResponse = z.object({ staff: Staff }).openapi('StaffMeResponse')

export const CreateStaffRequest = z
  .object({
    username: Username,
    name: z.string().trim().min(1, 'name must not be empty').max(20),
    role: StaffRoleSchema,
    password: Password,
    wecomUserId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.@-]+$/, 'wecomUserId has invalid characters')
      .nullable()
      .optional(),
  })
  .strict()
  .openapi('CreateStaffRequest')
export type CreateStaffRequest = z.infer<typeof CreateStaffRequest>

export const UpdateStaffRequest = z
  .object({
    name: z.string().trim().min(1).max(20).optional(),
    role: StaffRoleSchema.optional(),
    active: z.boolean().optional(),
    password: Password.optional(),
    wecomUserId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.@-]+$/)
      .nullable()
      .optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field is required')
  .openapi('UpdateStaffRequest')
export type UpdateStaffRequest = z.infer<typeof UpdateStaffRequest>

export const StaffListResponse = z.object({ staff: z.array(Staff) }).openapi('StaffListResponse')
export const IdParams = z.object({ id: ObjectIdString })

export const PatientListQuery = z
  .object({
    /** Name, hospital patient id, the full 11-digit phone or the full ID number (both by blind index). */
    q: z.string().trim().max(40).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()
export type PatientListQuery = z.infer<typeof PatientListQuery>

/** A patient row as staff see it: PII masked (138****5678, 王*英) unless the role needs it. */
export const StaffPatientRow = z
  .object({
    id: ObjectIdString,
    name: z.string().nullable(),
    gender: z.enum(GENDERS).nullable(),
    birthYear: z.number().int().nullable(),
    phone: MaskedPhone.nullable(),
    hospitalPatientId: z.string().nullable(),
    /** Masked (1101**********1234) for clinical roles; null for marketers. */
    idNumber: z.string().nullable(),
    relation: Relation,
    assignedNurseId: ObjectIdString.nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('StaffPatientRow')
export type StaffPatientRow = z.infer<typeof StaffPatientRow>

export const PatientListResponse = z
  .object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    patients: z.array(StaffPatientRow),
  })
  .openapi('PatientListResponse')
export type PatientListResponse = z.infer<typeof PatientListResponse>

export const StaffPatientDetail = z
  .object({
    patient: StaffPatientRow,
    consents: z.record(ConsentPurpose, z.boolean()),
    /** Filled by later features (tags, plans, answers, readings, points, groups, timeline). */
    sections: z.array(z.object({ key: z.string(), title: z.string(), items: z.array(z.string()) })),
  })
  .openapi('StaffPatientDetail')
export type StaffPatientDetail = z.infer<typeof StaffPatientDetail>

export const AssignNurseRequest = z
  .object({ nurseId: ObjectIdString.nullable() })
  .strict()
  .openapi('AssignNurseRequest')

export const AuditEntry = z
  .object({
    id: ObjectIdString,
    at: z.string().datetime(),
    actor: z.object({
      kind: z.enum(['staff', 'patient', 'system']),
      id: z.string().nullable(),
      role: z.string().nullable(),
      name: z.string().nullable(),
    }),
    action: z.string(),
    patientId: ObjectIdString.nullable(),
    detail: z.record(z.unknown()),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
  })
  .openapi('AuditEntry')
export type AuditEntry = z.infer<typeof AuditEntry>

export const AuditQuery = z
  .object({
    patientId: ObjectIdString.optional(),
    actorId: z.string().max(64).optional(),
    action: z.string().max(64).optional(),
    before: z.string().datetime().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()
export const AuditListResponse = z.object({ entries: z.array(AuditEntry) }).openapi('AuditListResponse')

const ALL = STAFF_ROLES
const CLINICAL = ['nurse', 'head_nurse', 'admin'] as const

export const staffRoutes = {
  staffLogin: defineRoute({
    id: 'staffLogin',
    method: 'post',
    path: '/api/v1/staff/auth/login',
    summary: 'Console login with username and password (rate-limited, temporary lock-out)',
    tag: 'staff',
    auth: 'public',
    body: StaffLoginRequest,
    response: StaffLoginResponse,
    errors: ['VALIDATION_FAILED', 'STAFF_CREDENTIALS_INVALID', 'STAFF_LOCKED', 'RATE_LIMITED'],
  }),
  staffWecomLogin: defineRoute({
    id: 'staffWecomLogin',
    method: 'post',
    path: '/api/v1/staff/auth/wecom',
    summary: 'Console login through WeCom web login (code → userid → staff account)',
    tag: 'staff',
    auth: 'public',
    body: WecomLoginRequest,
    response: StaffLoginResponse,
    errors: ['VALIDATION_FAILED', 'STAFF_CREDENTIALS_INVALID', 'UPSTREAM_BUSY'],
  }),
  staffMe: defineRoute({
    id: 'staffMe',
    method: 'get',
    path: '/api/v1/staff/me',
    summary: 'The logged-in staff member',
    tag: 'staff',
    auth: 'staff',
    roles: ALL,
    response: StaffMeResponse,
  }),
  listStaff: defineRoute({
    id: 'listStaff',
    method: 'get',
    path: '/api/v1/admin/staff',
    summary: 'All staff accounts',
    tag: 'admin',
    auth: 'staff',
    roles: ['admin'],
    response: StaffListResponse,
  }),
  listNurses: defineRoute({
    id: 'listNurses',
    method: 'get',
    path: '/api/v1/staff/nurses',
    summary: 'Active nurses and head nurses (to assign patients and pick community owners)',
    tag: 'staff',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'admin'],
    response: StaffListResponse,
  }),
  createStaff: defineRoute({
    id: 'createStaff',
    method: 'post',
    path: '/api/v1/admin/staff',
    summary: 'Create a staff account',
    tag: 'admin',
    auth: 'staff',
    roles: ['admin'],
    body: CreateStaffRequest,
    response: StaffMeResponse,
    status: 201,
    errors: ['VALIDATION_FAILED', 'STAFF_USERNAME_TAKEN'],
  }),
  updateStaff: defineRoute({
    id: 'updateStaff',
    method: 'put',
    path: '/api/v1/admin/staff/:id',
    summary: 'Change a staff account (role, active, password, WeCom userid)',
    tag: 'admin',
    auth: 'staff',
    roles: ['admin'],
    params: IdParams,
    body: UpdateStaffRequest,
    response: StaffMeResponse,
    errors: ['VALIDATION_FAILED', 'STAFF_NOT_FOUND'],
  }),
  listPatients: defineRoute({
    id: 'listPatients',
    method: 'get',
    path: '/api/v1/staff/patients',
    summary: 'Search patients within the caller’s scope (nurse: assigned to her), masked per role',
    tag: 'staff',
    auth: 'staff',
    roles: ALL,
    query: PatientListQuery,
    response: PatientListResponse,
  }),
  getPatient: defineRoute({
    id: 'getPatient',
    method: 'get',
    path: '/api/v1/staff/patients/:id',
    summary: 'One patient’s 360° view within the caller’s scope (clinical roles only)',
    tag: 'staff',
    auth: 'staff',
    roles: CLINICAL,
    params: IdParams,
    response: StaffPatientDetail,
    errors: ['PATIENT_NOT_FOUND'],
  }),
  assignNurse: defineRoute({
    id: 'assignNurse',
    method: 'put',
    path: '/api/v1/staff/patients/:id/nurse',
    summary: 'Assign (or unassign) the responsible nurse',
    tag: 'staff',
    auth: 'staff',
    roles: ['head_nurse', 'admin'],
    params: IdParams,
    body: AssignNurseRequest,
    response: StaffPatientDetail,
    errors: ['PATIENT_NOT_FOUND', 'STAFF_NOT_FOUND'],
  }),
  serviceStaffByWecom: defineRoute({
    id: 'serviceStaffByWecom',
    method: 'get',
    path: '/api/v1/service/staff/by-wecom/:userid',
    summary: 'For the WeCom bot: the active staff account bound to a WeCom userid',
    tag: 'service',
    auth: 'service',
    params: z.object({ userid: WecomUserId }),
    response: StaffMeResponse,
    errors: ['STAFF_NOT_FOUND', 'AUTH_TOKEN_INVALID'],
  }),
  listAudit: defineRoute({
    id: 'listAudit',
    method: 'get',
    path: '/api/v1/admin/audit',
    summary: 'The audit log, newest first',
    tag: 'admin',
    auth: 'staff',
    roles: ['admin'],
    query: AuditQuery,
    response: AuditListResponse,
  }),
}
