import { Types, type Connection } from 'mongoose'
import { accountModel } from '../accounts/account.model'
import { scopeQuery, type PatientScope } from '../patients/patient-staff.repo'
import { patientModel } from '../patients/patient.model'

/** A patient a CSV row may name, with the tags it carries now. */
export interface ImportPatient {
  id: string
  relation: string
  tagIds: string[]
}

/** What a `patient` cell resolved to within the caller's scope. */
export type ImportMatch =
  | { kind: 'found'; patient: ImportPatient }
  | { kind: 'missing' }
  | { kind: 'ambiguous' }

export interface TagImportRepo {
  /**
   * Resolves `patient` cells within a scope: a patient id, a hospital patient id, or a mainland mobile
   * (given here as its blind index: the profiles of the account bound to it, its own profile first).
   * Erased profiles and those outside the scope are missing.
   */
  resolve(
    scope: PatientScope,
    keys: readonly { key: string; phoneIndex: string | null }[],
  ): Promise<Map<string, ImportMatch>>
}

interface Row {
  _id: Types.ObjectId
  accountId: Types.ObjectId
  relation: string
  hospitalPatientId?: string | null
  tags?: { tagId: string }[]
}

const PROJECTION = { accountId: 1, relation: 1, hospitalPatientId: 1, 'tags.tagId': 1 } as const

export const createTagImportRepo = (conn: Connection): TagImportRepo => {
  const P = patientModel(conn)
  const A = accountModel(conn)
  return {
    async resolve(scope, keys) {
      const where = await scopeQuery(conn, scope)
      const ids = keys.map((k) => k.key).filter((k) => /^[0-9a-f]{24}$/.test(k))
      const plain = keys.map((k) => k.key)
      const phoneIndexes = keys.map((k) => k.phoneIndex).filter((k): k is string => k !== null)

      const [byId, byHospitalId, accounts] = await Promise.all([
        ids.length
          ? P.find({ ...where, _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, PROJECTION).lean<
              Row[]
            >()
          : [],
        plain.length ? P.find({ ...where, hospitalPatientId: { $in: plain } }, PROJECTION).lean<Row[]>() : [],
        phoneIndexes.length
          ? A.find({ phoneIndex: { $in: phoneIndexes }, erasedAt: null }, { phoneIndex: 1 }).lean<
              { _id: Types.ObjectId; phoneIndex: string }[]
            >()
          : [],
      ])
      const byAccount = accounts.length
        ? await P.find({ ...where, accountId: { $in: accounts.map((a) => a._id) } }, PROJECTION).lean<Row[]>()
        : []
      const group = <K>(rows: Row[], keyOf: (r: Row) => K): Map<K, Row[]> => {
        const m = new Map<K, Row[]>()
        for (const r of rows) m.set(keyOf(r), [...(m.get(keyOf(r)) ?? []), r])
        return m
      }
      const idIndex = group(byId, (r) => r._id.toHexString())
      const hospitalIndex = group(byHospitalId, (r) => r.hospitalPatientId ?? '')
      const profilesOf = group(byAccount, (r) => r.accountId.toHexString())
      const accountsOf = new Map<string, string[]>()
      for (const a of accounts)
        accountsOf.set(a.phoneIndex, [...(accountsOf.get(a.phoneIndex) ?? []), a._id.toHexString()])

      const out = new Map<string, ImportMatch>()
      for (const { key, phoneIndex } of keys) {
        const found = new Map<string, Row>()
        for (const r of [...(idIndex.get(key) ?? []), ...(hospitalIndex.get(key) ?? [])])
          found.set(r._id.toHexString(), r)
        if (phoneIndex !== null) {
          const profiles = (accountsOf.get(phoneIndex) ?? []).flatMap((a) => profilesOf.get(a) ?? [])
          // A phone stands for its account: its own profile when it has one in scope, else its only profile.
          const own = profiles.filter((r) => r.relation === 'self')
          for (const r of own.length > 0 ? own : profiles) found.set(r._id.toHexString(), r)
        }
        const rows = [...found.values()]
        out.set(
          key,
          rows.length === 0
            ? { kind: 'missing' }
            : rows.length > 1
              ? { kind: 'ambiguous' }
              : {
                  kind: 'found',
                  patient: {
                    id: rows[0]!._id.toHexString(),
                    relation: rows[0]!.relation,
                    tagIds: (rows[0]!.tags ?? []).map((t) => t.tagId),
                  },
                },
        )
      }
      return out
    },
  }
}
