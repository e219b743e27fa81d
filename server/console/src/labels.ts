import type {
  ConsentPurpose,
  PatientTag,
  Relation,
  StaffRole,
  TagGroup,
  TagRuleCompareOp,
} from '@careloop/shared'

export const ROLE_LABEL: Record<StaffRole, string> = {
  nurse: '护士',
  head_nurse: '护士长',
  marketer: '运营专员',
  admin: '系统管理员',
}

export const roleLabel = (role: string | null): string =>
  role && role in ROLE_LABEL ? ROLE_LABEL[role as StaffRole] : (role ?? '—')

export const GENDER_LABEL: Record<'male' | 'female', string> = { male: '男', female: '女' }

export const RELATION_LABEL: Record<Relation, string> = {
  self: '本人',
  parent: '父母',
  spouse: '配偶',
  child: '子女',
  sibling: '兄弟姐妹',
  other: '其他',
}

export const CONSENT_LABEL: Record<ConsentPurpose, string> = {
  care: '诊疗提醒',
  marketing: '营销',
  research: '科研',
}

/** Known audit actions; unknown ones are shown by their code. */
export const ACTION_LABEL: Record<string, string> = {
  'patient.list': '查询患者列表',
  'patient.read': '查看患者详情',
  'patient.assign': '分配责任护士',
  'consent.grant': '患者授予同意',
  'consent.withdraw': '患者撤回同意',
  'account.phone_bind': '患者绑定手机号',
  'profile.erase': '删除家庭成员档案',
  'account.erase': '患者注销账号',
  'auth.refresh_reuse': '检测到令牌重放',
  'staff.login': '员工登录',
  'staff.login_failed': '员工登录失败',
  'staff.locked': '员工账号锁定',
  'staff.create': '创建员工',
  'staff.update': '修改员工',
  'tag.group_create': '创建标签分组',
  'tag.create': '创建标签',
  'patient.read_tags': '查看患者标签',
  'patient.tag': '给患者打标签',
  'patient.untag': '移除患者标签',
  'segment.preview': '预览分群',
  'segment.save': '保存分群',
  'tag_rule.create': '创建标签规则',
  'tag_rule.update': '修改标签规则',
  'tag_rule.delete': '删除标签规则',
  'tag_rule.run': '执行标签规则',
  'tag_rule.preview': '预览标签规则',
  'tag_rule.nightly': '每晚执行标签规则',
  'tag.import': '批量导入标签',
  'patient.event_record': '记录临床事件',
  'patient.read_events': '查看临床记录',
  'community.create': '创建社群',
  'community.update': '修改社群',
  'community.read_members': '查看社群成员',
  'community.sop_create': '安排群内容',
  'community.sop_cancel': '取消群内容排期',
}

export const actionLabel = (a: string): string => ACTION_LABEL[a] ?? a

export const TAG_KIND_LABEL: Record<TagGroup['kind'], string> = {
  disease: '疾病',
  stage: '病程阶段',
  value: '患者价值',
  behaviour: '行为偏好',
  other: '其他',
}

export const TAG_SOURCE_LABEL: Record<PatientTag['source'], string> = {
  manual: '手动',
  rule: '规则',
  wecom: '企业微信',
  import: '导入',
}

export const COMPARE_LABEL: Record<TagRuleCompareOp, string> = {
  '>=': '≥ 大于等于',
  '>': '> 大于',
  '=': '= 等于',
  '!=': '≠ 不等于',
  '<': '< 小于',
  '<=': '≤ 小于等于',
}
