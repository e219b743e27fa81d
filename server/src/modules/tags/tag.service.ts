import {
  AppError,
  type AssignTagRequest,
  type PatientTagsResponse,
  type TagGroupsResponse,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import type { StaffRepo } from '../staff/staff.repo'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import { TagNameTakenError, type TagRepo } from './tag.repo'

export interface TagService {
  groups(): Promise<TagGroupsResponse>
  createGroup(
    p: StaffPrincipal,
    body: { name: string; kind: string },
    meta: RequestMeta,
  ): Promise<TagGroupsResponse>
  createTag(
    p: StaffPrincipal,
    groupId: string,
    body: { name: string; description?: string | null },
    meta: RequestMeta,
  ): Promise<TagGroupsResponse>
  patientTags(p: StaffPrincipal, patientId: string, meta: RequestMeta): Promise<PatientTagsResponse>
  assign(
    p: StaffPrincipal,
    patientId: string,
    body: AssignTagRequest,
    meta: RequestMeta,
  ): Promise<PatientTagsResponse>
  unassign(
    p: StaffPrincipal,
    patientId: string,
    tagId: string,
    reason: string,
    meta: RequestMeta,
  ): Promise<PatientTagsResponse>
}

export const createTagService = (deps: {
  tags: TagRepo
  patients: PatientStaffRepo
  staff: StaffRepo
  audit: AuditLog
  clock: Clock
}): TagService => {
  const { tags, audit } = deps

  const groupsView = async (): Promise<TagGroupsResponse> => {
    const [groups, all] = await Promise.all([tags.groups(), tags.tags()])
    return {
      groups: groups.map((g) => ({
        id: g._id.toHexString(),
        name: g.name,
        kind: g.kind,
        tags: all
          .filter((t) => t.groupId.equals(g._id))
          .map((t) => ({
            id: t._id.toHexString(),
            groupId: g._id.toHexString(),
            name: t.name,
            description: t.description ?? null,
          })),
      })),
    }
  }

  /** The patient, if the caller may reach it (nurse: her own); else 404 so existence does not leak. */
  const inScope = async (p: StaffPrincipal, patientId: string): Promise<void> => {
    if (!(await deps.patients.findInScope(accessOf(p).scope, patientId)))
      throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
  }

  const patientView = async (patientId: string): Promise<PatientTagsResponse> => {
    const [rows, groups, all] = await Promise.all([tags.patientTags(patientId), tags.groups(), tags.tags()])
    const staffIds = [...new Set(rows.filter((r) => r.by.kind === 'staff' && r.by.id).map((r) => r.by.id!))]
    const staff = new Map((await deps.staff.findByIds(staffIds)).map((s) => [s.id, s.name]))
    const groupName = new Map(groups.map((g) => [g._id.toHexString(), g.name]))
    const tagById = new Map(all.map((t) => [t._id.toHexString(), t]))
    return {
      tags: rows.map((r) => {
        const t = tagById.get(r.tagId)
        return {
          tagId: r.tagId,
          name: t?.name ?? '（已删除的标签）',
          groupName: t ? (groupName.get(t.groupId.toHexString()) ?? '') : '',
          source: r.source,
          reason: r.reason,
          by: { kind: r.by.kind, id: r.by.id ?? null, name: r.by.id ? (staff.get(r.by.id) ?? null) : null },
          at: r.at.toISOString(),
        }
      }),
    }
  }

  const named = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (e) {
      if (e instanceof TagNameTakenError)
        throw new AppError('TAG_NAME_TAKEN', `The name ${name} is already used`)
      throw e
    }
  }

  return {
    groups: groupsView,
    async createGroup(p, body, meta) {
      await named(body.name, () => tags.createGroup(body.name, body.kind))
      await audit.record({
        actor: staffActor(p),
        action: 'tag.group_create',
        detail: { kind: body.kind },
        ...meta,
      })
      return groupsView()
    },
    async createTag(p, groupId, body, meta) {
      if (!(await tags.findGroup(groupId))) throw new AppError('TAG_GROUP_NOT_FOUND', 'No such tag group')
      await named(body.name, () => tags.createTag(groupId, body.name, body.description ?? null))
      await audit.record({ actor: staffActor(p), action: 'tag.create', detail: { groupId }, ...meta })
      return groupsView()
    },
    async patientTags(p, patientId, meta) {
      await inScope(p, patientId)
      await audit.record({ actor: staffActor(p), action: 'patient.read_tags', patientId, ...meta })
      return patientView(patientId)
    },
    async assign(p, patientId, body, meta) {
      await inScope(p, patientId)
      if (!(await tags.findTag(body.tagId))) throw new AppError('TAG_NOT_FOUND', 'No such tag')
      const added = await tags.assign(patientId, {
        tagId: body.tagId,
        source: 'manual',
        reason: body.reason,
        by: { kind: 'staff', id: p.staffId },
        at: deps.clock.now(),
      })
      if (added)
        await audit.record({
          actor: staffActor(p),
          action: 'patient.tag',
          patientId,
          detail: { tagId: body.tagId },
          ...meta,
        })
      return patientView(patientId)
    },
    async unassign(p, patientId, tagId, reason, meta) {
      await inScope(p, patientId)
      const removed = await tags.unassign(patientId, tagId, {
        source: 'manual',
        reason,
        by: { kind: 'staff', id: p.staffId },
        at: deps.clock.now(),
      })
      if (removed)
        await audit.record({
          actor: staffActor(p),
          action: 'patient.untag',
          patientId,
          detail: { tagId },
          ...meta,
        })
      return patientView(patientId)
    },
  }
}
