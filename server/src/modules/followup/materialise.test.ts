// Every patient step's message fills its subscribe template completely (the default mapping, i.e. the
// simulator's templates): a semantic field the template needs but the step does not give would make
// the subscribe channel unusable for every such step.
import { Types } from 'mongoose'
import { DEFAULT_SUBSCRIBE_TEMPLATES } from '../../config'
import { buildSubscribeData } from '../push/subscribe.channel'
import type { EnrolmentDoc, StepDoc } from './followup.model'
import { stepMessage } from './materialise'

const enrolment = { _id: new Types.ObjectId(), planName: '髋关节置换术后随访' } as EnrolmentDoc
const step = (kind: StepDoc['kind'], title: string, body: string | null): StepDoc =>
  ({
    _id: new Types.ObjectId(),
    patientId: new Types.ObjectId(),
    stepKey: `k-${kind}`,
    kind,
    title,
    body,
    dueAt: new Date('2026-03-03T01:00:00Z'),
    windowEnd: new Date('2026-03-05T16:00:00Z'),
  }) as StepDoc

describe('stepMessage → subscribe template', () => {
  it.each([
    ['reminder', '术后第一天复查伤口情况并拍照上传给护士', null],
    ['questionnaire', '术后第三天康复问卷', '请如实填写疼痛与伤口情况'],
    ['content', '术后一周居家康复指导', null],
  ] as const)('%s steps fill every key of their template with valid values', (kind, title, body) => {
    const m = stepMessage(enrolment, step(kind, title, body), 'Asia/Shanghai')
    const sub = m.content.subscribe
    expect(sub).toBeDefined()
    const template = DEFAULT_SUBSCRIBE_TEMPLATES[sub!.kind]
    expect(template).toBeDefined()
    const content = { ...m.content, page: m.content.page ?? null, subscribe: sub ?? null }
    const built = buildSubscribeData(content, template!)
    expect(built).toMatchObject({ ok: true })
    if (built.ok) expect(Object.keys(built.data).sort()).toEqual(Object.values(template!.fields).sort())
  })
})
