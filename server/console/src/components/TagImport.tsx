import {
  MAX_TAG_IMPORT_CSV_CHARS,
  MAX_TAG_IMPORT_ROWS,
  type TagImportResponse,
  type TagImportRow,
} from '@careloop/shared'
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { api, ApiError, errorText } from '../api'
import { fieldMessage } from '../tagText'
import { Banner } from './Feedback'
import { Field } from './Field'

const TEMPLATE = '患者,标签,操作\nZY20260001,糖尿病,添加\n13800000000,高血压,移除\n'
const TEMPLATE_HREF = `data:text/csv;charset=utf-8,${encodeURIComponent(`\ufeff${TEMPLATE}`)}`
/** Rows drawn in the report table; the summary always counts all. */
const SHOWN_ROWS = 500

const STATUS_LABEL: Record<TagImportRow['status'], [dry: string, done: string]> = {
  added: ['将添加', '已添加'],
  already: ['已有该标签', '已有该标签'],
  removed: ['将移除', '已移除'],
  absent: ['本无该标签', '本无该标签'],
  error: ['错误', '错误'],
}

const COLUMN_LABEL: Record<string, string> = { patient: '患者（patient）', tag: '标签（tag）' }

/** TAG_IMPORT_INVALID and friends in Chinese, from their details. */
const importError = (e: unknown): string => {
  if (!(e instanceof ApiError)) return errorText(e)
  const d = (e.details ?? {}) as Record<string, unknown>
  switch (e.code) {
    case 'TAG_IMPORT_INVALID':
      if (Array.isArray(d.missing))
        return `表头缺少列：${d.missing.map((c) => COLUMN_LABEL[String(c)] ?? String(c)).join('、')}`
      if (typeof d.column === 'string') return `表头中“${COLUMN_LABEL[d.column] ?? d.column}”列重复`
      if (typeof d.max === 'number')
        return `每个文件最多 ${d.max} 行，本文件有 ${String(d.rows)} 行，请拆分后导入`
      return `无法读取表头（第 ${typeof d.line === 'number' ? d.line : 1} 行）：第一行应为 患者,标签[,操作] 或 patient,tag[,action]`
    case 'PAYLOAD_TOO_LARGE':
      return '文件过大（最多 1 MB），请拆分后导入'
    case 'VALIDATION_FAILED': {
      const f = e.fieldErrors()
      if (f.csv)
        return f.csv.includes('1 MB') ? '文件过大（最多 1 MB），请拆分后导入' : '请粘贴 CSV 内容或选择文件'
      if (f.reason) return fieldMessage(f.reason)
      return errorText(e)
    }
    default:
      return errorText(e)
  }
}

/** Reads a chosen file as text: UTF-8, or GB18030 when it is not valid UTF-8 (Excel's default in China). */
const readText = (file: File): Promise<string> => {
  const read = (encoding: string) =>
    new Promise<string>((resolve, reject) => {
      const r = new FileReader()
      r.onload = () => resolve(typeof r.result === 'string' ? r.result : '')
      r.onerror = () => reject(r.error ?? new Error('无法读取文件'))
      r.readAsText(file, encoding)
    })
  return read('utf-8').then((t) => (t.includes('\ufffd') ? read('gb18030') : t))
}

