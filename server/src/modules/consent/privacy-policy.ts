import type { PrivacyPolicy } from '@careloop/shared'

/**
 * The privacy policy patients accept. Changing the text means a new `version`: care consent given
 * to an older version no longer counts, so every patient is asked again on the next launch.
 */
export const PRIVACY_POLICY: PrivacyPolicy = {
  version: '2026-11',
  effectiveAt: '2026-11-01T00:00:00.000Z',
  title: 'CareLoop 患者服务隐私政策',
  sections: [
    {
      heading: '我们收集哪些信息',
      body: '您的微信身份标识（openid）、您填写的姓名、性别、出生年份、住院号，您授权绑定的手机号，以及您在随访、问卷和健康记录中提交的信息。',
    },
    {
      heading: '我们如何使用',
      body: '用于安排和提醒随访、护士与您沟通、健康宣教。未经您单独同意，我们不会向您发送营销信息，也不会将您的信息用于科研。',
    },
    {
      heading: '我们如何保护',
      body: '手机号和证件号加密存储；医护人员按职责最小范围查看并全程留痕；我们不会向第三方出售您的信息。',
    },
    {
      heading: '您的权利',
      body: '您可随时在「设置」中撤回营销或科研同意，在「我的数据」中导出您的全部数据或注销账号。注销后您的个人信息将被删除或匿名化。',
    },
  ],
  purposes: [
    {
      purpose: 'care',
      title: '诊疗服务与随访提醒',
      description: '使用本服务所必需：随访任务、复诊与用药提醒、护士联系。',
      required: true,
    },
    {
      purpose: 'marketing',
      title: '健康活动与优惠信息',
      description: '健康讲堂、会员活动等推送，可随时撤回。',
      required: false,
    },
    {
      purpose: 'research',
      title: '医学研究',
      description: '在去标识化后用于医院的临床研究，可随时撤回。',
      required: false,
    },
  ],
}
