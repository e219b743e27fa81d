import { ApiError } from '../../src/api/http'
import {
  checkIdNumber,
  emptyProfileForm,
  fieldErrorsOf,
  type ProfileForm,
  validateProfile,
} from '../../src/services/profile'

const form = (extra: Partial<ProfileForm> = {}): ProfileForm => ({
  ...emptyProfileForm(),
  name: '张三',
  ...extra,
})

describe('checkIdNumber', () => {
  it('accepts a valid number (trimmed, x uppercased) and rejects bad length or check character', () => {
    expect(checkIdNumber(' 11010519491231002x ')).toEqual({ ok: true, idNumber: '11010519491231002X' })
    expect(checkIdNumber('110101199003074258')).toEqual({ ok: true, idNumber: '110101199003074258' })
    expect(checkIdNumber('110105194912310021')).toEqual({ ok: false, message: '身份证号格式不正确' })
    expect(checkIdNumber('1101051949123100')).toMatchObject({ ok: false })
    expect(checkIdNumber('11010519491231002Y')).toMatchObject({ ok: false })
  })
})

describe('validateProfile idNumber', () => {
  it('omits idNumber when nothing was typed and nothing removed', () => {
    const r = validateProfile(form())
    expect(r.ok && r.body).toEqual({ name: '张三', gender: null, birthYear: null, hospitalPatientId: null })
    expect(r.ok && 'idNumber' in r.body).toBe(false)
    const blank = validateProfile(form({ idNumber: '   ' }))
    expect(blank.ok && 'idNumber' in blank.body).toBe(false)
  })

  it('sends a typed number, null on remove, and a typed number wins over remove', () => {
    expect(validateProfile(form({ idNumber: '11010519491231002X' }))).toMatchObject({
      ok: true,
      body: { idNumber: '11010519491231002X' },
    })
    expect(validateProfile(form({ removeIdNumber: true }))).toMatchObject({
      ok: true,
      body: { idNumber: null },
    })
    expect(validateProfile(form({ removeIdNumber: true, idNumber: '11010519491231002X' }))).toMatchObject({
      ok: true,
      body: { idNumber: '11010519491231002X' },
    })
  })

  it('reports a bad number at the field', () => {
    expect(validateProfile(form({ idNumber: '110105194912310021' }))).toEqual({
      ok: false,
      errors: { idNumber: '身份证号格式不正确' },
    })
  })
})

describe('fieldErrorsOf', () => {
  it('maps a 400 at path idNumber to 身份证号格式不正确', () => {
    const e = new ApiError('VALIDATION_FAILED', '请求参数有误', 400, 'Invalid body', 'req-1', [
      { path: 'idNumber', message: 'idNumber must be a valid 18-character resident ID number' },
    ])
    expect(fieldErrorsOf(e)).toEqual({ idNumber: '身份证号格式不正确' })
  })
})
