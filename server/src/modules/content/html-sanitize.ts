import sanitizeHtml from 'sanitize-html'

/**
 * The HTML articles may hold (what WeChat's rich-text renders well and cannot run code): an allow-list
 * of tags and attributes; `<script>`/`<style>` dropped with their content, every event handler and
 * `style` attribute dropped, links and images only over http(s) (no `javascript:`, `data:` or
 * protocol-relative URLs; images without an absolute http(s) source are dropped). `b`/`i` become `strong`/`em`; `h1` becomes `h2`.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'strong', 'em', 'ul', 'ol', 'li', 'img', 'a', 'blockquote', 'br'],
  allowedAttributes: { img: ['src', 'alt'], a: ['href'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: { b: 'strong', i: 'em', h1: 'h2' },
  // an image without an absolute http(s) source shows nothing in the mini-program: drop it
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^https?:\/\//i.test(frame.attribs.src ?? ''),
}

export const sanitizeArticleHtml = (html: string): string => sanitizeHtml(html, OPTIONS).trim()

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

/** The text of (sanitised) HTML: tags removed, entities decoded; block ends become line breaks. */
export const htmlText = (html: string): string =>
  sanitizeHtml(
    html.replace(/<\/(p|h2|h3|li|blockquote)>|<br\s*\/?>/gi, (m) => `${m}\n`),
    {
      allowedTags: [],
      allowedAttributes: {},
    },
  ).replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m
    }
    return ENTITIES[e.toLowerCase()] ?? m
  })
