import type { Connection } from 'mongoose'
import { isDuplicateKey } from '../../db/duplicate-key'
import { botListModel, type BotListDoc } from './followup.model'

/** The last 今日随访 list each nurse saw (one per nurse, replaced each time), so 「完成 3」 is stable. */
export interface BotListRepo {
  save(staffId: string, items: BotListDoc['items'], at: Date): Promise<void>
  get(staffId: string): Promise<BotListDoc | null>
}

export const createBotListRepo = (conn: Connection): BotListRepo => {
  const L = botListModel(conn)
  return {
    async save(staffId, items, at) {
      const write = () => L.updateOne({ staffId }, { $set: { items, at } }, { upsert: true })
      try {
        await write()
      } catch (e) {
        // two lists asked at once: the other upsert inserted first, ours now updates it
        if (!isDuplicateKey(e)) throw e
        await write()
      }
    },
    get: (staffId) => L.findOne({ staffId }).lean<BotListDoc>(),
  }
}
