import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { SubmitReadingRequest } from '@careloop/shared'

import ReadingsPage from '../../src/pkg-followup/readings/index'
import { fail, fakeApi, logIn, me, ok, patient, SELF_ID, type Reply } from '../fake-api'
import { reading } from '../followup-fixtures'

const click = (el: Element | null) => fireEvent.click(el!)
const type = (container: HTMLElement, selector: string, value: string) =>
  fireEvent.change(container.querySelector(`input.${selector}`)!, { target: { value } })

function routes(submit?: Reply | ((req: { data?: unknown }) => Reply)) {
  return fakeApi({
    'GET /api/v1/me': ok(me(patient('张三'))),
    'GET /api/v1/me/readings': ok({
      readings: [
        reading(),
        reading({
          id: '65f0c0ffee00000000b00002',
          kind: 'glucose',
          systolic: null,
          diastolic: null,
          value: 11.2,
          unit: 'mmol/L',
          context: 'postprandial',
          abnormal: true,
        }),
      ],
    }),
    ...(submit ? { 'POST /api/v1/me/readings': submit } : {}),
  })
}

async function open() {
  const view = render(<ReadingsPage />)
  await screen.findByText('最近记录')
  return view
}

describe('readings page', () => {
  beforeEach(logIn)

  it('lists the recent readings with unit, context and the abnormal mark', async () => {
    routes()
    const { container } = await open()
    const rows = [...container.querySelectorAll('.reading-row')]
    expect(rows).toHaveLength(2)
    expect(rows[0]!.querySelector('.reading-value')?.textContent).toBe('128/82')
    expect(rows[0]!.querySelector('.reading-abnormal')).toBeNull()
    expect(rows[1]!.textContent).toContain('餐后')
    expect(rows[1]!.querySelector('.reading-value')?.textContent).toBe('11.2')
    expect(rows[1]!.querySelector('.reading-unit')?.textContent).toBe('mmol/L')
    expect(rows[1]!.querySelector('.reading-abnormal')?.textContent).toBe('异常')
  })

  it('checks a blood pressure as the server does before sending', async () => {
    const sent = routes()
    const { container } = await open()
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('请填写收缩压（高压）')).toBeTruthy()
    expect(screen.getByText('请填写舒张压（低压）')).toBeTruthy()

    type(container, 'systolic-input', '350')
    type(container, 'diastolic-input', '80')
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('收缩压（高压）应在 40–300 mmHg 之间')).toBeTruthy()

    type(container, 'systolic-input', '120')
    type(container, 'diastolic-input', '125')
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('舒张压（低压）应低于收缩压（高压）')).toBeTruthy()
    expect(sent.some((r) => r.method === 'POST')).toBe(false)
  })

  it('records a glucose with its context for the active profile and adds it on top', async () => {
    const sent = routes((req) => ({
      status: 201,
      data: {
        ...reading({
          id: '65f0c0ffee00000000b00009',
          kind: 'glucose',
          systolic: null,
          diastolic: null,
          value: 6.1,
          unit: 'mmol/L',
          context: 'fasting',
          measuredAt: (req.data as SubmitReadingRequest).measuredAt,
        }),
        duplicate: false,
      },
    }))
    const { container } = await open()
    click(container.querySelector('.kind-chips .chip-glucose'))
    type(container, 'value-input', '6.1')
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('请选择测量时段')).toBeTruthy()
    click(container.querySelector('.context-chips .chip-fasting'))
    click(container.querySelector('.reading-save'))

    await waitFor(() => expect(container.querySelectorAll('.reading-row')).toHaveLength(3))
    const body = sent.find((r) => r.method === 'POST')!.data as SubmitReadingRequest
    expect(body).toEqual({
      kind: 'glucose',
      value: 6.1,
      context: 'fasting',
      patientId: SELF_ID,
      requestId: expect.stringMatching(/^rd-/) as unknown,
      measuredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown,
    })
    expect(container.querySelector('.reading-row .reading-value')?.textContent).toBe('6.1')
    expect(container.querySelector('.reading-notice')).toBeNull()
    // the form is cleared for the next reading
    expect((container.querySelector('input.value-input') as HTMLInputElement).value).toBe('')
  })

  it('shows the server’s note when an abnormal reading came back with one', async () => {
    routes({
      status: 201,
      data: {
        ...reading({ id: '65f0c0ffee00000000b00010', systolic: 182, diastolic: 110, abnormal: true }),
        notice: '本次数值超出目标范围，护士已收到提醒。如有不适，请及时就医。',
        duplicate: false,
      },
    })
    const { container } = await open()
    type(container, 'systolic-input', '182')
    type(container, 'diastolic-input', '110')
    click(container.querySelector('.reading-save'))
    const notice = await screen.findByText('健康提醒')
    expect(notice.closest('.reading-notice')?.textContent).toContain('护士已收到提醒')
    expect(container.querySelector('.reading-row.is-abnormal .reading-value')?.textContent).toBe('182/110')
  })

  it('retries with the same request id after a network failure, and a new one for the next reading', async () => {
    let calls = 0
    const sent = routes(() =>
      ++calls === 1
        ? { networkError: 'request:fail' }
        : { status: 201, data: { ...reading({ id: `65f0c0ffee00000000b0000${calls}` }), duplicate: false } },
    )
    const { container } = await open()
    type(container, 'systolic-input', '128')
    type(container, 'diastolic-input', '82')
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('网络连接失败，请检查网络后重试')).toBeTruthy()
    click(container.querySelector('.reading-save'))
    await waitFor(() => expect(calls).toBe(2))
    await waitFor(() =>
      expect((container.querySelector('input.systolic-input') as HTMLInputElement).value).toBe(''),
    )
    type(container, 'systolic-input', '130')
    type(container, 'diastolic-input', '85')
    click(container.querySelector('.reading-save'))
    await waitFor(() => expect(calls).toBe(3))
    const ids = sent.filter((r) => r.method === 'POST').map((r) => (r.data as SubmitReadingRequest).requestId)
    expect(ids[1]).toBe(ids[0])
    expect(ids[2]).not.toBe(ids[0])
  })

  it('shows a field the server refused at its place', async () => {
    routes(
      fail(400, 'READING_INVALID', 'Invalid reading: value: value must be 2–500 kg', [
        { path: 'value', message: 'value must be 2–500 kg' },
      ]),
    )
    const { container } = await open()
    click(container.querySelector('.kind-chips .chip-weight'))
    type(container, 'value-input', '62.5')
    click(container.querySelector('.reading-save'))
    expect(await screen.findByText('数值超出可能的范围，请检查')).toBeTruthy()
  })
})
