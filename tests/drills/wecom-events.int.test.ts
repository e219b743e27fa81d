import { randomBytes } from 'node:crypto'
import { loadBotConfig } from '../../wecom-bot/src/config'
import { startBot, type RunningBot } from '../../wecom-bot/src/main'
import { wecomEventModel } from '../../server/src/modules/wecom/wecom-event.model'
import { createWecomIdentityRepo } from '../../server/src/modules/wecom/wecom-identity.repo'
import { useStaffHarness } from '../src/harness/server-harness'
import { SIM_WECOM } from '../src/sim/wecom/wecom-sim'

/**
 * Drill: WeCom → bot → server for customer-contact events. A patient who uses the mini-program adds
 * nurse 李娜 on WeChat: the simulator pushes the encrypted add_external_contact callback to the real
 * bot, which answers WeCom at once and forwards the event to the server in the background; the server
 * links the contact to the patient by unionid and sends the welcome message within the code's 20 s.
 * A redelivery after a bot restart (its in-memory dedupe gone) is harmless on the server.
 */
const SERVICE_TOKEN = randomBytes(24).toString('base64url')
const CALLBACK = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
}
const h = useStaffHarness({ env: { SERVICE_TOKEN, HOSPITAL_NAME: '仁和医院' } })

const hook = async <T>(name: string, body?: unknown, method = 'POST'): Promise<T> => {
  const r = await fetch(`${h.wecom.url}/_sim/wecom/${name}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  expect(r.status).toBe(200)
  return (await r.json()) as T
}

const start = (): Promise<RunningBot> =>
  startBot(
    loadBotConfig({
      WECOM_TOKEN: CALLBACK.token,
      WECOM_ENCODING_AES_KEY: CALLBACK.encodingAesKey,
      WECOM_CORP_ID: SIM_WECOM.corpId,
      BOT_PORT: '0',
      LOG_LEVEL: 'silent',
      SERVER_BASE_URL: h.url,
      SERVICE_TOKEN,
    }),
  )

const target = (bot: RunningBot) =>
  hook('events/target', {
    url: `${bot.url}/wecom/callback`,
    ...CALLBACK,
    corpId: SIM_WECOM.corpId,
    duplicates: 1,
  })

describe('WeCom customer-contact events: simulator → bot → server', () => {
  beforeAll(async () => {
    await h.seedStaff()
    await hook('seed', { members: [{ userid: 'LiNa', name: '李娜' }] })
  })

  it('links the patient by unionid and sends the welcome message; redeliveries change nothing', async () => {
    const patient = await h.login('drill-wecom-1')
    let bot = await start()
    try {
      await target(bot)
      const added = await hook<{
        external_userid: string
        welcome_code: string
        event: { seq: number; delivered: boolean }
      }>('customers/add', {
        userid: 'LiNa',
        name: '黄丽',
        unionid: h.sim.identity('drill-wecom-1').unionid,
      })
      // the bot answered WeCom (an empty 200, no passive reply for events), duplicate included
      expect(added.event.delivered).toBe(true)
      const { events } = await hook<{
        events: { seq: number; delivery: { reply: string; duplicates: { status: number }[] } }[]
      }>('events', undefined, 'GET')
      const rec = events.find((e) => e.seq === added.event.seq)!
      expect(rec.delivery.reply).toBe('')
      expect(rec.delivery.duplicates.map((d) => d.status)).toEqual([200])

      await bot.idle()
      const { messages } = await hook<{ messages: { welcome_code: string; text: { content: string } }[] }>(
        'welcome-messages',
        undefined,
        'GET',
      )
      const welcome = messages.filter((m) => m.welcome_code === added.welcome_code)
      expect(welcome).toHaveLength(1)
      expect(welcome[0]!.text.content).toMatch(/^您好，我是仁和医院的李娜护士/)
      expect(await createWecomIdentityRepo(h.db).patientOf(added.external_userid)).toBe(patient.patient.id)
      const rows = await wecomEventModel(h.db).find({ event: 'change_external_contact' }).lean()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ status: 'done', attempts: 1, changeType: 'add_external_contact' })

      // a restarted bot has forgotten the delivery; the server has not
      await bot.close()
      bot = await start()
      await target(bot)
      await hook('events/redeliver', { seq: added.event.seq })
      await bot.idle()
      expect(await wecomEventModel(h.db).countDocuments({ event: 'change_external_contact' })).toBe(1)
      const after = await hook<{ messages: unknown[] }>('welcome-messages', undefined, 'GET')
      expect(after.messages).toHaveLength(messages.length)
    } finally {
      await bot.close()
    }
  })
})
