import { AppError } from '@careloop/shared'
import type { EarnRule, PointsPort } from '../../../server/src/modules/points/points.port'

/**
 * A PointsPort in front of the real ledger (set `inner` once the test's database is up) that can be
 * told to refuse the next spends with POINTS_INSUFFICIENT, as if the patient had spent the points
 * elsewhere between a pre-check and the spend.
 */
export class FlakyPoints implements PointsPort {
  inner: PointsPort | undefined
  refuseSpends = 0

  private get port(): PointsPort {
    if (!this.inner) throw new Error('FlakyPoints: no ledger yet')
    return this.inner
  }

  earn(input: { profileId: string; rule: EarnRule; refKey: string; at?: Date }) {
    return this.port.earn(input)
  }

  spend(input: Parameters<PointsPort['spend']>[0]) {
    if (this.refuseSpends > 0) {
      this.refuseSpends--
      return Promise.reject(new AppError('POINTS_INSUFFICIENT', 'refused by the test'))
    }
    return this.port.spend(input)
  }

  refundSpend(input: Parameters<PointsPort['refundSpend']>[0]) {
    return this.port.refundSpend(input)
  }

  balance(profileId: string) {
    return this.port.balance(profileId)
  }
}
