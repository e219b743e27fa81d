/**
 * Group commit: calls made while a flush is in flight wait and go together in the next flush, so
 * N concurrent writers cost about one database command per round trip instead of N. Nothing waits
 * on a timer: a lone call is flushed in the same turn of the event loop it was made in (the calls
 * of that turn join it), so an idle caller sees no added latency.
 *
 * `flush(items)` answers one result per item, in order: a value, or an Error for that item alone.
 * A flush that throws fails every call in its batch with that error.
 */
export type GroupCommit<T, R> = (item: T) => Promise<R>

export const createGroupCommit = <T, R>(
  flush: (items: T[]) => Promise<(R | Error)[]>,
  maxBatch = 500,
): GroupCommit<T, R> => {
  let queue: { item: T; ok: (r: R) => void; fail: (e: unknown) => void }[] = []
  let running = false
  const drain = async (): Promise<void> => {
    while (queue.length) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(batch.length)
      try {
        const out = await flush(batch.map((b) => b.item))
        batch.forEach((b, i) => {
          const r = out[i]
          if (r instanceof Error) b.fail(r)
          else if (i >= out.length)
            b.fail(new Error('group commit: the flush answered fewer results than items'))
          else b.ok(r as R)
        })
      } catch (e) {
        for (const b of batch) b.fail(e)
      }
      // the callers just answered may call again within this turn: let them join the next batch
      if (queue.length) await new Promise<void>((ok) => setImmediate(ok))
    }
    running = false
  }
  return (item) =>
    new Promise<R>((ok, fail) => {
      queue.push({ item, ok, fail })
      if (running) return
      running = true
      setImmediate(() => void drain())
    })
}
