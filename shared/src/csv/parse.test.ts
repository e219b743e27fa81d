import { parseCsv } from './parse'

describe('parseCsv', () => {
  it('reads plain records with their line numbers, skipping blank lines', () => {
    expect(parseCsv('patient,tag\n1,a\n\n2,b\n')).toEqual({
      records: [
        { line: 1, fields: ['patient', 'tag'] },
        { line: 2, fields: ['1', 'a'] },
        { line: 4, fields: ['2', 'b'] },
      ],
      problems: [],
    })
  })

  it('drops a BOM and accepts CRLF, LF and CR line ends', () => {
    const r = parseCsv('\uFEFFpatient,tag\r\n1,a\r2,b\n3,c')
    expect(r.records.map((x) => [x.line, ...x.fields])).toEqual([
      [1, 'patient', 'tag'],
      [2, '1', 'a'],
      [3, '2', 'b'],
      [4, '3', 'c'],
    ])
  })

  it('handles quoted fields with commas, doubled quotes and line breaks', () => {
    const r = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\r\nline",z\r\n"",last\r\n')
    expect(r.problems).toEqual([])
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\r\nline', 'z'] },
      { line: 5, fields: ['', 'last'] },
    ])
  })

  it('keeps empty fields and trailing separators', () => {
    expect(parseCsv('a,,c,\n').records[0]!.fields).toEqual(['a', '', 'c', ''])
  })

  it('reports malformed records by line and keeps reading the others', () => {
    const r = parseCsv('a,b\n1,x"y\n"2"z,b\n3,c\n"4,never closed\n5,d\n')
    expect(r.records.map((x) => x.line)).toEqual([1, 4])
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 5])
    expect(r.problems[2]!.message).toMatch(/unterminated/)
  })

  it('reads an empty text as no records', () => {
    expect(parseCsv('')).toEqual({ records: [], problems: [] })
    expect(parseCsv('\uFEFF\r\n\r\n')).toEqual({ records: [], problems: [] })
  })
})
