import { useMemo } from 'react'
import { View } from '@tarojs/components'

import { qrMatrix, runsOf } from '../utils/qr'
import './QrCode.css'

const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(4)}%`

/**
 * A QR code of `text` drawn with views (rows of dark and light runs), so it looks the same on weapp
 * and h5 and needs no canvas. `size`: `large` for the code the nurse scans, `small` in lists.
 */
export function QrCode(props: { text: string; size?: 'large' | 'small'; className?: string }) {
  const { text, size = 'large', className } = props
  const rows = useMemo(() => qrMatrix(text), [text])
  const n = rows.length
  return (
    <View className={`qr qr-${size}${className ? ` ${className}` : ''}`} data-text={text}>
      <View className="qr-modules">
        {rows.map((row, r) => (
          <View key={r} className="qr-row" style={{ height: pct(1, n) }}>
            {runsOf(row).map((run, i) => (
              <View
                key={i}
                className={run.dark ? 'qr-dark' : 'qr-light'}
                style={{ width: pct(run.length, n) }}
              />
            ))}
          </View>
        ))}
      </View>
    </View>
  )
}
