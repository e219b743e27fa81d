// The readings module's view of follow-up: which running enrolments watch readings, with their
// plan's thresholds and since when readings are expected (enrolment, or the last resumption).
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { createLogger } from '../../logger'
import { createFollowupModule, type FollowupModule } from './followup.module'

const kit = useFollowupHarness()
const { h } = kit
const NOW = new Date('2026-03-02T02:00:00Z')
let followup: FollowupModule

beforeAll(() => {
  h.clock.set(NOW)
  followup = createFollowupModule({
    config: h.config,
    clock: h.clock,
    db: h.db,
    logger: createLogger('silent'),
    push: kit.push,
  })
})

describe('FollowupLookup.listActiveWithReadings', () => {
  it('lists active enrolments of plans with reading thresholds, resumption resetting the start', async () => {
    const watching = await kit.plan({
      name: '高血压随访',
      anchor: 'enrolment',
      steps: [{ offsetDays: 7, kind: 'reminder', title: '复诊提醒', windowDays: 3 }],
      thresholds: { bpSystolic: { max: 150 }, noReadingDays: 7 },
    })
    const plain = await kit.plan({
      name: '普通随访',
      anchor: 'enrolment',
      steps: [{ offsetDays: 7, kind: 'reminder', title: '复诊提醒', windowDays: 3 }],
    })
    const a = await kit.patient({ name: '甲' })
    const b = await kit.patient({ name: '乙' })
    const enrolA = await kit.enrol(a, { planId: watching.id })
    await kit.enrol(a, { planId: plain.id })
    const enrolB = await kit.enrol(b, { planId: watching.id })

    // b pauses on day 1 and resumes on day 3: readings are expected from the resumption.
    // Tokens are fetched after each clock move (access tokens expire).
    h.clock.set(new Date(NOW.getTime() + 86_400_000))
    let head = await kit.token('head_nurse')
    expect(
      (
        await h.request('POST', `/api/v1/staff/enrolments/${enrolB.enrolment.id}/pause`, {
          token: head,
          body: {},
        })
      ).status,
    ).toBe(200)
    const resumedAt = new Date(NOW.getTime() + 3 * 86_400_000)
    h.clock.set(resumedAt)
    head = await kit.token('head_nurse')
    expect(
      (
        await h.request('POST', `/api/v1/staff/enrolments/${enrolB.enrolment.id}/resume`, {
          token: head,
          body: {},
        })
      ).status,
    ).toBe(200)

    const listed = await followup.lookup.listActiveWithReadings()
    expect(listed.map((e) => e.patientId).sort()).toEqual([a, b].sort())
    const ofA = listed.find((e) => e.enrolmentId === enrolA.enrolment.id)
    expect(ofA).toMatchObject({
      planId: watching.id,
      thresholds: { bpSystolic: { max: 150 }, noReadingDays: 7 },
    })
    expect(ofA?.enrolledAt.toISOString()).toBe(NOW.toISOString())
    const ofB = listed.find((e) => e.enrolmentId === enrolB.enrolment.id)
    expect(ofB?.enrolledAt.toISOString()).toBe(resumedAt.toISOString())

    // Paused enrolments are not watched.
    await h.request('POST', `/api/v1/staff/enrolments/${enrolA.enrolment.id}/pause`, {
      token: head,
      body: {},
    })
    expect((await followup.lookup.listActiveWithReadings()).map((e) => e.patientId)).toEqual([b])
  })
})
