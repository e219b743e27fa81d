import type { ReactNode } from 'react'

/** A labelled form control with its inline error underneath. */
export const Field = ({
  label,
  error,
  hint,
  htmlFor,
  children,
}: {
  label: string
  error?: string | undefined
  hint?: string | undefined
  htmlFor: string
  children: ReactNode
}) => (
  <div className={`field${error ? ' field-invalid' : ''}`}>
    <label className="field-label" htmlFor={htmlFor}>
      {label}
    </label>
    {children}
    {error ? (
      <div className="field-error" id={`${htmlFor}-error`}>
        {error}
      </div>
    ) : hint ? (
      <div className="field-hint">{hint}</div>
    ) : null}
  </div>
)
