const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

/** `3月5日 星期三` in the device's time zone. */
export function formatToday(now = new Date()): string {
  return `${now.getMonth() + 1}月${now.getDate()}日 星期${WEEKDAYS[now.getDay()] ?? ''}`
}

/** `2025年3月5日` for an ISO timestamp, in the device's time zone; the input when it is not a date. */
export function formatDate(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `2025-03-05 10:04` for an ISO timestamp, in the device's time zone; the input when it is not a date. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
