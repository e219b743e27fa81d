import { useLayoutEffect, useRef, type RefObject } from 'react'

/** Where an expression is wrong: 0-based UTF-16 offset and length in the text as typed. */
export interface ExpressionError {
  position: number
  length: number
  /** The server's message. */
  message: string
}

/**
 * A textarea for a segment expression that underlines the offending text of a parse error in place:
 * a backdrop with the same metrics renders the text invisibly and marks the span (a caret when the
 * error is at the end, length 0); the transparent textarea sits on top.
 */
export const ExpressionEditor = ({
  id,
  value,
  onChange,
  error,
  inputRef,
  onSelect,
  placeholder,
}: {
  id: string
  value: string
  onChange: (v: string) => void
  error: ExpressionError | null
  inputRef: RefObject<HTMLTextAreaElement>
  onSelect: (start: number, end: number) => void
  placeholder?: string
}) => {
  const backdrop = useRef<HTMLDivElement>(null)
  const pos = error ? Math.min(Math.max(error.position, 0), value.length) : 0
  const len = error ? Math.min(error.length, value.length - pos) : 0
  const track = (el: HTMLTextAreaElement) => onSelect(el.selectionStart, el.selectionEnd)

  // Grow with the text instead of scrolling: a scrollbar would narrow the textarea but not the backdrop.
  useLayoutEffect(() => {
    const el = inputRef.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${el.scrollHeight + 2}px`
  }, [value, inputRef])

  return (
    <div className={`expr-editor${error ? ' expr-editor-invalid' : ''}`}>
      <div className="expr-backdrop" ref={backdrop} aria-hidden>
        {error ? (
          <>
            {value.slice(0, pos)}
            {len > 0 ? (
              <mark className="expr-mark" data-testid="expr-mark">
                {value.slice(pos, pos + len)}
              </mark>
            ) : (
              <span className="expr-caret" data-testid="expr-mark" />
            )}
            {value.slice(pos + len)}
          </>
        ) : (
          value
        )}
        {/* a trailing newline in the textarea needs a line in the backdrop too */}
        {'\u200b'}
      </div>
      <textarea
        id={id}
        ref={inputRef}
        className="expr-input"
        value={value}
        rows={3}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          onChange(e.target.value)
          track(e.target)
        }}
        onSelect={(e) => track(e.currentTarget)}
        onScroll={(e) => {
          if (backdrop.current) backdrop.current.scrollTop = e.currentTarget.scrollTop
        }}
      />
    </div>
  )
}
