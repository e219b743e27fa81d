import {
  AppError,
  MAX_TAG_IMPORT_ROWS,
  parseCsv,
  type TagImportRequest,
  type TagImportResponse,
  type TagImportRow,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import { maskPhone, type PiiCrypto } from '../../privacy/pii-crypto'
import type { AuditLog } from '../audit/audit.repo'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { TagRepo } from '../tags/tag.repo'
import type { ImportMatch, TagImportRepo } from './tag-import.repo'

/** Bulk tagging from CSV (F6): see the contract in shared/src/api/tag-import.ts. */
export interface TagImportService {
  import(p: StaffPrincipal, body: TagImportRequest, meta: RequestMeta): Promise<TagImportResponse>
}

const MAINLAND_MOBILE = /^1\d{10}$/
const PATIENT_ID = /^[0-9a-f]{24}$/

/** Header names (lower-cased) and their columns. */
const COLUMNS: Record<string, 'patient' | 'tag' | 'action'> = {
  patient: 'patient',
  患者: 'patient',
  tag: 'tag',
  标签: 'tag',
  action: 'action',
  操作: 'action',
}
const ACTIONS: Record<string, 'add' | 'remove'> = {
  '': 'add',
  add: 'add',
  添加: 'add',
  remove: 'remove',
  移除: 'remove',
}

/** 13812345678 → 138****5678; a patient id as is (opaque); anything else keeps its last 4 characters. */
const maskKey = (key: string): string => {
  if (MAINLAND_MOBILE.test(key)) return maskPhone(key)
  if (PATIENT_ID.test(key)) return key
  const chars = [...key]
  return chars.length <= 4 ? '*'.repeat(chars.length) : `****${chars.slice(-4).join('')}`
}

const invalid = (message: string, details: Record<string, unknown>): AppError =>
  new AppError('TAG_IMPORT_INVALID', message, details)

export const createTagImportService = (deps: {
  repo: TagImportRepo
  tags: TagRepo
  pii: PiiCrypto
  audit: AuditLog
  clock: Clock
}): TagImportService => ({
  async import(p, body, meta) {
    const dryRun = body.dryRun ?? false
    const { records, problems } = parseCsv(body.csv)
    const header = records[0]
    if (!header || problems.some((x) => x.line <= header.line))
      throw invalid('The CSV needs a readable header row (patient,tag[,action])', {
        path: 'csv',
        line: problems[0]?.line ?? 1,
      })
    const index: Partial<Record<'patient' | 'tag' | 'action', number>> = {}
    header.fields.forEach((f, i) => {
      const col = COLUMNS[f.trim().toLowerCase()]
      if (col === undefined) return
      if (index[col] !== undefined)
        throw invalid(`The header names column ${col} twice`, { path: 'csv', column: col })
      index[col] = i
    })
    const missing = (['patient', 'tag'] as const).filter((c) => index[c] === undefined)
    if (missing.length > 0)
      throw invalid(`The CSV header lacks the column ${missing.join(', ')}`, { path: 'csv', missing })
    const data = records.slice(1)
    if (data.length + problems.length > MAX_TAG_IMPORT_ROWS)
      throw invalid(`At most ${MAX_TAG_IMPORT_ROWS} rows per file`, {
        path: 'csv',
        rows: data.length + problems.length,
        max: MAX_TAG_IMPORT_ROWS,
      })

    const cell = (fields: string[], col: 'patient' | 'tag' | 'action'): string =>
      index[col] === undefined ? '' : (fields[index[col]] ?? '').trim()
    const tagIdByName = new Map((await deps.tags.tags()).map((t) => [t.name, t._id.toHexString()]))

    // Read every row; resolve the patients of the readable ones in one go.
    type Planned = { line: number; key: string; tag: string; action: 'add' | 'remove' | null; error?: string }
    const planned: Planned[] = [
      ...problems.map((x) => ({
        line: x.line,
        key: '',
        tag: '',
        action: null,
        error: `无法读取：${x.message}`,
      })),
      ...data.map((r): Planned => {
        const key = cell(r.fields, 'patient')
        const tag = cell(r.fields, 'tag')
        const action = ACTIONS[cell(r.fields, 'action').toLowerCase()] ?? null
        const base = { line: r.line, key, tag, action }
        if (!key) return { ...base, error: '缺少患者' }
        if (!tag) return { ...base, error: '缺少标签' }
        if (action === null)
          return { ...base, error: `操作必须是 add 或 remove（得到「${cell(r.fields, 'action')}」）` }
        if (!tagIdByName.has(tag)) return { ...base, error: `未知标签「${tag}」` }
        return base
      }),
    ].sort((a, b) => a.line - b.line)
    const keys = [...new Set(planned.filter((r) => !r.error).map((r) => r.key))]
    const matches = await deps.repo.resolve(
      accessOf(p).scope,
      keys.map((key) => ({
        key,
        phoneIndex: MAINLAND_MOBILE.test(key) ? deps.pii.blindIndex('phone', key) : null,
      })),
    )

    // What each patient carries, as the rows go (for the dry run's answers).
    const carried = new Map<string, Set<string>>()
    const rows: TagImportRow[] = []
    const changed = new Set<string>()
    const at = deps.clock.now()
    const by = { kind: 'staff' as const, id: p.staffId }
    for (const r of planned) {
      const base = { line: r.line, patient: maskKey(r.key), tag: r.tag, action: r.action }
      if (r.error) {
        rows.push({ ...base, patientId: null, status: 'error', error: r.error })
        continue
      }
      const m: ImportMatch = matches.get(r.key) ?? { kind: 'missing' }
      if (m.kind !== 'found') {
        rows.push({
          ...base,
          patientId: null,
          status: 'error',
          error:
            m.kind === 'missing'
              ? '找不到该患者（或不在您的负责范围内）'
              : '该手机号或编号对应多个患者，请改用患者 ID',
        })
        continue
      }
      const patientId = m.patient.id
      const tagId = tagIdByName.get(r.tag)!
      let has = carried.get(patientId)
      if (!has) carried.set(patientId, (has = new Set(m.patient.tagIds)))
      let status: TagImportRow['status']
      if (r.action === 'add') {
        const added = dryRun
          ? !has.has(tagId)
          : await deps.tags.assign(patientId, { tagId, source: 'import', reason: body.reason, by, at })
        status = added ? 'added' : 'already'
        has.add(tagId)
      } else {
        const removed = dryRun
          ? has.has(tagId)
          : await deps.tags.unassign(patientId, tagId, { source: 'import', reason: body.reason, by, at })
        status = removed ? 'removed' : 'absent'
        has.delete(tagId)
      }
      if (status === 'added' || status === 'removed') changed.add(patientId)
      rows.push({ ...base, patientId, status })
    }

    const countOf = (s: TagImportRow['status']) => rows.filter((r) => r.status === s).length
    const summary = {
      rows: rows.length,
      added: countOf('added'),
      already: countOf('already'),
      removed: countOf('removed'),
      absent: countOf('absent'),
      errors: countOf('error'),
      dryRun,
    }
    await deps.audit.record({
      actor: staffActor(p),
      action: 'tag.import',
      detail: { ...summary, reason: body.reason, patientIds: [...changed] },
      ...meta,
    })
    return { rows, summary }
  },
})
