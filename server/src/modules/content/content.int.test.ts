import {
  ArticleDetail,
  ArticleListResponse,
  BlockedClaimsSettings,
  DEFAULT_BLOCKED_CLAIMS,
  ErrorBody,
  MyArticlesResponse,
  PatientArticle,
} from '@careloop/shared'
import { articleIn, cleanArticle } from '../../../../tests/src/harness/content-fixture'
import { consentingPatient } from '../../../../tests/src/harness/module-app'
import { useStaffHarness } from '../../../../tests/src/harness/server-harness'
import { auditModel } from '../audit/audit.model'
import { articleModel } from './content.model'

/** The review workflow of F22 through the real app: draft → clinical review → compliance approval. */
const h = useStaffHarness()
const tok = {} as Record<'admin' | 'admin2' | 'nurse' | 'head' | 'marketer' | 'patient', string>
const t = () => ({ marketer: tok.marketer, head: tok.head, admin: tok.admin })

const err = (b: unknown) => ErrorBody.parse(b).error
const detail = (b: unknown) => ArticleDetail.parse(b)
const post = (path: string, token: string, body?: unknown) => h.request('POST', path, { token, body })
const art = (id: string, rest = '') => `/api/v1/staff/articles/${id}${rest}`

beforeAll(async () => {
  await h.seedStaff()
  tok.admin = (await h.staffLogin('admin')).accessToken
  tok.nurse = (await h.staffLogin('nurse.li')).accessToken
  tok.head = (await h.staffLogin('headnurse.wang')).accessToken
  tok.marketer = (await h.staffLogin('marketing.zhao')).accessToken
  const created = await post('/api/v1/admin/staff', tok.admin, {
    username: 'compliance.qian',
    name: '钱合规',
    role: 'admin',
    password: 'compliance-pass-1',
  })
  expect(created.status).toBe(201)
  tok.admin2 = (await h.staffLogin('compliance.qian', 'compliance-pass-1')).accessToken
  tok.patient = (await consentingPatient(h, 'content-reader')).token
})

describe('writing', () => {
  it('marketers write; the HTML is sanitised; a retried create answers the first article', async () => {
    const body = {
      ...cleanArticle('护眼小知识'),
      bodyHtml:
        '<p onclick="x()">少看手机<script>alert("x")</script></p><img src="https://cdn.example.com/eye.png" onerror="alert(1)" alt="眼">' +
        '<a href="javascript:alert(1)">点我</a>',
      requestId: 'create-eye-0001',
    }
    const r = await post('/api/v1/staff/articles', tok.marketer, body)
    expect(r.status).toBe(201)
    const a = detail(r.body)
    expect(a).toMatchObject({ status: 'draft', workingVersion: 1, approvedVersion: null, category: '糖尿病' })
    expect(a.versions[0]!.bodyHtml).toBe(
      '<p>少看手机</p><img src="https://cdn.example.com/eye.png" alt="眼" /><a>点我</a>',
    )
    expect(a.versions[0]!.createdBy.name).toBe('赵运营')
    const again = await post('/api/v1/staff/articles', tok.marketer, body)
    expect([again.status, detail(again.body).id]).toEqual([201, a.id])
    expect(await articleModel(h.db).countDocuments({ title: '护眼小知识' })).toBe(1)
    expect(
      await auditModel(h.db).countDocuments({ action: 'content.create', 'detail.articleId': a.id }),
    ).toBe(1)
  })

  it('nurses and head nurses do not write; everyone reads', async () => {
    for (const token of [tok.nurse, tok.head]) {
      const r = await post('/api/v1/staff/articles', token, cleanArticle())
      expect([r.status, err(r.body).code]).toEqual([403, 'FORBIDDEN'])
    }
    const list = await h.request('GET', '/api/v1/staff/articles?q=护眼', { token: tok.nurse })
    expect(ArticleListResponse.parse(list.body).articles.map((a) => a.title)).toEqual(['护眼小知识'])
    const missing = await h.request('GET', art('000000000000000000000000'), { token: tok.nurse })
    expect([missing.status, err(missing.body).code]).toEqual([404, 'CONTENT_NOT_FOUND'])
  })
})

