import { useEffect, useRef, useState } from 'react'

export interface Live<T> {
  /** The key the data or error belongs to (the input may have moved on since); '' when idle. */
  key: string
  data: T | null
  error: unknown
  /** A call is waiting for the pause in typing or in flight. */
  pending: boolean
}

const IDLE = { key: '', data: null, error: null, pending: false }

/**
 * A live preview: `run` is called `delayMs` after `key` last changed, and a newer key aborts the call
 * in flight (its answer is dropped), so the shown result always belongs to the latest input.
 * An empty key means nothing to preview.
 */
export const useLive = <T>(
  key: string,
  run: (signal: AbortSignal) => Promise<T>,
  delayMs: number,
): Live<T> => {
  const [state, setState] = useState<Live<T>>(IDLE)
  const latest = useRef(run)
  latest.current = run

  useEffect(() => {
    if (key === '') {
      setState(IDLE)
      return
    }
    setState((s) => ({ ...s, pending: true }))
    const ctl = new AbortController()
    const t = setTimeout(() => {
      latest.current(ctl.signal).then(
        (data) => setState({ key, data, error: null, pending: false }),
        (error: unknown) => {
          if (!ctl.signal.aborted) setState({ key, data: null, error, pending: false })
        },
      )
    }, delayMs)
    return () => {
      clearTimeout(t)
      ctl.abort()
    }
  }, [key, delayMs])
  return state
}
