// The encoder core of `qrcode` (no canvas, PNG or file renderers): the module matrix only, which the
// mini-program draws with views (the same on weapp and h5). `@types/qrcode` types the package root.
declare module 'qrcode/lib/core/qrcode' {
  export interface QrSegment {
    data: string
    mode: 'numeric' | 'alphanumeric' | 'byte'
  }
  export interface QrSymbol {
    version: number
    modules: { size: number; data: Uint8Array }
  }
  export function create(
    data: string | QrSegment[],
    options?: { errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H'; version?: number },
  ): QrSymbol
}
