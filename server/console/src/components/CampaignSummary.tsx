import type { Campaign, CampaignPreviewResponse, CampaignState } from '@careloop/shared'
import {
  CAMPAIGN_STATE_LABEL,
  CHANNEL_LABEL,
  GOAL_LABEL,
  scheduleText,
  type CampaignChannel,
} from '../campaignText'
import { formatMinute } from '../communityText'
import type { StaffDirectory } from '../staffDirectory'

export const CampaignStateChip = ({ state }: { state: CampaignState }) => (
  <span className={`campaign-chip campaign-chip-${state}`} data-testid="campaign-state">
    {CAMPAIGN_STATE_LABEL[state]}
  </span>
)

/** A staff id as a name: oneself, a listed colleague, or 其他员工 (roles that may not list staff). */
export const staffName = (dir: StaffDirectory, id: string): string => {
  const n = dir.nameOf(id)
  return n === '已分配' ? '其他员工' : n
}

/** A subscribe template key's kind, as WeChat shows its field (thing1 → 内容). */
const KEY_KIND: Record<string, string> = {
  time: '时间',
  date: '日期',
  number: '数量',
  phrase: '状态',
  character_string: '编号',
  name: '姓名',
}
/** Field names for the keys in order: the first 文字 key is the message's title, later ones its content. */
const keyLabels = (keys: string[]): string[] => {
  let things = 0
  return keys.map((k) => {
    const kind = k.replace(/\d+$/, '')
    if (kind === 'thing') return things++ === 0 ? '标题' : '内容'
    return KEY_KIND[kind] ?? k
  })
}

const DECISION_LABEL = { submit: '提交审批', approve: '审批通过', reject: '驳回' } as const

/** What the campaign is: audience, content, channels, schedule, goal, expiry, author and approvals. */
export const CampaignFacts = ({
  campaign: c,
  articleTitle,
  segmentName,
  dir,
}: {
  campaign: Campaign
  articleTitle: string | null
  segmentName: string | null
  dir: StaffDirectory
}) => (
  <section className="panel campaign-facts" data-testid="campaign-facts">
    <h2>活动设置</h2>
    <dl className="facts-list">
      <dt>目标人群</dt>
      <dd>
        {c.segment.expression ? (
          <code className="code">{c.segment.expression}</code>
        ) : (
          <>已保存的分群“{segmentName ?? '—'}”</>
        )}
      </dd>
      <dt>发送内容</dt>
      <dd>
        {c.content.kind === 'article' ? (
          <>
            科普文章 <a href={`#/articles/${c.content.articleId}`}>{articleTitle ?? '查看文章'}</a>
          </>
        ) : (
          <>消息模板“{c.content.title}”</>
        )}
      </dd>
      <dt>发送渠道</dt>
      <dd>{c.channels.map((ch: CampaignChannel, i) => `${i + 1}. ${CHANNEL_LABEL[ch]}`).join(' → ')}</dd>
      <dt>发送时间</dt>
      <dd>
        {scheduleText(c.schedule)}
        {c.nextRunAt ? <div className="subtle">下次发送 {formatMinute(c.nextRunAt)}</div> : null}
      </dd>
      <dt>转化目标</dt>
      <dd>{c.goal ? `${c.goal.withinDays} 天内${GOAL_LABEL[c.goal.event]}` : '未设置'}</dd>
      <dt>消息有效期</dt>
      <dd>{c.expiresAfterHours} 小时</dd>
      <dt>创建人</dt>
      <dd>
        {staffName(dir, c.createdBy)} · {formatMinute(c.createdAt)}
      </dd>
    </dl>
    {c.approvals.length > 0 ? (
      <>
        <h3 className="facts-sub">审批记录</h3>
        <ol className="review-trail" data-testid="campaign-approvals">
          {c.approvals.map((a, i) => (
            <li key={i} className={`trail-item trail-${a.decision}`}>
              <span className={`trail-dot trail-${a.decision}`} />
              <span className="trail-what">{DECISION_LABEL[a.decision]}</span>
              <span>{staffName(dir, a.by)}</span>
              <span className="subtle mono">{formatMinute(a.at)}</span>
              {a.comment ? <div className="trail-comment">“{a.comment}”</div> : null}
            </li>
          ))}
        </ol>
      </>
    ) : null}
  </section>
)

/** What the approver sees: the audience count now and the message as each channel renders it. */
export const CampaignPreview = ({ preview: p }: { preview: CampaignPreviewResponse }) => (
  <div data-testid="campaign-preview">
    <section className="panel preview-audience">
      <div>
        <div className="card-title">当前目标人数</div>
        <div className="count-value" data-testid="preview-audience-count">
          {p.audienceCount.toLocaleString('zh-CN')}
          <span className="count-unit">位</span>
        </div>
        <div className="subtle">发送时按当时的分群重新计算；未同意营销信息、超出每日上限的患者会自动跳过</div>
      </div>
      <div className="preview-expression">
        <span className="subtle">分群</span>
        <code className="code">{p.expression}</code>
        {p.nextRunAt ? <span className="subtle">首次发送 {formatMinute(p.nextRunAt)}</span> : null}
      </div>
    </section>
    {p.contentProblem ? (
      <div className="banner banner-error" role="alert">
        <span className="banner-icon">!</span>
        <div className="banner-body">内容不能发送：{p.contentProblem}</div>
      </div>
    ) : null}
    <div className="preview-channels">
      {p.channels.map((ch, i) =>
        ch.channel === 'inbox' ? (
          <section key="inbox" className="panel preview-card" data-testid="preview-inbox">
            <div className="preview-card-head">
              <span className="channel-rank">{i + 1}</span>
              {CHANNEL_LABEL.inbox}
            </div>
            <div className="phone-frame phone-small">
              <div className="inbox-mock">
                <div className="inbox-mock-bar">消息中心</div>
                <div className="inbox-mock-row">
                  <span className="inbox-mock-dot" />
                  <div>
                    <div className="inbox-mock-title">{ch.title}</div>
                    <div className="inbox-mock-body">{ch.body}</div>
                    <div className="inbox-mock-link">{ch.page ? '点击查看详情 ›' : '刚刚'}</div>
                  </div>
                </div>
              </div>
            </div>
          </section>
        ) : (
          <section key="subscribe" className="panel preview-card" data-testid="preview-subscribe">
            <div className="preview-card-head">
              <span className="channel-rank">{i + 1}</span>
              {CHANNEL_LABEL.subscribe}
              <span className="subtle">模板 {ch.templateId ?? '未配置'}</span>
            </div>
            <div className="phone-frame phone-small">
              <div className="wx-mock">
                <div className="wx-mock-bar">服务通知</div>
                <div className="wx-mock-card">
                  <div className="wx-mock-title">健康提醒</div>
                  {ch.data ? (
                    <dl className="wx-mock-data">
                      {Object.entries(ch.data).map(([k, v], i, all) => (
                        <div key={k} className="wx-mock-line">
                          <dt title={k}>{keyLabels(all.map(([key]) => key))[i]}</dt>
                          <dd>{v}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : (
                    <div className="wx-mock-problem">{ch.problem ?? '无法生成订阅消息'}</div>
                  )}
                  <div className="wx-mock-foot">进入小程序查看 ›</div>
                </div>
              </div>
            </div>
          </section>
        ),
      )}
      {p.channels.length === 0 && !p.contentProblem ? <div className="muted">没有可预览的渠道</div> : null}
    </div>
  </div>
)
