import { useState } from 'react'
import type { UpdateMeRequest } from '@careloop/shared'

import { leaveOnSessionError } from '../services/guard'
import {
  emptyProfileForm,
  type FieldErrors,
  fieldErrorsOf,
  fieldOf,
  type ProfileField,
  type ProfileForm,
  validateProfile,
} from '../services/profile'

export type ProfileFields = ReturnType<typeof useProfileFields>

/**
 * The profile fields of a form (个人资料, or a family member being added): what was typed, the
 * error next to each field, and sending it — checked inline first, then the server's field errors
 * shown at their fields and any other failure as the form's `error`.
 */
export function useProfileFields(initial: () => ProfileForm = emptyProfileForm) {
  const [form, setForm] = useState<ProfileForm>(initial)
  const [errors, setErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  /** Editing a field takes its error away. */
  const clearError = (field: ProfileField) => {
    if (errors[field]) setErrors({ ...errors, [field]: undefined })
  }

  const edit = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm({ ...form, [key]: value })
    clearError(fieldOf(key))
  }

  /**
   * Checks the form and, when it and `extraErrors` (the form's own fields) are clear, sends its body.
   * `failure` is the message of an error that is neither a session error nor a field error.
   */
  const submit = async (request: {
    extraErrors?: FieldErrors
    send: (body: UpdateMeRequest) => Promise<void>
    failure: (e: unknown) => string
  }) => {
    if (busy) return
    setError(null)
    const checked = validateProfile(form)
    const next: FieldErrors = { ...(checked.ok ? {} : checked.errors), ...request.extraErrors }
    setErrors(next)
    if (!checked.ok || Object.keys(next).length > 0) return
    setBusy(true)
    try {
      await request.send(checked.body)
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      const fields = fieldErrorsOf(e)
      if (fields) setErrors(fields)
      else setError(request.failure(e))
    } finally {
      setBusy(false)
    }
  }

  return { form, setForm, errors, clearError, edit, busy, error, submit }
}
