import { __resetTaro } from './__mocks__/taro'
import { resetClientConfigCache } from '../src/api/endpoints'

beforeEach(() => {
  __resetTaro()
  resetClientConfigCache()
})
