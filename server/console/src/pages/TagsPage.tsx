import type { TagGroupsResponse } from '@careloop/shared'
import { useState } from 'react'
import { api, errorText } from '../api'
import { Banner, EmptyState, Loading, PageHeader } from '../components/Feedback'
import { TagGroupCard, NewGroupForm } from '../components/TagGroups'
import { TagImport } from '../components/TagImport'
import { TagRules } from '../components/TagRules'
import { mayCall, tagsPath, type TagsTab } from '../router'
import { useSession } from '../session'
import { useLoad } from '../useLoad'

const TAB_LABEL: Record<TagsTab, string> = { groups: '分组与标签', rules: '自动规则', import: '批量导入' }

/** 标签管理: tabs for the groups and tags, the auto-tag rules and CSV import, each as the role may. */
export const TagsPage = ({ tab }: { tab: TagsTab }) => {
  const { session } = useSession()
  const role = session.staff.role
  const tabs = (Object.keys(TAB_LABEL) as TagsTab[]).filter(
    (t) => t === 'groups' || mayCall(role, t === 'rules' ? 'listTagRules' : 'importTags'),
  )
  const allowed = tabs.includes(tab)
  return (
    <>
      <PageHeader title="标签管理" lead="为患者打标签、按规则自动打标签、批量导入；标签是人群分群的基础。" />
      {tabs.length > 1 ? (
        <nav className="tabs" aria-label="标签管理">
          {tabs.map((t) => (
            <a
              key={t}
              href={`#${tagsPath(t)}`}
              className={`tab${t === tab ? ' tab-active' : ''}`}
              aria-current={t === tab ? 'page' : undefined}
            >
              {TAB_LABEL[t]}
            </a>
          ))}
        </nav>
      ) : null}
      {!allowed ? (
        <EmptyState title="无权使用此功能" hint="您的角色不能使用该功能，如需开通请联系系统管理员。" />
      ) : tab === 'rules' ? (
        <TagRules />
      ) : tab === 'import' ? (
        <TagImport />
      ) : (
        <TagGroups />
      )}
    </>
  )
}

/** 分组与标签: tag groups with their tags; editors create groups and tags. */
const TagGroups = () => {
  const { session } = useSession()
  const editable = mayCall(session.staff.role, 'createTagGroup')
  const groups = useLoad(() => api.listTagGroups(), [])
  const [creating, setCreating] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)

  const created = (what: string) => (r: TagGroupsResponse, name: string) => {
    groups.set(r)
    setNotice(`已创建${what}“${name}”`)
    if (what === '分组') setCreating(false)
  }
  const list = groups.data?.groups ?? []
  const tagCount = list.reduce((n, g) => n + g.tags.length, 0)

  return (
    <>
      <div className="tab-toolbar">
        <p className="lead">
          {groups.data
            ? `共 ${list.length} 个分组、${tagCount} 个标签。标签名在所有分组中唯一，可直接写进分群表达式。`
            : '按分组管理患者标签。'}
        </p>
        {editable ? (
          <button
            type="button"
            className="btn btn-primary"
            disabled={creating}
            onClick={() => {
              setNotice(null)
              setCreating(true)
            }}
          >
            + 新建分组
          </button>
        ) : null}
      </div>
      {notice ? (
        <Banner tone="success" onClose={() => setNotice(null)}>
          {notice}
        </Banner>
      ) : null}
      {!editable ? (
        <Banner tone="info">
          您可以查看标签并在患者详情中使用；新建分组和标签需要运营专员、护士长或管理员。
        </Banner>
      ) : null}
      {creating ? <NewGroupForm onCreated={created('分组')} onCancel={() => setCreating(false)} /> : null}
      {groups.error ? (
        <Banner tone="error">
          标签加载失败：{errorText(groups.error)}{' '}
          <button type="button" className="link-button" onClick={groups.reload}>
            重试
          </button>
        </Banner>
      ) : null}
      {groups.loading && !groups.data ? <Loading text="正在加载标签…" /> : null}
      {groups.data && list.length === 0 ? (
        <div className="panel">
          <EmptyState
            title="还没有标签分组"
            hint={
              editable
                ? '点击“新建分组”，例如按疾病、病程阶段、患者价值或行为偏好建立分组。'
                : '运营专员、护士长或管理员创建标签后，会显示在这里。'
            }
          />
        </div>
      ) : null}
      <div className="tag-groups">
        {list.map((g) => (
          <TagGroupCard key={g.id} group={g} editable={editable} onCreated={created('标签')} />
        ))}
      </div>
    </>
  )
}
