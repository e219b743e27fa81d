import { useCallback, useEffect, useState } from 'react'

export interface Loaded<T> {
  data: T | null
  error: unknown
  loading: boolean
  reload: () => void
  /** Replace the data locally (after a successful write that returned the new state). */
  set: (data: T) => void
}

/**
 * Runs `load` whenever `deps` change (and on reload()), keeping the last data while a new load runs.
 * A load that finishes after a newer one started is ignored.
 */
export const useLoad = <T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> => {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    let alive = true
    setLoading(true)
    setError(null)
    void load().then(
      (d) => {
        if (!alive) return
        setData(d)
        setLoading(false)
      },
      (e: unknown) => {
        if (!alive) return
        setError(e)
        setLoading(false)
      },
    )
    return () => {
      alive = false
    }
  }, [...deps, tick])

  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload, set: setData }
}
