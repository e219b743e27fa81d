import { EARN_RULE_LABELS, type PointsEntry, type StaffPointsEntry } from '@careloop/shared'
import type { PointsEntryDoc } from './points.model'

/** What a patient reads for an entry (staff notes of adjustments stay with staff). */
export const entryTitle = (e: PointsEntryDoc): string => {
  switch (e.kind) {
    case 'earn':
      return e.rule ? EARN_RULE_LABELS[e.rule] : '获得积分'
    case 'spend':
      return e.reason ?? '积分消费'
    case 'refund':
      return e.reason ?? '积分退还'
    case 'adjust':
      return '积分调整'
    case 'expire':
      return '积分过期'
  }
}

export const presentEntry = (e: PointsEntryDoc): PointsEntry => ({
  id: e._id.toHexString(),
  kind: e.kind,
  amount: e.amount,
  rule: e.rule,
  title: entryTitle(e),
  at: e.at.toISOString(),
  expiresAt: e.expiresAt?.toISOString() ?? null,
  balanceAfter: e.balanceAfter,
})

export const presentStaffEntry = (e: PointsEntryDoc): StaffPointsEntry => ({
  ...presentEntry(e),
  refKey: e.refKey,
  source: e.source,
  actor: e.actor ? { id: e.actor.id, role: e.actor.role } : null,
  reason: e.reason,
  base: e.base,
  multiplier: e.multiplier,
})
