/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.gif'
declare module '*.jpg'
declare module '*.jpeg'
declare module '*.svg'
declare module '*.css'

declare namespace NodeJS {
  interface ProcessEnv {
    /** Set by Taro at build time: the target platform. Undefined under jest. */
    TARO_ENV?: 'weapp' | 'h5'
    /** Injected by config/index.ts: the API origin the weapp build calls. */
    TARO_APP_API_BASE?: string
  }
}