describe('submission checks', () => {
  it('a missing disclaimer is refused (400 CONTENT_DISCLAIMER_REQUIRED) and nothing changes', async () => {
    const a = await articleIn(h, t(), 'draft', { disclaimer: '' })
    const r = await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    expect([r.status, err(r.body).code]).toEqual([400, 'CONTENT_DISCLAIMER_REQUIRED'])
    expect((await articleModel(h.db).findById(a.id).lean())!.status).toBe('draft')
  })

  it('a blocked phrase is refused naming it, also spaced or full-width; fixed, it goes to clinical review', async () => {
    const a = await articleIn(h, t(), 'draft', {
      title: '高血压饮食指南',
      bodyHtml: '<p>坚持低盐饮食。</p><p>此方法可以 根 治 高血压。</p>',
    })
    const r = await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    expect(r.status).toBe(400)
    expect(err(r.body)).toMatchObject({
      code: 'CONTENT_BLOCKED_CLAIM',
      details: { phrase: '根治', field: 'bodyHtml', index: 14, match: '根 治' },
    })
    expect(err(r.body).message).toContain('根 治')
    await h.request('PUT', art(a.id), { token: tok.marketer, body: { title: '１００％ 有效的降压法' } })
    const title = await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    expect(err(title.body).details).toMatchObject({ phrase: '100%有效', field: 'title', index: 0 })
    await h.request('PUT', art(a.id), {
      token: tok.marketer,
      body: { title: '高血压饮食指南', bodyHtml: '<p>坚持低盐饮食，按时服药。</p>' },
    })
    const ok = await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    expect([ok.status, detail(ok.body).status]).toEqual([200, 'clinical_review'])
    // a retried submission answers the same; editing under review is refused
    const again = await post(art(a.id, '/submit'), tok.admin, { version: 1 })
    expect(detail(again.body).versions[0]!.submittedAt).toBe(detail(ok.body).versions[0]!.submittedAt)
    const edit = await h.request('PUT', art(a.id), { token: tok.marketer, body: { summary: '改' } })
    expect([edit.status, err(edit.body).code]).toEqual([409, 'CONTENT_STATE'])
    expect(
      await auditModel(h.db).countDocuments({ action: 'content.submit', 'detail.articleId': a.id }),
    ).toBe(1)
  })

  it('admins edit the blocked-claims list; the new phrase blocks; marketers cannot edit it', async () => {
    const before = BlockedClaimsSettings.parse(
      (await h.request('GET', '/api/v1/staff/content/blocked-claims', { token: tok.marketer })).body,
    )
    expect(before.phrases).toEqual([...DEFAULT_BLOCKED_CLAIMS])
    expect(before.defaultDisclaimer).toContain('不能替代')
    const denied = await h.request('PUT', '/api/v1/staff/content/blocked-claims', {
      token: tok.marketer,
      body: { phrases: ['神药'] },
    })
    expect(denied.status).toBe(403)
    const put = await h.request('PUT', '/api/v1/staff/content/blocked-claims', {
      token: tok.admin,
      body: { phrases: [...DEFAULT_BLOCKED_CLAIMS, '神药', '神 药', '---'] },
    })
    const saved = BlockedClaimsSettings.parse(put.body)
    expect(saved.phrases).toEqual([...DEFAULT_BLOCKED_CLAIMS, '神药'])
    expect(saved.updatedBy?.name).toBe('系统管理员')
    const a = await articleIn(h, t(), 'draft', { summary: '一款神　药的故事' })
    const r = await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    expect(err(r.body).details).toMatchObject({ phrase: '神药', field: 'summary', match: '神　药' })
  })
})

