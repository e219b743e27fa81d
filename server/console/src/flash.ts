/** A notice to show once on the page a save navigated to (健康科普, 营销活动). */
let pending: string | null = null

export const flash = {
  set: (text: string): void => {
    pending = text
  },
  /** The notice, once: later calls answer null. */
  take: (): string | null => {
    const t = pending
    pending = null
    return t
  },
}
