import {
  AppError,
  EARN_RULE_LABELS,
  EARN_RULES,
  type AdjustPointsRequest,
  type AdjustPointsResponse,
  type EarnRuleId,
  type PointsLiabilityQuery,
  type PointsLiabilityResponse,
  type PointsRule,
  type PointsRulesResponse,
  type PointsTiersResponse,
  type StaffPatientPointsResponse,
  type StaffPointsLedgerQuery,
  type UpdatePointsRuleRequest,
  type UpdatePointsTiersRequest,
} from '@careloop/shared'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { AuditLog } from '../audit/audit.repo'
import type { PatientStaffRepo } from '../patients/patient-staff.repo'
import { accessOf } from '../staff/staff-patients.service'
import { staffActor, type RequestMeta } from '../staff/staff.service'
import type { PointsAccountRepo } from './points-account.repo'
import type { LedgerEngine } from './points-ledger.service'
import { oid, type PointsLedgerRepo } from './points-ledger.repo'
import { presentStaffEntry } from './points-present'
import type { RuleConfig } from './points-rules'
import type { PointsSettingsRepo } from './points-settings.repo'
import { presentTier, type PointsTiers } from './points-tiers.service'
import { addMonthsToMonth, monthOf, startOfDay } from './points-time'

/** The console's points pages: rules, tiers, a patient's ledger and adjustments, the liability. */
export interface PointsStaffService {
  rules(): Promise<PointsRulesResponse>
  updateRule(
    p: StaffPrincipal,
    rule: EarnRuleId,
    body: UpdatePointsRuleRequest,
    meta: RequestMeta,
  ): Promise<PointsRule>
  tiers(): Promise<PointsTiersResponse>
  setTiers(p: StaffPrincipal, body: UpdatePointsTiersRequest, meta: RequestMeta): Promise<PointsTiersResponse>
  patient(
    p: StaffPrincipal,
    id: string,
    q: StaffPointsLedgerQuery,
    meta: RequestMeta,
  ): Promise<StaffPatientPointsResponse>
  adjust(
    p: StaffPrincipal,
    id: string,
    body: AdjustPointsRequest,
    meta: RequestMeta,
  ): Promise<AdjustPointsResponse>
  liability(q: PointsLiabilityQuery): Promise<PointsLiabilityResponse>
}

const DAY_MS = 86_400_000

export const presentRule = (r: RuleConfig): PointsRule => ({
  rule: r.rule,
  label: EARN_RULE_LABELS[r.rule],
  points: r.points,
  dailyCap: r.dailyCap,
  monthlyCap: r.monthlyCap,
  enabled: r.enabled,
  updatedAt: r.updatedAt?.toISOString() ?? null,
})