describe('review', () => {
  it('a rejection needs a comment, is recorded, and sends the article back to draft', async () => {
    const a = await articleIn(h, t(), 'clinical_review', { title: '术后伤口护理' })
    const noComment = await post(art(a.id, '/clinical-review'), tok.head, { version: 1, decision: 'reject' })
    expect(noComment.status).toBe(400)
    expect(err(noComment.body).details).toEqual([expect.objectContaining({ path: 'comment' })])
    const r = await post(art(a.id, '/clinical-review'), tok.head, {
      version: 1,
      decision: 'reject',
      comment: '换药频率请按医嘱写明',
    })
    const d = detail(r.body)
    expect(d).toMatchObject({ status: 'draft', workingVersion: 2, approvedVersion: null })
    expect(d.versions.map((v) => [v.n, v.state, v.basedOn])).toEqual([
      [2, 'draft', 1],
      [1, 'rejected', null],
    ])
    expect(d.versions[1]!.reviews).toEqual([
      {
        step: 'clinical',
        decision: 'reject',
        by: { id: expect.any(String) as string, name: '王护士长' },
        at: expect.any(String) as string,
        comment: '换药频率请按医嘱写明',
      },
    ])
    expect(d.versions[0]!.createdBy.name).toBe('赵运营')
    // the rejected version cannot be approved any more
    const late = await post(art(a.id, '/clinical-review'), tok.admin, { version: 1, decision: 'approve' })
    expect([late.status, err(late.body).code]).toEqual([409, 'CONTENT_STATE'])
  })

  it('only the approved version is served; an author never approves their own version', async () => {
    const a = await articleIn(h, t(), 'draft', { title: '糖尿病足的预防' })
    await post(art(a.id, '/submit'), tok.marketer, { version: 1 })
    const served = () => h.request('GET', `/api/v1/me/articles/${a.id}`, { token: tok.patient })
    expect(err((await served()).body).code).toBe('CONTENT_NOT_FOUND')
    const wrongStep = await post(art(a.id, '/compliance-review'), tok.admin, {
      version: 1,
      decision: 'approve',
    })
    expect([wrongStep.status, err(wrongStep.body).code]).toEqual([409, 'CONTENT_STATE'])
    const clinical = await post(art(a.id, '/clinical-review'), tok.head, { version: 1, decision: 'approve' })
    expect(detail(clinical.body).status).toBe('compliance_review')
    expect((await served()).status).toBe(404)
    const approved = await post(art(a.id, '/compliance-review'), tok.admin, {
      version: 1,
      decision: 'approve',
      comment: '合规',
    })
    expect(detail(approved.body)).toMatchObject({ status: 'approved', approvedVersion: 1 })
    const retried = await post(art(a.id, '/compliance-review'), tok.admin, {
      version: 1,
      decision: 'approve',
    })
    expect(detail(retried.body).versions[0]!.reviews).toHaveLength(2)
    const page = PatientArticle.parse((await served()).body)
    expect(page).toMatchObject({
      id: a.id,
      version: 1,
      title: '糖尿病足的预防',
      disclaimer: a.versions[0]!.disclaimer,
    })

    // an admin's own article: the same admin may not approve it, another admin may
    const own = await h.request('POST', '/api/v1/staff/articles', {
      token: tok.admin,
      body: cleanArticle('管理员的文章'),
    })
    const id = detail(own.body).id
    await post(art(id, '/submit'), tok.admin, { version: 1 })
    const selfClinical = await post(art(id, '/clinical-review'), tok.admin, {
      version: 1,
      decision: 'approve',
    })
    expect([selfClinical.status, err(selfClinical.body).code]).toEqual([403, 'CONTENT_REVIEW_FORBIDDEN'])
    await post(art(id, '/clinical-review'), tok.head, { version: 1, decision: 'approve' })
    const self = await post(art(id, '/compliance-review'), tok.admin, { version: 1, decision: 'approve' })
    expect([self.status, err(self.body).code]).toEqual([403, 'CONTENT_REVIEW_FORBIDDEN'])
    const other = await post(art(id, '/compliance-review'), tok.admin2, { version: 1, decision: 'approve' })
    expect(detail(other.body).status).toBe('approved')
  })

  it('the clinical reviewer does not also approve compliance', async () => {
    const a = await articleIn(h, t(), 'clinical_review', { title: '流感季节的防护' })
    await post(art(a.id, '/clinical-review'), tok.admin, { version: 1, decision: 'approve' })
    const same = await post(art(a.id, '/compliance-review'), tok.admin, { version: 1, decision: 'approve' })
    expect([same.status, err(same.body).code]).toEqual([403, 'CONTENT_REVIEW_FORBIDDEN'])
    const other = await post(art(a.id, '/compliance-review'), tok.admin2, { version: 1, decision: 'approve' })
    expect(detail(other.body).status).toBe('approved')
  })

  it('concurrent decisions on one version: exactly one is taken', async () => {
    const a = await articleIn(h, t(), 'clinical_review', { title: '并发审核' })
    const [x, y] = await Promise.all([
      post(art(a.id, '/clinical-review'), tok.head, { version: 1, decision: 'approve' }),
      post(art(a.id, '/clinical-review'), tok.admin, { version: 1, decision: 'reject', comment: '并发驳回' }),
    ])
    expect([x.status, y.status].sort()).toEqual([200, 409])
    const stored = await articleModel(h.db).findById(a.id).lean()
    expect(stored!.versions[0]!.reviews).toHaveLength(1)
  })

  it('editing an approved article opens a new draft; the approved one serves until its successor is approved', async () => {
    const a = await articleIn(h, t(), 'approved', { title: '科学减重' })
    const edited = detail(
      (await h.request('PUT', art(a.id), { token: tok.marketer, body: { title: '科学减重（修订）' } })).body,
    )
    expect(edited).toMatchObject({
      status: 'draft',
      workingVersion: 2,
      approvedVersion: 1,
      title: '科学减重（修订）',
    })
    const meta = detail(
      (await h.request('PUT', art(a.id), { token: tok.marketer, body: { tags: ['肥胖'], category: '体重' } }))
        .body,
    )
    expect([meta.workingVersion, meta.tags, meta.category]).toEqual([2, ['肥胖'], '体重'])
    const served = async () =>
      PatientArticle.parse(
        (await h.request('GET', `/api/v1/me/articles/${a.id}`, { token: tok.patient })).body,
      )
    expect(await served()).toMatchObject({ version: 1, title: '科学减重' })
    await post(art(a.id, '/submit'), tok.marketer, { version: 2 })
    await post(art(a.id, '/clinical-review'), tok.head, { version: 2, decision: 'approve' })
    expect((await served()).version).toBe(1)
    const done = detail(
      (await post(art(a.id, '/compliance-review'), tok.admin, { version: 2, decision: 'approve' })).body,
    )
    expect(done.versions.map((v) => [v.n, v.state])).toEqual([
      [2, 'approved'],
      [1, 'superseded'],
    ])
    expect(await served()).toMatchObject({ version: 2, title: '科学减重（修订）', category: '体重' })
  })

  it('the patient list shows approved articles only, newest approval first', async () => {
    h.clock.advance(60_000)
    const newest = await articleIn(h, t(), 'approved', { title: '最新的科普', category: '综合' })
    const r = MyArticlesResponse.parse(
      (await h.request('GET', '/api/v1/me/articles', { token: tok.patient })).body,
    )
    expect(r.articles[0]).toMatchObject({ id: newest.id, title: '最新的科普', version: 1 })
    const titles = r.articles.map((a) => a.title)
    expect(titles).toEqual(expect.arrayContaining(['科学减重（修订）', '糖尿病足的预防']))
    expect(titles).not.toEqual(expect.arrayContaining(['术后伤口护理']))
    const cat = MyArticlesResponse.parse(
      (await h.request('GET', '/api/v1/me/articles?category=综合', { token: tok.patient })).body,
    )
    expect(cat.articles.map((a) => a.id)).toEqual([newest.id])
  })
})
