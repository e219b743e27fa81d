import { AppError, type RatesResponse, type z } from '@careloop/shared'
import type { RatesQuery } from '@careloop/shared'
import { Types } from 'mongoose'
import type { Clock } from '../../clock'
import type { StaffPrincipal } from '../../http/context'
import type { StaffRepo } from '../staff/staff.repo'
import type { PatientCommunities } from './patient-communities.repo'
import type { PlanRepo } from './plan.repo'
import { addDays, localDateOf, localInstant } from './schedule'
import type { StepRepo } from './step.repo'

export interface RatesService {
  rates(p: StaffPrincipal, q: z.infer<typeof RatesQuery>): Promise<RatesResponse>
}

const MAX_DAYS = 366
const NONE = 'none'
type Row = RatesResponse['rows'][number]

const row = (key: string, label: string, done: number, missed: number): Row => ({
  key,
  label,
  due: done + missed,
  done,
  missed,
  rate: done + missed > 0 ? Math.round((done / (done + missed)) * 10_000) / 10_000 : null,
})

/**
 * The follow-up rate (F19, F36, F39): of the steps whose window ended in the range, how many were done
 * (cancelled steps count neither way). By plan, by the community patients are in now (a patient in two
 * groups counts in both; none: 未入群), or by responsible nurse. A nurse sees her own steps only.
 */
export const createRatesService = (deps: {
  steps: StepRepo
  plans: PlanRepo
  staff: Pick<StaffRepo, 'findByIds'>
  communities: PatientCommunities
  clock: Clock
  timeZone: string
}): RatesService => ({
  async rates(p, q) {
    const { timeZone } = deps
    const to = q.to ?? localDateOf(deps.clock.now(), timeZone)
    const from = q.from ?? addDays(to, -29)
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1
    if (days > MAX_DAYS)
      throw new AppError('VALIDATION_FAILED', `The range is at most ${MAX_DAYS} days`, [
        { path: 'from', message: `the range is at most ${MAX_DAYS} days` },
      ])
    const range = {
      from: localInstant(from, '00:00', timeZone),
      to: localInstant(addDays(to, 1), '00:00', timeZone),
    }
    const nurseId = p.role === 'nurse' ? p.staffId : undefined
    const by = q.groupBy === 'plan' ? 'planId' : q.groupBy === 'nurse' ? 'nurseId' : 'patientId'
    const counts = await deps.steps.outcomes({ ...range, nurseId, by })

    // key → [done, missed]
    const acc = new Map<string, [number, number]>()
    const add = (key: string, status: 'done' | 'missed', n: number): void => {
      const a = acc.get(key) ?? [0, 0]
      a[status === 'done' ? 0 : 1] += n
      acc.set(key, a)
    }
    let labels = new Map<string, string>()
    if (q.groupBy === 'community') {
      const ids = [...new Set(counts.flatMap((c) => (c.key ? [c.key] : [])))].map(
        (id) => new Types.ObjectId(id),
      )
      const { byPatient, names } = await deps.communities.of(ids)
      for (const c of counts) {
        const groups = (c.key && byPatient.get(c.key)) || [NONE]
        for (const g of groups) add(g, c.status, c.n)
      }
      labels = names
      labels.set(NONE, '未入群')
    } else {
      for (const c of counts) add(c.key ?? NONE, c.status, c.n)
      if (q.groupBy === 'plan') {
        for (const key of acc.keys())
          labels.set(key, (await deps.plans.findById(key))?.name ?? '（已删除的方案）')
      } else {
        const staff = await deps.staff.findByIds([...acc.keys()].filter((k) => k !== NONE))
        labels = new Map(staff.map((s) => [s.id, s.name]))
        labels.set(NONE, '未指定护士')
      }
    }
    const rows = [...acc.entries()]
      .map(([key, [done, missed]]) => row(key, labels.get(key) ?? key, done, missed))
      .sort((a, b) => b.due - a.due || a.label.localeCompare(b.label))
    // The total counts each step once (a patient in two communities is in two rows, not twice here).
    const totalDone = counts.filter((c) => c.status === 'done').reduce((n, c) => n + c.n, 0)
    const totalMissed = counts.filter((c) => c.status === 'missed').reduce((n, c) => n + c.n, 0)
    return { from, to, groupBy: q.groupBy, rows, total: row('total', '合计', totalDone, totalMissed) }
  },
})
