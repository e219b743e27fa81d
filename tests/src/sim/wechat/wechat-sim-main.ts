import { WechatSim } from './wechat-sim'

/** Runs the WeChat simulator alone: `npx tsx tests/src/sim/wechat/wechat-sim-main.ts [port]`. */
const port = Number(process.argv[2] ?? 4101)
const sim = new WechatSim({ appid: 'wxsimappid0000001', secret: 'sim-secret' })
sim
  .listen(port)
  .then((url) => console.log(`WeChat simulator on ${url} (appid wxsimappid0000001, secret sim-secret)`))
  .catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
