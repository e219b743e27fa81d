import { DEFAULT_BLOCKED_CLAIMS } from '@careloop/shared'
import { findBlockedClaim, normalise } from './blocked-claims'
import { htmlText, sanitizeArticleHtml } from './html-sanitize'

const fields = (f: Partial<{ title: string; summary: string; bodyHtml: string }>) => ({
  title: '控制血糖的五个习惯',
  summary: '饮食、运动与监测',
  bodyHtml: '<p>规律监测血糖。</p>',
  ...f,
})

describe('sanitizeArticleHtml', () => {
  it('keeps the allowed tags and attributes', () => {
    const html =
      '<h2>饮食</h2><p>少吃<strong>精制糖</strong>，多吃<em>蔬菜</em>。<br></p><ul><li>一</li></ul><ol><li>二</li></ol>' +
      '<blockquote>引用</blockquote><p><img src="https://cdn.example.com/a.png" alt="图"><a href="https://example.com/x">链接</a></p>'
    expect(sanitizeArticleHtml(html)).toBe(
      '<h2>饮食</h2><p>少吃<strong>精制糖</strong>，多吃<em>蔬菜</em>。<br /></p><ul><li>一</li></ul><ol><li>二</li></ol>' +
        '<blockquote>引用</blockquote><p><img src="https://cdn.example.com/a.png" alt="图" /><a href="https://example.com/x">链接</a></p>',
    )
  })

  it('strips scripts with their content, handlers, styles, javascript: and data: URLs', () => {
    const out = sanitizeArticleHtml(
      '<p onclick="steal()" style="color:red">正文<script>alert(1)</script></p>' +
        '<img src="x" onerror="alert(1)"><img src="https://e.com/a.png" onerror="alert(1)"><img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA">' +
        '<a href="javascript:alert(1)">坏链接</a><a href="JaVaScRiPt:alert(1)">坏</a><iframe src="https://e.com"></iframe>' +
        '<style>p{}</style><b>粗</b><h1>标题</h1><div>块</div>',
    )
    expect(out).not.toMatch(/script|onerror|onclick|style|javascript|data:|iframe|alert/i)
    expect(out).toBe(
      '<p>正文</p><img src="https://e.com/a.png" /><a>坏链接</a><a>坏</a><strong>粗</strong><h2>标题</h2>块',
    )
  })

  it('htmlText strips the tags and decodes entities', () => {
    expect(htmlText('<p>A &amp; B&nbsp;&#26681;&#x6CBB;</p><p>二</p>')).toBe('A & B\u00a0根治\n二\n')
  })
})

describe('blocked claims', () => {
  it('normalises full-width characters, case, whitespace and separators', () => {
    expect(normalise('１００％ 有效').text).toBe('100%有效')
    expect(normalise('根\u3000治·Ａ').text).toBe('根治a')
    expect(normalise('根 治').from).toEqual([0, 2])
  })

  it('names the phrase, the field and the index', () => {
    expect(findBlockedClaim(fields({ title: '糖尿病可以根治吗' }), DEFAULT_BLOCKED_CLAIMS)).toEqual({
      phrase: '根治',
      field: 'title',
      index: 5,
      match: '根治',
    })
    expect(findBlockedClaim(fields({ summary: '本药保证疗效' }), DEFAULT_BLOCKED_CLAIMS)).toMatchObject({
      phrase: '保证疗效',
      field: 'summary',
      index: 2,
    })
  })

  it('finds spaced, full-width and tag-split variants in the body', () => {
    expect(findBlockedClaim(fields({ bodyHtml: '<p>此法可 根 治 高血压</p>' }), ['根治'])).toEqual({
      phrase: '根治',
      field: 'bodyHtml',
      index: 4,
      match: '根 治',
    })
    expect(findBlockedClaim(fields({ bodyHtml: '<p>１００％　有效</p>' }), ['100%有效'])?.match).toBe(
      '１００％　有效',
    )
    expect(
      findBlockedClaim(fields({ bodyHtml: '<p>无<strong>副作用</strong></p>' }), ['无副作用'])?.index,
    ).toBe(0)
    expect(findBlockedClaim(fields({ bodyHtml: '<p>&#26681;&#27835;</p>' }), ['根治'])?.field).toBe(
      'bodyHtml',
    )
  })

  it('reports the earliest phrase of the first field that has one; clean text passes', () => {
    const f = fields({ bodyHtml: '<p>药到病除，包治百病</p>' })
    expect(findBlockedClaim(f, DEFAULT_BLOCKED_CLAIMS)?.phrase).toBe('药到病除')
    expect(findBlockedClaim(fields({}), DEFAULT_BLOCKED_CLAIMS)).toBeUndefined()
    expect(findBlockedClaim(fields({ title: '根治' }), [])).toBeUndefined()
  })
})
