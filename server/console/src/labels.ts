import type { ConsentPurpose, Relation, StaffRole } from '@careloop/shared'

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
}

export const actionLabel = (a: string): string => ACTION_LABEL[a] ?? a
