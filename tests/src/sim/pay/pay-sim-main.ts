import { PaySim, SIM_PAY } from './pay-sim'

/**
 * Runs the WeChat Pay simulator alone: `npx tsx tests/src/sim/pay/pay-sim-main.ts [port]`. The
 * merchant's keys are made at start: `GET /_sim/pay/keys` hands them out for a server's WECHATPAY_*.
 */
const port = Number(process.argv[2] ?? 4103)
const sim = new PaySim()
sim
  .listen(port)
  .then((url) =>
    console.log(
      `WeChat Pay simulator on ${url} (mchid ${SIM_PAY.mchid}, appid ${SIM_PAY.appid}; keys: ${url}/_sim/pay/keys)`,
    ),
  )
  .catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
