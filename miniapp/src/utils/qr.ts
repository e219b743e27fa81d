import { create, type QrSegment } from 'qrcode/lib/core/qrcode'

/**
 * QR codes for redemption codes (F29), drawn with views so weapp and h5 look the same (no canvas,
 * no image files). `qrcode` (the encoder the WeCom simulator uses for its join QRs) supplies the
 * module matrix; each row is drawn as runs of dark and light modules.
 */

/** Upper-case letters, digits and ` $%*+-./:` fit QR's alphanumeric mode (smaller symbols). */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]+$/

/** The dark/light modules of `text`'s QR symbol (medium error correction), row by row. */
export function qrMatrix(text: string): boolean[][] {
  const segment: QrSegment = { data: text, mode: ALPHANUMERIC.test(text) ? 'alphanumeric' : 'byte' }
  const { size, data } = create([segment], { errorCorrectionLevel: 'M' }).modules
  const rows: boolean[][] = []
  for (let r = 0; r < size; r++)
    rows.push(Array.from(data.subarray(r * size, (r + 1) * size), (b) => b === 1))
  return rows
}

export interface QrRun {
  dark: boolean
  /** Modules in the run. */
  length: number
}

/** A row as runs of equal modules: [light 2, dark 3, …]. */
export function runsOf(row: readonly boolean[]): QrRun[] {
  const runs: QrRun[] = []
  for (const dark of row) {
    const last = runs[runs.length - 1]
    if (last && last.dark === dark) last.length += 1
    else runs.push({ dark, length: 1 })
  }
  return runs
}
