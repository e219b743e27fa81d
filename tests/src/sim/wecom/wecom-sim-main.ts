import { SIM_WECOM, WecomSim } from './wecom-sim'

/** Runs the WeCom simulator alone: `npx tsx tests/src/sim/wecom/wecom-sim-main.ts [port]`. */
const port = Number(process.argv[2] ?? 4102)
const sim = new WecomSim({ corpId: SIM_WECOM.corpId, secrets: [SIM_WECOM.agentSecret] })
sim
  .listen(port)
  .then((url) =>
    console.log(`WeCom simulator on ${url} (corpid ${SIM_WECOM.corpId}, secret ${SIM_WECOM.agentSecret})`),
  )
  .catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