const Report = ({ report }: { report: TagImportResponse }) => {
  const [onlyProblems, setOnlyProblems] = useState(false)
  const { summary: s } = report
  const dry = s.dryRun ? 0 : 1
  const rows = onlyProblems ? report.rows.filter((r) => r.status === 'error') : report.rows
  const cards: [string, number, string][] = [
    ['数据行', s.rows, ''],
    [s.dryRun ? '将添加' : '已添加', s.added, 'ok'],
    [s.dryRun ? '将移除' : '已移除', s.removed, 'ok'],
    ['无需变更', s.already + s.absent, ''],
    ['错误', s.errors, s.errors > 0 ? 'bad' : ''],
  ]
  return (
    <div className="import-report" data-testid="import-report" data-dry-run={s.dryRun}>
      <div className="import-summary">
        {cards.map(([label, n, tone]) => (
          <div key={label} className={`import-stat${tone ? ` import-stat-${tone}` : ''}`}>
            <div className="import-stat-value">{n}</div>
            <div className="import-stat-label">{label}</div>
          </div>
        ))}
      </div>
      <div className="import-report-bar">
        <span className="subtle">
          {s.dryRun ? '预检结果（尚未修改任何数据）' : '导入结果'}：逐行列出，第 1 行为表头
        </span>
        {s.errors > 0 ? (
          <label className="checkbox import-filter">
            <input
              type="checkbox"
              checked={onlyProblems}
              onChange={(e) => setOnlyProblems(e.target.checked)}
            />
            只看错误行
          </label>
        ) : null}
      </div>
      <div className="table-wrap import-table">
        <table className="table table-dense" data-testid="import-rows">
          <thead>
            <tr>
              <th>行号</th>
              <th>患者</th>
              <th>标签</th>
              <th>操作</th>
              <th>结果</th>
              <th>说明</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, SHOWN_ROWS).map((r) => (
              <tr key={r.line} data-testid="import-row" data-status={r.status}>
                <td className="mono">{r.line}</td>
                <td className="mono">{r.patient || '—'}</td>
                <td>{r.tag || '—'}</td>
                <td>{r.action === 'remove' ? '移除' : r.action === 'add' ? '添加' : '—'}</td>
                <td>
                  <span className={`import-status import-${r.status}`}>{STATUS_LABEL[r.status][dry]}</span>
                </td>
                <td className={r.error ? 'import-error' : 'muted'}>{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > SHOWN_ROWS ? (
        <div className="table-foot muted">
          仅显示前 {SHOWN_ROWS} 行，共 {rows.length} 行
        </div>
      ) : null}
    </div>
  )
}

/**
 * 批量导入: CSV pasted or read from a file in the browser, a reason, a dry run with the per-line report,
 * then the import itself (only after a dry run of exactly this text and reason).
 */
export const TagImport = () => {
  const [csv, setCsv] = useState('')
  const [fileName, setFileName] = useState<string | null>(null)
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<{ csv?: string; reason?: string }>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState<'dry' | 'apply' | null>(null)
  const [report, setReport] = useState<TagImportResponse | null>(null)
  /** The csv + reason the last dry run checked: applying needs exactly these. */
  const [checked, setChecked] = useState<string | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const current = JSON.stringify([csv, reason.trim()])
  const ready = checked === current && report?.summary.dryRun === true

  const edit = (next: { csv?: string; reason?: string }) => {
    if (next.csv !== undefined) setCsv(next.csv)
    if (next.reason !== undefined) setReason(next.reason)
    setErrors({})
  }

  const choose = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0]
    ev.target.value = ''
    if (!file) return
    setBanner(null)
    if (file.size > MAX_TAG_IMPORT_CSV_CHARS * 3) {
      setErrors({ csv: '文件过大（最多 1 MB），请拆分后导入' })
      return
    }
    try {
      edit({ csv: await readText(file) })
      setFileName(file.name)
    } catch {
      setErrors({ csv: '无法读取该文件，请确认是 CSV 文本文件' })
    }
  }

  const send = async (dryRun: boolean) => {
    setBanner(null)
    const local: { csv?: string; reason?: string } = {}
    if (!csv.trim()) local.csv = '请粘贴 CSV 内容或选择文件'
    if (!reason.trim()) local.reason = '请填写导入原因，它会记录在每个标签上'
    setErrors(local)
    if (Object.keys(local).length > 0) return
    setBusy(dryRun ? 'dry' : 'apply')
    try {
      const r = await api.importTags({ csv, reason, dryRun })
      setReport(r)
      setChecked(dryRun ? current : null)
    } catch (e) {
      const text = importError(e)
      if (e instanceof ApiError && e.fieldErrors().reason) setErrors({ reason: text })
      else setBanner(text)
    } finally {
      setBusy(null)
    }
  }
  const submit = (ev: FormEvent) => {
    ev.preventDefault()
    void send(true)
  }

  const s = report?.summary
  return (
    <>
      <form className="panel" onSubmit={submit} noValidate data-testid="tag-import">
        <h2>批量导入标签（CSV）</h2>
        <p className="panel-lead">
          第一行为表头：<code className="code">患者,标签,操作</code>（或
          patient,tag,action）。患者可填住院号、11 位手机号或患者
          ID；操作填“添加”或“移除”，留空为添加。每个文件最多 {MAX_TAG_IMPORT_ROWS} 行。
          <a className="template-link" href={TEMPLATE_HREF} download="标签导入模板.csv">
            下载模板
          </a>
        </p>
        {banner ? <Banner tone="error">{banner}</Banner> : null}
        <Field
          label="CSV 内容"
          htmlFor="import-csv"
          error={errors.csv}
          hint={
            fileName
              ? `已读取文件 ${fileName}，可在下方修改`
              : '可直接粘贴，或选择 .csv 文件（支持 UTF-8 与 GBK 编码）'
          }
        >
          <textarea
            id="import-csv"
            className="input import-csv"
            rows={8}
            spellCheck={false}
            value={csv}
            onChange={(e) => {
              edit({ csv: e.target.value })
              setFileName(null)
            }}
            placeholder={TEMPLATE}
          />
        </Field>
        <div className="import-file">
          <input
            ref={fileInput}
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            className="visually-hidden"
            onChange={(e) => void choose(e)}
          />
          <button type="button" className="btn btn-small" onClick={() => fileInput.current?.click()}>
            选择 CSV 文件…
          </button>
          {csv ? (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                edit({ csv: '' })
                setFileName(null)
                setReport(null)
              }}
            >
              清空
            </button>
          ) : null}
        </div>
        <Field
          label="导入原因"
          htmlFor="import-reason"
          error={errors.reason}
          hint="必填，不超过 100 个字；会记录在每个导入的标签上"
        >
          <input
            id="import-reason"
            className="input import-reason"
            value={reason}
            maxLength={100}
            onChange={(e) => edit({ reason: e.target.value })}
            placeholder="例如 2026 年 11 月慢病门诊名单"
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy !== null}>
            {busy === 'dry' ? '正在预检…' : '预检（不修改数据）'}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy !== null || !ready}
            title={ready ? undefined : '请先预检当前内容'}
            onClick={() => void send(false)}
          >
            {busy === 'apply' ? '正在导入…' : '确认导入'}
          </button>
          {!ready && report?.summary.dryRun && checked !== current ? (
            <span className="subtle">内容或原因已修改，请重新预检</span>
          ) : null}
        </div>
      </form>
      {report && s ? (
        <section className="panel">
          {s.dryRun ? (
            <Banner tone={s.errors > 0 ? 'warning' : 'info'}>
              预检完成：{s.rows} 行中将添加 {s.added} 个、移除 {s.removed} 个标签
              {s.errors > 0 ? `，${s.errors} 行有错误（导入时会跳过，不影响其他行）` : ''}
              。确认无误后点“确认导入”。
            </Banner>
          ) : (
            <Banner tone={s.errors > 0 ? 'warning' : 'success'}>
              导入完成：添加 {s.added} 个、移除 {s.removed} 个标签
              {s.errors > 0 ? `，${s.errors} 行有错误未处理` : ''}。重复导入同一文件不会重复打标签。
            </Banner>
          )}
          <Report key={`${checked ?? 'applied'}-${s.dryRun}`} report={report} />
        </section>
      ) : null}
    </>
  )
}
