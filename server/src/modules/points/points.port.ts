/**
 * What other modules (questionnaires, readings, rewards, membership, content, lectures) hand the
 * points ledger (F26–F30). Callers never touch balances: they earn by rule or spend with a reference
 * key that is unique forever, so a retried or duplicated call is a no-op that answers like the first.
 * Points belong to a patient profile (`profileId`, the same id the push engine calls `patientId`).
 */

/** The earn rules of F27. There is deliberately no rule for drug purchases. */
export type EarnRule = 'checkin' | 'questionnaire' | 'content_read' | 'lecture' | 'reading' | 'membership'

export interface EarnResult {
  /** Points credited by this call (0 when capped, disabled or a duplicate of an earlier call). */
  awarded: number
  /** True when `refKey` was already used: nothing changed, `awarded` is what the first call awarded. */
  duplicate: boolean
  /** Why nothing (or less than the rule's points) was awarded. */
  limitedBy?: 'daily_cap' | 'monthly_cap' | 'rule_disabled'
  balance: number
}

export interface SpendResult {
  /** The ledger entry's id (keep it to refund the spend later). */
  entryId: string
  duplicate: boolean
  balance: number
}

export interface PointsPort {
  /**
   * Credits the rule's points (times the patient's tier multiplier), within the rule's daily and
   * monthly caps in the hospital's zone. `refKey` names the earning event, e.g.
   * `questionnaire:<answerId>`; the same key never earns twice.
   */
  earn(input: { profileId: string; rule: EarnRule; refKey: string; at?: Date }): Promise<EarnResult>
  /**
   * Debits `amount` (> 0) atomically; throws AppError POINTS_INSUFFICIENT when the balance is lower.
   * `refKey` (e.g. `redeem:<redemptionId>`) makes retries no-ops.
   */
  spend(input: {
    profileId: string
    amount: number
    refKey: string
    reason: string
    source: { kind: string; id: string }
  }): Promise<SpendResult>
  /**
   * Returns the points of an earlier spend (cancelled redemption). Idempotent: refunding the same
   * spend twice credits once. Throws POINTS_ADJUSTMENT_INVALID when `spendRefKey` names no spend.
   */
  refundSpend(input: { profileId: string; spendRefKey: string; reason: string }): Promise<{ balance: number }>
  balance(profileId: string): Promise<number>
}

/** Tier ids, lowest first. Paid membership grants at least its plan's tier while it is active. */
export type TierId = 'standard' | 'silver' | 'gold' | 'platinum'

/**
 * What the tier service asks the membership module: the paid membership in force for a profile at
 * `at`, if any (implemented by the membership module; absent → tiers come from points alone).
 */
export interface MembershipLookup {
  activeMembership(
    profileId: string,
    at: Date,
  ): Promise<{ planId: string; tier: TierId; until: Date } | undefined>
}
