import { useState } from 'react'

import { messageOf } from '../services/auth'
import { leaveOnSessionError } from '../services/guard'

export type PageLoading = { kind: 'loading' } | { kind: 'error'; message: string }
export type PageState<T> = PageLoading | { kind: 'ready'; data: T }

/**
 * What a page shows once it has loaded: `fetch` answers the page's data, or null when it went
 * elsewhere instead (e.g. logged out → 登录). Session and consent errors leave the page as
 * `leaveOnSessionError` does; any other error becomes the page's error. The page calls `load` from
 * its useLoad or useDidShow.
 */
export function usePageData<T>(fetch: () => Promise<T | null>) {
  const [state, setState] = useState<PageState<T>>({ kind: 'loading' })

  const load = async () => {
    try {
      const data = await fetch()
      if (data !== null) setState({ kind: 'ready', data })
    } catch (e) {
      if (await leaveOnSessionError(e)) return
      setState({ kind: 'error', message: messageOf(e, '加载失败，请稍后重试') })
    }
  }

  /** Back to 正在加载 and load again (重新加载, or data that went stale). */
  const reload = () => {
    setState({ kind: 'loading' })
    void load()
  }

  const setData = (data: T) => setState({ kind: 'ready', data })

  return { state, load, reload, setData }
}
