import { CompleteTaskResponse, TasksResponse } from '@careloop/shared'
import { Types } from 'mongoose'
import { useFollowupHarness } from '../../../../tests/src/harness/followup-fixture'
import { auditModel } from '../audit/audit.model'
import { taskModel } from './task.model'
import { createTaskRepo } from './task.repo'

const kit = useFollowupHarness()
const { h } = kit
/** 2026-03-02 10:00 in Shanghai. */
const NOW = new Date('2026-03-02T02:00:00Z')
const ids: Record<string, string> = {}

beforeAll(async () => {
  h.clock.set(NOW)
  const repo = createTaskRepo(h.db)
  const patient = await kit.patient({ name: '陈玉兰' })
  const open = async (
    key: string,
    nurseId: string | null,
    dueAt: string,
    priority: 'urgent' | 'normal' = 'normal',
  ) =>
    (ids[key] = (
      await repo.openOnce({
        dedupeKey: `tasks-test:${key}`,
        patientId: patient,
        nurseId,
        kind: priority === 'urgent' ? 'red_flag' : 'missed',
        priority,
        title: key,
        dueAt: new Date(dueAt),
        source: { kind: 'test', id: key },
      })
    ).task._id.toHexString())
  await open('li-overdue', kit.ids.nurseLi, '2026-02-28T01:00:00Z')
  await open('li-today', kit.ids.nurseLi, '2026-03-02T08:00:00Z')
  await open('li-urgent', kit.ids.nurseLi, '2026-03-02T09:00:00Z', 'urgent')
  await open('li-tomorrow', kit.ids.nurseLi, '2026-03-02T16:30:00Z')
  await open('unassigned', null, '2026-03-01T00:00:00Z')
  await open('zhou-today', kit.ids.nurseZhou, '2026-03-02T03:00:00Z')
})

const list = async (who: Parameters<typeof kit.token>[0], query = '') => {
  const r = await h.request('GET', `/api/v1/staff/tasks${query}`, { token: await kit.token(who) })
  expect(r.status).toBe(200)
  return TasksResponse.parse(r.body)
}
const titles = (r: TasksResponse) => r.tasks.map((t) => t.title)

describe('nurse tasks', () => {
  it("today: a nurse's open tasks due by tonight (overdue included), urgent first, plus the unassigned", async () => {
    const r = await list('nurse')
    expect(titles(r)).toEqual(['li-urgent', 'li-overdue', 'unassigned', 'li-today'])
    expect(r.tasks.find((t) => t.title === 'li-overdue')).toMatchObject({
      overdue: true,
      dueAtLocal: '2026-02-28 09:00',
      ref: ids['li-overdue']!.slice(-6),
      patient: { name: '陈玉兰' },
      nurse: { id: kit.ids.nurseLi, name: '李娜' },
    })
    expect(r.tasks.find((t) => t.title === 'li-today')?.overdue).toBe(false)
    expect(titles(await list('nurse', '?view=open'))).toContain('li-tomorrow')
    expect(titles(await list('nurse', '?view=open'))).not.toContain('zhou-today')
    expect(
      await auditModel(h.db).countDocuments({ action: 'task.list', 'actor.id': kit.ids.nurseLi }),
    ).toBeGreaterThan(0)
  })

  it('head nurses see everyone’s, or one nurse’s; a nurse cannot widen her view', async () => {
    expect(titles(await list('head_nurse'))).toEqual(
      expect.arrayContaining(['li-urgent', 'li-overdue', 'unassigned', 'li-today', 'zhou-today']),
    )
    expect(titles(await list('head_nurse', `?nurseId=${kit.ids.nurseZhou}`))).toEqual(['zhou-today'])
    expect(titles(await list('nurse', `?nurseId=${kit.ids.nurseZhou}`))).not.toContain('zhou-today')
  })

  it('completing is idempotent and audited; another nurse’s task is not found; a cancelled one is not open', async () => {
    const path = `/api/v1/staff/tasks/${ids['li-today']}/complete`
    const zhou = await h.request('POST', path, { token: await kit.token('nurse.zhou'), body: {} })
    expect([zhou.status, kit.code(zhou.body)]).toEqual([404, 'TASK_NOT_FOUND'])
    const nurse = await kit.token('nurse')
    const first = CompleteTaskResponse.parse(
      (await h.request('POST', path, { token: nurse, body: { note: '已电话联系' } })).body,
    )
    expect(first).toMatchObject({
      alreadyDone: false,
      task: { status: 'done', note: '已电话联系', doneBy: { id: kit.ids.nurseLi, name: '李娜' } },
    })
    const second = await h.request('POST', path, { token: nurse, body: { note: '再次' } })
    expect(second.status).toBe(200)
    expect(CompleteTaskResponse.parse(second.body)).toMatchObject({
      alreadyDone: true,
      task: { note: '已电话联系' },
    })
    expect(
      await auditModel(h.db).countDocuments({ action: 'task.complete', 'detail.taskId': ids['li-today'] }),
    ).toBe(1)
    expect(titles(await list('nurse', '?view=all'))).toContain('li-today')
    expect(titles(await list('nurse'))).not.toContain('li-today')

    await taskModel(h.db).updateOne(
      { _id: new Types.ObjectId(ids['li-tomorrow']) },
      { $set: { status: 'cancelled' } },
    )
    const cancelled = await h.request('POST', `/api/v1/staff/tasks/${ids['li-tomorrow']}/complete`, {
      token: nurse,
      body: {},
    })
    expect([cancelled.status, kit.code(cancelled.body)]).toEqual([409, 'TASK_NOT_OPEN'])
    const unknown = await h.request(
      'POST',
      `/api/v1/staff/tasks/${new Types.ObjectId().toHexString()}/complete`,
      { token: nurse, body: {} },
    )
    expect(unknown.status).toBe(404)
  })
})
