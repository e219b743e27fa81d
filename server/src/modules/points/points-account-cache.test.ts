import { Types } from 'mongoose'
import { createAccountCache } from './points-account-cache'
import type { PointsAccountDoc } from './points.model'

const doc = (id: Types.ObjectId, ver: number, balance: number): PointsAccountDoc => ({
  _id: id,
  ver,
  balance,
  cap: {},
  earned: {},
  j: {},
  jAt: null,
  updatedAt: new Date(0),
})

describe('account cache', () => {
  it('keeps the latest version of an account; an older copy arriving late does not replace it', () => {
    const c = createAccountCache()
    const id = new Types.ObjectId()
    c.put(doc(id, 2, 20))
    c.put(doc(id, 1, 10))
    expect(c.get(id.toHexString())).toMatchObject({ ver: 2, balance: 20 })
    c.put(doc(id, 3, 5))
    expect(c.get(id.toHexString())).toMatchObject({ ver: 3, balance: 5 })
    c.drop(id.toHexString())
    expect(c.get(id.toHexString())).toBeUndefined()
  })

  it('holds at most `max` accounts, dropping the least recently stored', () => {
    const c = createAccountCache(2)
    const [a, b, d] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()]
    c.put(doc(a, 1, 1))
    c.put(doc(b, 1, 1))
    c.put(doc(a, 2, 2))
    c.put(doc(d, 1, 1))
    expect([a, b, d].map((x) => c.get(x.toHexString())?.ver)).toEqual([2, undefined, 1])
  })
})
