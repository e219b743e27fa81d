import Taro from '@tarojs/taro'

/** A native confirm dialog (wx.showModal; Taro draws one on h5). Resolves true on 确定. */
export async function confirmDialog(opts: {
  title: string
  content: string
  confirmText?: string
  danger?: boolean
}): Promise<boolean> {
  const res = await Taro.showModal({
    title: opts.title,
    content: opts.content,
    confirmText: opts.confirmText ?? '确定',
    cancelText: '取消',
    confirmColor: opts.danger ? '#d4380d' : '#0e9f9a',
  })
  return res.confirm
}

/** A short success toast. */
export function toast(title: string) {
  void Taro.showToast({ title, icon: 'success', duration: 1500 })
}
