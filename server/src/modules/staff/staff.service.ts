import {
  AppError,
  type CreateStaffRequest,
  type Staff,
  type StaffRole,
  type UpdateStaffRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PasswordHasher } from './staff-password.service'
import { DuplicateStaffKeyError, type StaffChanges, type StaffRecord, type StaffRepo } from './staff.repo'

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string
  requestId: string
}

export const presentStaff = (s: StaffRecord): Staff => ({
  id: s.id,
  username: s.username,
  name: s.name,
  role: s.role,
  wecomUserId: s.wecomUserId,
  active: s.active,
  createdAt: s.createdAt.toISOString(),
})

export const staffActor = (p: StaffPrincipal): { kind: 'staff'; id: string; role: StaffRole } => ({
  kind: 'staff',
  id: p.staffId,
  role: p.role,
})

const duplicate = (e: unknown): AppError | undefined => {
  if (!(e instanceof DuplicateStaffKeyError)) return undefined
  if (e.key === 'username') return new AppError('STAFF_USERNAME_TAKEN', 'This username is already taken')
  return new AppError('VALIDATION_FAILED', 'This WeCom userid is linked to another staff account', [
    { path: 'wecomUserId', message: 'is linked to another staff account' },
  ])
}

export interface StaffService {
  me(p: StaffPrincipal): Promise<Staff>
  /** The active staff account bound to a WeCom userid (for the bot). */
  byWecomUserId(userid: string): Promise<Staff>
  list(): Promise<Staff[]>
  create(p: StaffPrincipal, body: CreateStaffRequest, meta: RequestMeta): Promise<Staff>
  update(p: StaffPrincipal, id: string, body: UpdateStaffRequest, meta: RequestMeta): Promise<Staff>
}

/** Staff accounts: the caller's own, and the admin's management of everyone's. */
export const createStaffService = (deps: {
  staff: StaffRepo
  passwords: PasswordHasher
  audit: AuditLog
  clock: Clock
}): StaffService => {
  const { staff, audit } = deps
  return {
    async byWecomUserId(userid) {
      const s = await staff.findByWecomUserId(userid)
      if (!s || !s.active)
        throw new AppError('STAFF_NOT_FOUND', 'No active staff account is bound to this WeCom userid')
      return presentStaff(s)
    },
    async me(p) {
      const s = await staff.findById(p.staffId)
      if (!s) throw new AppError('STAFF_NOT_FOUND', 'Staff member not found')
      return presentStaff(s)
    },
    async list() {
      return (await staff.list()).map(presentStaff)
    },
    async create(p, body, meta) {
      let created: StaffRecord
      try {
        created = await staff.create(
          {
            username: body.username,
            name: body.name,
            role: body.role,
            passwordHash: await deps.passwords.hash(body.password),
            wecomUserId: body.wecomUserId ?? null,
          },
          deps.clock.now(),
        )
      } catch (e) {
        throw duplicate(e) ?? e
      }
      await audit.record({
        actor: staffActor(p),
        action: 'staff.create',
        detail: { staffId: created.id, username: created.username, role: created.role },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return presentStaff(created)
    },
    async update(p, id, body, meta) {
      const current = await staff.findById(id)
      if (!current) throw new AppError('STAFF_NOT_FOUND', 'Staff member not found')
      if (current.id === p.staffId && (body.active === false || (body.role && body.role !== current.role)))
        throw new AppError(
          'FORBIDDEN',
          'An admin cannot deactivate or change the role of their own account; ask another admin',
        )
      const changes: StaffChanges = {}
      if (body.name !== undefined && body.name !== current.name) changes.name = body.name
      if (body.role !== undefined && body.role !== current.role) changes.role = body.role
      if (body.active !== undefined && body.active !== current.active) changes.active = body.active
      if (body.wecomUserId !== undefined && body.wecomUserId !== current.wecomUserId)
        changes.wecomUserId = body.wecomUserId
      if (body.password !== undefined) changes.passwordHash = await deps.passwords.hash(body.password)
      // The audit names the changed fields only, never their values.
      const fields = Object.keys(changes).map((k) => (k === 'passwordHash' ? 'password' : k))
      let updated: StaffRecord | null = current
      if (fields.length)
        try {
          updated = await staff.update(id, changes)
        } catch (e) {
          throw duplicate(e) ?? e
        }
      if (!updated) throw new AppError('STAFF_NOT_FOUND', 'Staff member not found')
      await audit.record({
        actor: staffActor(p),
        action: 'staff.update',
        detail: { staffId: updated.id, fields },
        ip: meta.ip,
        requestId: meta.requestId,
      })
      return presentStaff(updated)
    },
  }
}
