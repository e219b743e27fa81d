import { formatSegmentExpression, type TagGroup } from '@careloop/shared'
import { useRef } from 'react'
import { errorText } from '../api'
import { TAG_KIND_LABEL } from '../labels'

/** Attribute and operator snippets, inserted at the cursor. */
const SNIPPETS: { text: string; title: string }[] = [
  { text: 'age>=60', title: '60 岁及以上' },
  { text: 'age<18', title: '未满 18 岁' },
  { text: 'gender:female', title: '女性' },
  { text: 'gender:male', title: '男性' },
  { text: 'consent:marketing', title: '已同意接收营销信息' },
  { text: 'tier:gold', title: '金卡会员' },
  { text: 'relation:self', title: '账号本人（非家属档案）' },
]
const OPERATORS: { text: string; title: string }[] = [
  { text: 'AND', title: '并且（两个条件都满足）' },
  { text: 'OR', title: '或者（满足其一）' },
  { text: 'NOT', title: '排除（不满足后面的条件）' },
]

/**
 * Inserting snippets into an expression textarea at the cursor: the textarea's ref, its selection
 * tracker (ExpressionEditor's onSelect), `insert` and `parens`.
 */
export const useExpressionInsert = (expression: string, change: (v: string) => void) => {
  const input = useRef<HTMLTextAreaElement>(null)
  const selection = useRef<{ start: number; end: number } | null>(null)

  const place = (text: string, caret: number) => {
    change(text)
    selection.current = { start: caret, end: caret }
    requestAnimationFrame(() => {
      input.current?.focus()
      input.current?.setSelectionRange(caret, caret)
    })
  }

  return {
    input,
    selection,
    onSelect: (start: number, end: number) => (selection.current = { start, end }),
    /** Puts `snippet` at the cursor (replacing a selection), with spaces around it where needed. */
    insert: (snippet: string) => {
      const sel = selection.current ?? { start: expression.length, end: expression.length }
      const before = expression.slice(0, sel.start)
      const after = expression.slice(sel.end)
      const pre = before !== '' && !/[\s(（]$/.test(before) ? ' ' : ''
      const post = after !== '' && !/^[\s)）]/.test(after) ? ' ' : ''
      const caret = before.length + pre.length + snippet.length + post.length
      place(`${before}${pre}${snippet}${post}${after}`, caret)
    },
    /** ( … ): wraps the selection in parentheses, or inserts a pair with the cursor inside. */
    parens: () => {
      const sel = selection.current ?? { start: expression.length, end: expression.length }
      const inner = expression.slice(sel.start, sel.end)
      const before = expression.slice(0, sel.start)
      const after = expression.slice(sel.end)
      const pre = before !== '' && !/[\s(（]$/.test(before) ? ' ' : ''
      place(`${before}${pre}(${inner})${after}`, before.length + pre.length + 1 + inner.length)
    },
  }
}

/** The chip rows under an expression editor: attributes, operators, and the tags of each group. */
export const SegmentChips = ({
  groups,
  error,
  onInsert,
  onParens,
}: {
  /** Tag groups (null while loading). */
  groups: TagGroup[] | null
  error: unknown
  onInsert: (snippet: string) => void
  onParens: () => void
}) => {
  const tagGroups = (groups ?? []).filter((g) => g.tags.length > 0)
  return (
    <div className="chip-rows">
      <div className="chip-row">
        <span className="chip-row-label">条件</span>
        {SNIPPETS.map((s) => (
          <button
            key={s.text}
            type="button"
            className="chip chip-button chip-attr"
            title={s.title}
            onClick={() => onInsert(s.text)}
          >
            {s.text}
          </button>
        ))}
      </div>
      <div className="chip-row">
        <span className="chip-row-label">运算</span>
        {OPERATORS.map((s) => (
          <button
            key={s.text}
            type="button"
            className="chip chip-button chip-op"
            title={s.title}
            onClick={() => onInsert(s.text)}
          >
            {s.text}
          </button>
        ))}
        <button
          type="button"
          className="chip chip-button chip-op"
          title="加括号：选中文字时包住选中部分"
          onClick={onParens}
        >
          ( … )
        </button>
      </div>
      {tagGroups.map((g) => (
        <div key={g.id} className="chip-row" data-testid="segment-tag-chips">
          <span className="chip-row-label" title={TAG_KIND_LABEL[g.kind]}>
            {g.name}
          </span>
          {g.tags.map((t) => (
            <button
              key={t.id}
              type="button"
              className="chip chip-button chip-tag"
              title={t.description ?? `插入标签 ${t.name}`}
              onClick={() => onInsert(formatSegmentExpression({ kind: 'tag', name: t.name }))}
            >
              {t.name}
            </button>
          ))}
        </div>
      ))}
      {groups && tagGroups.length === 0 ? (
        <div className="chip-row muted">还没有标签：可先在“标签管理”中创建，或只用属性条件。</div>
      ) : null}
      {error ? <div className="chip-row field-error">标签加载失败：{errorText(error)}</div> : null}
    </div>
  )
}