export const createPointsStaffService = (deps: {
  engine: LedgerEngine
  ledger: PointsLedgerRepo
  accounts: Pick<PointsAccountRepo, 'totals' | 'positiveBalances'>
  settings: PointsSettingsRepo
  tiers: PointsTiers
  staffPatients: Pick<PatientStaffRepo, 'findInScope'>
  audit: AuditLog
  clock: Clock
  timeZone: string
}): PointsStaffService => {
  const { clock, timeZone, audit } = deps
  const inScope = async (p: StaffPrincipal, id: string): Promise<void> => {
    if (!(await deps.staffPatients.findInScope(accessOf(p).scope, id)))
      throw new AppError('PATIENT_NOT_FOUND', 'No such patient in your scope')
  }
  const tiersOut = (t: Awaited<ReturnType<PointsSettingsRepo['tiers']>>): PointsTiersResponse => ({
    tiers: t.tiers.map((x) => ({ ...x, benefits: [...x.benefits] })),
    updatedAt: t.updatedAt?.toISOString() ?? null,
  })

  return {
    async rules() {
      return { rules: (await deps.settings.rules()).map(presentRule) }
    },

    async updateRule(p, rule, body, meta) {
      const before = await deps.settings.rule(rule)
      const merged = { ...before, ...body }
      if (merged.dailyCap !== null && merged.monthlyCap !== null && merged.monthlyCap < merged.dailyCap)
        throw new AppError('POINTS_RULE_INVALID', 'The monthly cap must not be below the daily cap', [
          { path: 'monthlyCap', message: `monthlyCap must be at least the daily cap (${merged.dailyCap})` },
        ])
      const after = await deps.settings.updateRule(rule, body, p.staffId)
      await audit.record({
        actor: staffActor(p),
        action: 'points.rule_update',
        detail: { rule, change: body },
        ...meta,
      })
      return presentRule(after)
    },

    async tiers() {
      return tiersOut(await deps.settings.tiers())
    },

    async setTiers(p, body, meta) {
      const saved = await deps.settings.setTiers(body.tiers, p.staffId)
      await audit.record({
        actor: staffActor(p),
        action: 'points.tiers_update',
        detail: {
          tiers: body.tiers.map((t) => ({ id: t.id, threshold: t.threshold, multiplier: t.multiplier })),
        },
        ...meta,
      })
      return tiersOut(saved)
    },

    async patient(p, id, q, meta) {
      await inScope(p, id)
      const [status, account, rows] = await Promise.all([
        deps.tiers.status(id),
        deps.engine.account(id),
        deps.ledger.list(oid(id)!, q.cursor ? oid(q.cursor) : null, q.limit + 1),
      ])
      const page = rows.slice(0, q.limit)
      await audit.record({
        actor: staffActor(p),
        action: 'patient.read_points',
        patientId: id,
        detail: { count: page.length },
        ...meta,
      })
      return {
        patientId: id,
        balance: account?.balance ?? 0,
        earned12m: status.earned12m,
        tier: presentTier(status),
        entries: page.map(presentStaffEntry),
        nextCursor: rows.length > q.limit ? page[page.length - 1]!._id.toHexString() : null,
      }
    },

    async adjust(p, id, body, meta) {
      await inScope(p, id)
      const r = await deps.engine.adjust({
        profileId: id,
        amount: body.amount,
        reason: body.reason,
        requestId: body.requestId,
        actor: { kind: 'staff', id: p.staffId, role: p.role },
      })
      if (!r.duplicate)
        await audit.record({
          actor: staffActor(p),
          action: 'points.adjust',
          patientId: id,
          detail: {
            amount: body.amount,
            reason: body.reason,
            entryId: r.entry._id.toHexString(),
            balance: r.balance,
          },
          ...meta,
        })
      return { entry: presentStaffEntry(r.entry), balance: r.balance, duplicate: r.duplicate }
    },

    async liability(q) {
      const now = clock.now()
      const month = q.month ?? monthOf(now, timeZone)
      const from = startOfDay(`${month}-01`, timeZone)
      const to = startOfDay(`${addMonthsToMonth(month, 1)}-01`, timeZone)
      const [totals, balances, valid30, valid90, rows] = await Promise.all([
        deps.accounts.totals(),
        deps.accounts.positiveBalances(),
        deps.ledger.lotsAfterByProfile(new Date(now.getTime() + 30 * DAY_MS)),
        deps.ledger.lotsAfterByProfile(new Date(now.getTime() + 90 * DAY_MS)),
        deps.ledger.movements(from, to),
      ])
      let within30Days = 0
      let within90Days = 0
      for (const [profileId, balance] of balances) {
        within30Days += Math.max(0, balance - (valid30.get(profileId) ?? 0))
        within90Days += Math.max(0, balance - (valid90.get(profileId) ?? 0))
      }
      const sum = (kind: string): number =>
        rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.points, 0)
      return {
        outstanding: totals.outstanding,
        accounts: totals.accounts,
        expiring: { within30Days, within90Days },
        month: {
          key: month,
          earned: sum('earn'),
          spent: -sum('spend'),
          refunded: sum('refund'),
          expired: -sum('expire'),
          adjusted: sum('adjust'),
          byRule: EARN_RULES.map((rule) => {
            const mine = rows.filter((r) => r.kind === 'earn' && r.rule === rule)
            return {
              rule,
              label: EARN_RULE_LABELS[rule],
              points: mine.reduce((s, r) => s + r.points, 0),
              count: mine.reduce((s, r) => s + r.count, 0),
            }
          }),
        },
        generatedAt: now.toISOString(),
      }
    },
  }
}
