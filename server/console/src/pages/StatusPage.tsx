import { Loading, PageHeader } from '../components/Feedback'
import { SimClock } from '../components/SimClock'
import { StatusCards, useServerStatus } from '../components/Status'

/** 系统状态: live API, database and platform health, refreshed every 5 s. */
export const StatusPage = () => {
  const status = useServerStatus()
  return (
    <>
      <PageHeader title="系统状态" lead="每 5 秒自动刷新。营销与积分功能将在此控制台陆续开放。" />
      {status === null ? <Loading text="正在检查服务状态…" /> : <StatusCards status={status} />}
      {status?.config?.mode === 'simulated' && status.config.simulators ? (
        <SimClock wechat={status.config.simulators.wechat} wecom={status.config.simulators.wecom} />
      ) : null}
      <section className="panel links">
        <h2>开发者</h2>
        <a href="/api/openapi.json" target="_blank" rel="noreferrer">
          OpenAPI 接口文档（JSON）
        </a>
        <a href="/h5/" target="_blank" rel="noreferrer">
          患者端小程序（H5 预览）
        </a>
      </section>
    </>
  )
}
