import type { ConsentPurpose, Patient, Relation } from '@careloop/shared'
import type * as Shared from '@careloop/shared'

export type Gender = NonNullable<Patient['gender']>

export const RELATION_LABELS: Record<Relation, string> = {
  self: '本人',
  parent: '父母',
  spouse: '配偶',
  child: '子女',
  sibling: '兄弟姐妹',
  other: '其他',
}

/** The relations a family member can have (not `self`), in display order. */
export const FAMILY_RELATIONS: readonly Exclude<Relation, 'self'>[] = [
  'parent',
  'spouse',
  'child',
  'sibling',
  'other',
]

export const GENDER_LABELS: Record<Gender, string> = { male: '男', female: '女' }

/** Short names of the consent purposes, used when the policy is not at hand. */
export const PURPOSE_LABELS: Record<ConsentPurpose, string> = {
  care: '诊疗服务与随访提醒',
  marketing: '健康活动与优惠信息',
  research: '医学研究',
}

/** `王桂兰 · 女 · 1956年` — the facts of a profile that are known. */
export function profileFacts(p: Pick<Patient, 'gender' | 'birthYear'>): string {
  const parts: string[] = []
  if (p.gender) parts.push(GENDER_LABELS[p.gender])
  if (p.birthYear) parts.push(`${p.birthYear}年生`)
  return parts.join(' · ')
}

/** Family members one account may manage besides itself; the type fails to compile if shared changes. */
export const MAX_FAMILY: typeof Shared.MAX_FAMILY_PROFILES = 5
