import { simulatorPlatform } from './simulator'
import { weappPlatform } from './weapp'
import type { Platform } from './types'

export type { PayParams, Platform, SubscribeDecision } from './types'
export { PlatformError } from './types'
export {
  DEFAULT_SIM_PHONE,
  getSimPhone,
  getSimUser,
  setSimPhone,
  setSimUser,
  simConfigIdOf,
  simulateScanJoin,
  wecomSimulatorBase,
} from './simulator'

/** The only way the app reaches WeChat client capabilities (platform.md §6.4). */
export const platform: Platform = process.env.TARO_ENV === 'weapp' ? weappPlatform : simulatorPlatform
