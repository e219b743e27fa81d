import type { AuditEntry, AuditListResponse, z, AuditQuery } from '@careloop/shared'
import type { AuditLog } from '../audit/audit.repo'
import type { StaffRepo } from './staff.repo'

/** The admin's audit log viewer: newest first, with staff actors' names filled in. */
export interface StaffAuditService {
  list(q: z.infer<typeof AuditQuery>): Promise<z.infer<typeof AuditListResponse>>
}

export const createStaffAuditService = (deps: { audit: AuditLog; staff: StaffRepo }): StaffAuditService => ({
  async list(q) {
    const rows = await deps.audit.list({
      patientId: q.patientId,
      actorId: q.actorId,
      action: q.action,
      before: q.before ? new Date(q.before) : undefined,
      limit: q.limit,
    })
    const staffIdOf = (r: (typeof rows)[number]): string | null =>
      r.actor?.kind === 'staff' && r.actor.id ? r.actor.id : null
    const staffIds = [...new Set(rows.map(staffIdOf).filter((id): id is string => id !== null))]
    const names = new Map((await deps.staff.findByIds(staffIds)).map((s) => [s.id, s.name]))
    const entries: AuditEntry[] = rows.map((r) => {
      const staffId = staffIdOf(r)
      return {
        id: r._id.toHexString(),
        at: r.at.toISOString(),
        actor: {
          kind: r.actor?.kind ?? 'system',
          id: r.actor?.id ?? null,
          role: r.actor?.role ?? null,
          name: staffId ? (names.get(staffId) ?? null) : null,
        },
        action: r.action,
        patientId: r.patientId ? r.patientId.toHexString() : null,
        detail: (r.detail ?? {}) as Record<string, unknown>,
        ip: r.ip ?? null,
        requestId: r.requestId ?? null,
      }
    })
    return { entries }
  },
})
