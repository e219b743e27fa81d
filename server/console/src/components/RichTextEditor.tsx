import { useEffect, useLayoutEffect, useRef, useState } from 'react'

/** Where a blocked phrase sits in the body: the server's index into the body's text, and the text found. */
export interface TextMark {
  index: number
  match: string
}

/** Block elements whose end the server's text extraction turns into a line break (htmlText). */
const BLOCK_END = new Set(['P', 'H2', 'H3', 'LI', 'BLOCKQUOTE'])

/**
 * The body's text as the server reads it (tags removed, a line break after each block and at <br>),
 * with the DOM position of each of its characters (null for the added line breaks).
 */
const textMap = (root: Node): { text: string; at: ({ node: Text; offset: number } | null)[] } => {
  let text = ''
  const at: ({ node: Text; offset: number } | null)[] = []
  const visit = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) {
      const t = n as Text
      for (let i = 0; i < t.data.length; i++) at.push({ node: t, offset: i })
      text += t.data
      return
    }
    if (n.nodeName === 'BR') {
      text += '\n'
      at.push(null)
      return
    }
    n.childNodes.forEach(visit)
    if (BLOCK_END.has(n.nodeName)) {
      text += '\n'
      at.push(null)
    }
  }
  root.childNodes.forEach(visit)
  return { text, at }
}

/** A DOM range over the marked text: at the server's index when the text there matches, else its first occurrence. */
const rangeOf = (root: HTMLElement, mark: TextMark): Range | null => {
  const { text, at } = textMap(root)
  let start = text.slice(mark.index, mark.index + mark.match.length) === mark.match ? mark.index : -1
  if (start < 0) start = text.indexOf(mark.match)
  if (start < 0) return null
  const first = at[start]
  const last = at[start + mark.match.length - 1]
  if (!first || !last) return null
  const r = document.createRange()
  r.setStart(first.node, first.offset)
  r.setEnd(last.node, last.offset + 1)
  return r
}

/** The text of article HTML as the server checks it (for showing where a blocked phrase is). */
export const textOfHtml = (html: string): string => {
  const t = document.createElement('template')
  t.innerHTML = html
  return textMap(t.content).text
}

const HIGHLIGHT = 'blocked-claim'

type Command = { label: string; title: string; run: () => void; testId: string }

/**
 * A small rich-text editor for articles: a toolbar (bold, headings, lists, quote, link, image) over a
 * contentEditable area, and an HTML source view. What it produces is sanitised again by the server
 * (p h2 h3 strong em ul ol li img a blockquote br). `mark` highlights a blocked phrase in place
 * (CSS Custom Highlight, else the selection), without touching the content.
 */
