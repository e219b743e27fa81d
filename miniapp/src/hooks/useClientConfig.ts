import { useEffect, useState } from 'react'
import type { ClientConfig } from '@careloop/shared'

import { getClientConfig } from '../api/endpoints'

/**
 * The server's client config, null until it arrives. Without it a page still works (e.g. the
 * simulator login reports the problem when tapped), so a failure leaves it null.
 */
export function useClientConfig(): ClientConfig | null {
  const [config, setConfig] = useState<ClientConfig | null>(null)
  useEffect(() => {
    let live = true
    getClientConfig()
      .then((c) => live && setConfig(c))
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [])
  return config
}
