import type { ReactNode } from 'react'

export const Banner = ({
  tone,
  children,
  onClose,
}: {
  tone: 'error' | 'info' | 'success' | 'warning'
  children: ReactNode
  onClose?: () => void
}) => (
  <div className={`banner banner-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
    <span className="banner-icon" aria-hidden>
      {tone === 'error' ? '!' : tone === 'success' ? '✓' : 'i'}
    </span>
    <div className="banner-body">{children}</div>
    {onClose ? (
      <button type="button" className="banner-close" aria-label="关闭" onClick={onClose}>
        ×
      </button>
    ) : null}
  </div>
)

export const Loading = ({ text = '正在加载…' }: { text?: string }) => (
  <div className="loading" role="status">
    <span className="spinner" aria-hidden />
    {text}
  </div>
)

export const EmptyState = ({ title, hint }: { title: string; hint?: string }) => (
  <div className="empty">
    <svg className="empty-art" viewBox="0 0 64 48" aria-hidden>
      <rect x="8" y="10" width="48" height="32" rx="6" fill="#eef3f6" stroke="#c9d6df" />
      <path d="M8 20h48" stroke="#c9d6df" />
      <circle cx="16" cy="15" r="2" fill="#c9d6df" />
      <circle cx="23" cy="15" r="2" fill="#c9d6df" />
    </svg>
    <div className="empty-title">{title}</div>
    {hint ? <div className="empty-hint">{hint}</div> : null}
  </div>
)

export const PageHeader = ({
  title,
  lead,
  actions,
}: {
  title: string
  lead?: ReactNode
  actions?: ReactNode
}) => (
  <div className="page-header">
    <div>
      <h1>{title}</h1>
      {lead ? <p className="lead">{lead}</p> : null}
    </div>
    {actions ? <div className="page-actions">{actions}</div> : null}
  </div>
)
