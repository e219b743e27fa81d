import Taro from '@tarojs/taro'

/**
 * The simulator's stand-in for WeChat's subscribe popup (h5 build): `askSubscribe` shows the templates
 * in the `SubscribeSheet` of the current page and resolves with the patient's choice per template
 * (允许 / 拒绝). A page that asks renders `<SubscribeSheet />`; without one, a plain confirm dialog
 * asks for all templates at once.
 */

export interface SheetTemplate {
  id: string
  title: string
}

export type SheetChoice = 'accept' | 'reject'

export interface SheetRequest {
  templates: readonly SheetTemplate[]
  /** The patient's answer; every template named. */
  answer: (choices: Record<string, SheetChoice>) => void
}

type Host = (request: SheetRequest | null) => void

const hosts = new Set<Host>()
let current: SheetRequest | null = null

const notify = () => {
  for (const host of hosts) host(current)
}

/** A sheet component registers here while mounted; answers the unregister function. */
export function hostSubscribeSheet(host: Host): () => void {
  hosts.add(host)
  host(current)
  return () => {
    hosts.delete(host)
  }
}

const all = (templates: readonly SheetTemplate[], choice: SheetChoice) =>
  Object.fromEntries(templates.map((t) => [t.id, choice])) as Record<string, SheetChoice>

/** Asks the patient about `templates`; resolves once they answered. */
export function askSubscribe(templates: readonly SheetTemplate[]): Promise<Record<string, SheetChoice>> {
  if (hosts.size === 0) {
    return Taro.showModal({
      title: '订阅消息',
      content: `允许发送以下通知？\n${templates.map((t) => t.title).join('、')}`,
      confirmText: '允许',
      cancelText: '拒绝',
      confirmColor: '#0e9f9a',
    }).then((r) => all(templates, r.confirm ? 'accept' : 'reject'))
  }
  // A request still open (a double tap) is answered as refused before the new one shows.
  current?.answer(all(current.templates, 'reject'))
  return new Promise((resolve) => {
    const request: SheetRequest = {
      templates,
      answer: (choices) => {
        if (current !== request) return
        current = null
        notify()
        resolve({ ...all(templates, 'reject'), ...choices })
      },
    }
    current = request
    notify()
  })
}
