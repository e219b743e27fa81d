import { z } from '../zod'
import { ObjectIdString } from './auth'
import { defineRoute } from './route'

/**
 * Bulk tagging by CSV (F6). The CSV travels as a JSON string (the server parses JSON bodies only).
 *
 * - A header row is required. Columns (any order, case-insensitive, Chinese aliases in brackets):
 *   `patient` (患者): a hospital patient id, an 11-digit mobile (the account's own profile; looked up
 *   by its blind index) or a patient id; `tag` (标签): a tag name; optional `action` (操作): `add`
 *   (default, also 添加) or `remove` (also 移除). Other columns are ignored.
 * - RFC 4180 quoting, a BOM, CRLF or LF line ends are all accepted. At most 5000 data rows.
 * - Every row is reported by its line: added / already (had it) / removed / absent (did not have it) /
 *   error. A bad row does not stop the others. Re-uploading the same file reports `already` / `absent`.
 * - A nurse reaches only her patients: others are reported as not found.
 * - `dryRun` reports what would happen without changing anything.
 */

export const MAX_TAG_IMPORT_ROWS = 5000
export const MAX_TAG_IMPORT_CSV_CHARS = 1_000_000

export const TagImportRequest = z
  .object({
    csv: z
      .string({ required_error: 'csv is required', invalid_type_error: 'csv must be the file text' })
      .min(1, 'csv must not be empty')
      .max(MAX_TAG_IMPORT_CSV_CHARS, 'csv must be at most 1 MB'),
    reason: z
      .string({ required_error: 'reason is required' })
      .trim()
      .min(1, 'reason must not be empty')
      .max(100, 'reason must be at most 100 characters'),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .openapi('TagImportRequest')
export type TagImportRequest = z.infer<typeof TagImportRequest>

export const TAG_IMPORT_STATUSES = ['added', 'already', 'removed', 'absent', 'error'] as const

export const TagImportRow = z.object({
  /** The 1-based line of the file the row starts on (the header is line 1). */
  line: z.number().int().positive(),
  /** The patient column as given, masked (138****5678; hospital ids keep their last 4 characters). */
  patient: z.string(),
  /** The patient it resolved to, when found in the caller's scope. */
  patientId: ObjectIdString.nullable(),
  tag: z.string(),
  action: z.enum(['add', 'remove']).nullable(),
  status: z.enum(TAG_IMPORT_STATUSES),
  /** Why the row failed (status `error`). */
  error: z.string().optional(),
})
export type TagImportRow = z.infer<typeof TagImportRow>

export const TagImportResponse = z
  .object({
    rows: z.array(TagImportRow),
    summary: z.object({
      rows: z.number().int().nonnegative(),
      added: z.number().int().nonnegative(),
      already: z.number().int().nonnegative(),
      removed: z.number().int().nonnegative(),
      absent: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      dryRun: z.boolean(),
    }),
  })
  .openapi('TagImportResponse')
export type TagImportResponse = z.infer<typeof TagImportResponse>

export const tagImportRoutes = {
  importTags: defineRoute({
    id: 'importTags',
    method: 'post',
    path: '/api/v1/staff/tags/import',
    summary:
      'Tag or untag patients in bulk from CSV text (columns patient, tag, action); a per-line report (dryRun: change nothing)',
    tag: 'tags',
    auth: 'staff',
    roles: ['nurse', 'head_nurse', 'admin'],
    body: TagImportRequest,
    response: TagImportResponse,
    errors: ['VALIDATION_FAILED', 'TAG_IMPORT_INVALID', 'PAYLOAD_TOO_LARGE'],
  }),
}
