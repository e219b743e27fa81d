// A small RFC 4180 CSV reader for staff uploads (tag import): comma separated, fields optionally quoted
// with "", a doubled quote inside quotes is one quote, quoted fields may hold commas and line breaks.
// A leading BOM is dropped; CRLF, LF and lone CR all end a record; blank lines are skipped; fields are
// not trimmed (callers decide). A record keeps the 1-based line its first character is on, so reports
// point at the line an editor shows.

export interface CsvRecord {
  line: number
  fields: string[]
}

export interface CsvProblem {
  line: number
  message: string
}

export interface CsvParseResult {
  records: CsvRecord[]
  /** Records that could not be read (an unterminated or misplaced quote); the rest still parse. */
  problems: CsvProblem[]
}

export function parseCsv(text: string): CsvParseResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: CsvRecord[] = []
  const problems: CsvProblem[] = []
  let line = 1
  let i = 0
  const n = src.length

  while (i < n) {
    const start = line
    const fields: string[] = []
    let problem: string | null = null
    let field = ''
    // one record
    for (;;) {
      if (src[i] === '"') {
        // quoted field
        i++
        let closed = false
        while (i < n) {
          const c = src[i]!
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"'
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (c === '\r' || c === '\n') {
            if (c === '\r' && src[i + 1] === '\n') {
              field += '\r'
              i++
            }
            line++
          }
          field += src[i]
          i++
        }
        if (!closed) {
          problem ??= 'unterminated quoted field (a " opens a field that never closes)'
          break
        }
        // after the closing quote: a separator, the end of the record, or garbage
        if (i < n && src[i] !== ',' && src[i] !== '\r' && src[i] !== '\n') {
          problem ??= 'unexpected text after a closing quote (quotes inside a field must be doubled: "")'
          while (i < n && src[i] !== ',' && src[i] !== '\r' && src[i] !== '\n') field += src[i++]
        }
      } else {
        while (i < n && src[i] !== ',' && src[i] !== '\r' && src[i] !== '\n') {
          if (src[i] === '"') problem ??= 'a quote inside an unquoted field (quote the whole field)'
          field += src[i++]
        }
      }
      fields.push(field)
      field = ''
      if (i < n && src[i] === ',') {
        i++
        continue
      }
      break
    }
    // end of record
    if (i < n && src[i] === '\r') i++
    if (i < n && src[i] === '\n') i++
    line++
    if (problem !== null) problems.push({ line: start, message: problem })
    else if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields })
  }
  return { records, problems }
}
