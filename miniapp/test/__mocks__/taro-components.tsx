// Plain-DOM stand-ins for the Taro components the pages use: View→div, Text→span, Button→button,
// Image→img (showMenuByLongpress as data-long-press), Input→input and Textarea→textarea (onInput receives
// `{ detail: { value } }` as in Taro), Picker→a label around an input (onChange receives `{ detail: { value } }`).
import type { ReactNode } from 'react'

interface Common {
  className?: string
  children?: ReactNode
  onClick?: () => void
}

export const View = ({ className, children, onClick }: Common) => (
  <div className={className} onClick={onClick}>
    {children}
  </div>
)

export const Text = ({ className, children, onClick }: Common) => (
  <span className={className} onClick={onClick}>
    {children}
  </span>
)

export const Button = ({
  className,
  children,
  onClick,
  disabled,
  loading,
  openType,
}: Common & { disabled?: boolean; loading?: boolean; openType?: string }) => (
  <button
    className={className}
    onClick={onClick}
    disabled={disabled}
    aria-busy={loading ? true : undefined}
    data-open-type={openType}
  >
    {children}
  </button>
)

/** RichText renders its HTML string (the server sanitises it; the page tests check what is shown). */
export const RichText = ({ className, nodes }: { className?: string; nodes?: string }) => (
  <div className={className} dangerouslySetInnerHTML={{ __html: nodes ?? '' }} />
)

export const ScrollView = ({ className, children }: Common & { scrollY?: boolean; scrollX?: boolean }) => (
  <div className={className}>{children}</div>
)

export const Input = ({
  className,
  value,
  placeholder,
  maxlength,
  onInput,
}: {
  className?: string
  value?: string
  placeholder?: string
  maxlength?: number
  type?: string
  onInput?: (e: { detail: { value: string } }) => void
}) => (
  <input
    className={className}
    value={value}
    placeholder={placeholder}
    maxLength={maxlength}
    onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
  />
)

export const Image = ({
  className,
  src,
  showMenuByLongpress,
  onError,
}: {
  className?: string
  src: string
  mode?: string
  showMenuByLongpress?: boolean
  onError?: () => void
}) => (
  <img
    className={className}
    src={src}
    alt=""
    data-long-press={showMenuByLongpress ? 'true' : undefined}
    onError={onError}
  />
)

export const Textarea = ({
  className,
  value,
  placeholder,
  maxlength,
  onInput,
}: {
  className?: string
  value?: string
  placeholder?: string
  maxlength?: number
  onInput?: (e: { detail: { value: string } }) => void
}) => (
  <textarea
    className={className}
    value={value}
    placeholder={placeholder}
    maxLength={maxlength}
    onChange={(e) => onInput?.({ detail: { value: e.target.value } })}
  />
)

export const Picker = ({
  className,
  value,
  mode,
  onChange,
  children,
}: Common & {
  value?: string
  mode?: string
  onChange?: (e: { detail: { value: string } }) => void
}) => (
  <label className={className}>
    <input
      className="picker-value"
      data-mode={mode}
      value={value}
      onChange={(e) => onChange?.({ detail: { value: e.target.value } })}
    />
    {children}
  </label>
)