export const RichTextEditor = ({
  id,
  value,
  onChange,
  mark,
  invalid,
  readOnly = false,
  placeholder,
}: {
  id: string
  value: string
  onChange: (html: string) => void
  mark: TextMark | null
  invalid: boolean
  /** Shown but not editable (a version under review). */
  readOnly?: boolean
  placeholder?: string
}) => {
  const area = useRef<HTMLDivElement>(null)
  /** The HTML this editor last reported: a different `value` came from outside and replaces the content. */
  const emitted = useRef<string | null>(null)
  const saved = useRef<Range | null>(null)
  const [source, setSource] = useState(false)
  const [ask, setAsk] = useState<null | 'link' | 'image'>(null)
  const [url, setUrl] = useState('')

  useLayoutEffect(() => {
    const el = area.current
    if (!el || source || value === emitted.current) return
    el.innerHTML = value
    emitted.current = value
  }, [value, source])

  useEffect(() => {
    const el = area.current
    const registry = typeof CSS !== 'undefined' ? CSS.highlights : undefined
    if (!el || !mark || source) return
    const range = rangeOf(el, mark)
    if (!range) return
    const box = range.getBoundingClientRect()
    if (box.top < 80 || box.bottom > window.innerHeight)
      window.scrollBy({ top: box.top - window.innerHeight / 3 })
    if (registry && typeof Highlight !== 'undefined') {
      registry.set(HIGHLIGHT, new Highlight(range))
      return () => void registry.delete(HIGHLIGHT)
    }
    const sel = window.getSelection()
    sel?.removeAllRanges()
    sel?.addRange(range)
    return undefined
  }, [mark, value, source])

  const emit = () => {
    const el = area.current
    if (!el) return
    const html = el.innerHTML === '<br>' || el.textContent === '' ? cleanEmpty(el.innerHTML) : el.innerHTML
    if (html === emitted.current) return
    emitted.current = html
    onChange(html)
  }

  const exec = (command: string, arg?: string) => {
    area.current?.focus()
    if (saved.current) {
      const sel = window.getSelection()
      sel?.removeAllRanges()
      sel?.addRange(saved.current)
    }
    document.execCommand('defaultParagraphSeparator', false, 'p')
    document.execCommand(command, false, arg)
    emit()
  }

  /** Toggles a block format: the same block again returns to a paragraph. */
  const block = (tag: 'h2' | 'h3' | 'blockquote') => () => {
    const current = String(document.queryCommandValue('formatBlock')).toLowerCase()
    exec('formatBlock', current === tag ? 'p' : tag)
  }

  const remember = () => {
    const sel = window.getSelection()
    const r = sel && sel.rangeCount > 0 ? sel.getRangeAt(0) : null
    saved.current = r && area.current?.contains(r.commonAncestorContainer) ? r.cloneRange() : null
  }

  const commands: Command[] = [
    { label: 'B', title: '加粗', run: () => exec('bold'), testId: 'rte-bold' },
    { label: 'H2', title: '小标题', run: block('h2'), testId: 'rte-h2' },
    { label: 'H3', title: '三级标题', run: block('h3'), testId: 'rte-h3' },
    { label: '• 列表', title: '无序列表', run: () => exec('insertUnorderedList'), testId: 'rte-ul' },
    { label: '1. 列表', title: '有序列表', run: () => exec('insertOrderedList'), testId: 'rte-ol' },
    { label: '❝ 引用', title: '引用', run: block('blockquote'), testId: 'rte-quote' },
  ]

  const insertUrl = () => {
    const u = url.trim()
    if (!/^https?:\/\/\S+$/i.test(u)) return
    if (ask === 'image') exec('insertImage', u)
    else if (saved.current && !saved.current.collapsed) exec('createLink', u)
    else exec('insertHTML', `<a href="${u.replace(/"/g, '&quot;')}">${u.replace(/</g, '&lt;')}</a>`)
    setAsk(null)
    setUrl('')
  }
  const urlInvalid = url.trim() !== '' && !/^https?:\/\/\S+$/i.test(url.trim())

  return (
    <div className={`rte${invalid ? ' rte-invalid' : ''}`}>
      <div className="rte-toolbar" role="toolbar" aria-label="格式">
        {commands.map((c) => (
          <button
            key={c.testId}
            type="button"
            className={`rte-button${c.label === 'B' ? ' rte-bold' : ''}`}
            title={c.title}
            data-testid={c.testId}
            disabled={source}
            onMouseDown={(e) => {
              e.preventDefault()
              remember()
            }}
            onClick={c.run}
          >
            {c.label}
          </button>
        ))}
        <span className="rte-sep" />
        {(['link', 'image'] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`rte-button${ask === k ? ' rte-on' : ''}`}
            disabled={source}
            onMouseDown={(e) => {
              e.preventDefault()
              remember()
            }}
            onClick={() => setAsk(ask === k ? null : k)}
          >
            <svg className="rte-icon" viewBox="0 0 24 24" aria-hidden>
              <path
                d={
                  k === 'link'
                    ? 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1'
                    : 'M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15.5 9.5h.01'
                }
              />
            </svg>
            {k === 'link' ? '链接' : '图片'}
          </button>
        ))}
        <button
          type="button"
          className={`rte-button rte-source${source ? ' rte-on' : ''}`}
          title="直接编辑 HTML"
          onClick={() => {
            setSource((s) => !s)
            setAsk(null)
            emitted.current = null
          }}
        >
          {'</>'} 源码
        </button>
      </div>
      {ask ? (
        <div className="rte-url">
          <input
            className={`input${urlInvalid ? ' input-invalid' : ''}`}
            aria-label={ask === 'link' ? '链接地址' : '图片地址'}
            placeholder={ask === 'link' ? '链接地址，https://…' : '图片地址，https://…（jpg、png）'}
            value={url}
            autoFocus
            onChange={(e) => setUrl(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                insertUrl()
              }
              if (e.key === 'Escape') setAsk(null)
            }}
          />
          <button
            type="button"
            className="btn btn-small btn-primary"
            disabled={urlInvalid}
            onClick={insertUrl}
          >
            {ask === 'link' ? '插入链接' : '插入图片'}
          </button>
          <span className="subtle">{urlInvalid ? '请填写 http:// 或 https:// 开头的地址' : ''}</span>
        </div>
      ) : null}
      {source ? (
        <textarea
          id={id}
          className="input textarea rte-html code"
          rows={14}
          value={value}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <div
          id={id}
          ref={area}
          className="rte-area article-body"
          contentEditable={!readOnly}
          suppressContentEditableWarning
          role="textbox"
          aria-multiline="true"
          aria-invalid={invalid || undefined}
          data-placeholder={placeholder}
          data-empty={value.trim() === '' || undefined}
          onInput={emit}
          onBlur={emit}
          onKeyUp={remember}
          onMouseUp={remember}
          onPaste={(e) => {
            // pasted Word / web pages bring styles and wrappers: keep the text, paragraph by paragraph
            e.preventDefault()
            const text = e.clipboardData.getData('text/plain')
            const html = text
              .split(/\n{2,}|\r\n\r\n/)
              .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`)
              .join('')
            document.execCommand('insertHTML', false, html)
            emit()
          }}
        />
      )}
    </div>
  )
}

/** An editor emptied by the user holds `<br>` or empty paragraphs: report it as empty. */
const cleanEmpty = (html: string): string => (/^(<p>)?(<br>)?(<\/p>)?$/.test(html.trim()) ? '' : html)
