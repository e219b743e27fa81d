import type { ReactNode } from 'react'
import { Button, Text, View } from '@tarojs/components'

import type { PageLoading } from '../hooks/usePageData'
import { BrandBar } from './BrandBar'

/** A page: the brand strip over its body. `className` names the page (its styles, and tests'). */
export function Page(props: { className: string; children: ReactNode }) {
  return (
    <View className={`page ${props.className}`}>
      <BrandBar />
      <View className="page-body">{props.children}</View>
    </View>
  )
}

/** A load that failed, with 重新加载. */
export function RetryCard(props: { message: string; className?: string; onRetry: () => void }) {
  const { message, className, onRetry } = props
  return (
    <View className="card">
      <Text className={`form-error${className ? ` ${className}` : ''}`}>{message}</Text>
      <Button className="btn btn-primary retry-button" onClick={onRetry}>
        重新加载
      </Button>
    </View>
  )
}

/**
 * A whole page (`className`) before its data is ready: the loading line, or the error — with
 * 重新加载 when the page offers `onRetry`.
 */
export function PageStatus(props: {
  className: string
  state: PageLoading
  loadingText?: string
  onRetry?: () => void
}) {
  const { className, state, loadingText = '正在加载…', onRetry } = props
  if (state.kind === 'error')
    return (
      <Page className={className}>
        {onRetry ? (
          <RetryCard message={state.message} onRetry={onRetry} />
        ) : (
          <Text className="form-error">{state.message}</Text>
        )}
      </Page>
    )
  return (
    <View className={`page ${className}`}>
      <BrandBar />
      <Text className="page-status muted">{loadingText}</Text>
    </View>
  )
}
