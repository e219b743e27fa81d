import { Types, type Connection } from 'mongoose'
import type { Clock } from '../../clock'
import { auditModel, type AuditDoc } from './audit.model'

export interface AuditRecord {
  actor: { kind: 'staff' | 'patient' | 'system'; id: string | null; role?: string | null }
  action: string
  patientId?: string | null
  detail?: Record<string, unknown>
  ip?: string | null
  requestId?: string | null
}

export interface AuditQuery {
  patientId?: string
  actorId?: string
  action?: string
  before?: Date
  limit: number
}

export type AuditRow = Omit<AuditDoc, 'patientId'> & { patientId: Types.ObjectId | null }

/** The audit log: append and read, nothing else. */
export interface AuditLog {
  record(r: AuditRecord): Promise<void>
  list(q: AuditQuery): Promise<AuditRow[]>
}

export const createAuditLog = (conn: Connection, clock: Clock): AuditLog => {
  const M = auditModel(conn)
  return {
    async record(r) {
      await M.create({
        at: clock.now(),
        actor: { kind: r.actor.kind, id: r.actor.id, role: r.actor.role ?? null },
        action: r.action,
        patientId: r.patientId ? new Types.ObjectId(r.patientId) : null,
        detail: r.detail ?? {},
        ip: r.ip ?? null,
        requestId: r.requestId ?? null,
      })
    },
    async list(q) {
      const filter: Record<string, unknown> = {}
      if (q.patientId) filter.patientId = new Types.ObjectId(q.patientId)
      if (q.actorId) filter['actor.id'] = q.actorId
      if (q.action) filter.action = q.action
      if (q.before) filter.at = { $lt: q.before }
      return M.find(filter).sort({ at: -1, _id: -1 }).limit(q.limit).lean<AuditRow[]>()
    },
  }
}
