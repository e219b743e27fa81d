// Unit tests of the mini-program (platform.md §6.3): babel-jest + jsdom + @testing-library/react, with
// @tarojs/components and @tarojs/taro replaced by small mocks. Run from the repo root with
// `npx jest --selectProjects miniapp`.
module.exports = {
  displayName: 'miniapp',
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/{src,test}/**/*.test.{ts,tsx}'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.temp/'],
  transform: {
    '^.+\\.[jt]sx?$': [
      'babel-jest',
      {
        // Ignore babel.config.js (babel-preset-taro is for the Taro build only).
        configFile: false,
        babelrc: false,
        presets: [
          ['@babel/preset-env', { targets: { node: 'current' } }],
          ['@babel/preset-react', { runtime: 'automatic' }],
          '@babel/preset-typescript',
        ],
      },
    ],
  },
  moduleNameMapper: {
    '^@tarojs/components$': '<rootDir>/test/__mocks__/taro-components.tsx',
    '^@tarojs/taro$': '<rootDir>/test/__mocks__/taro.ts',
    '\\.(css|scss|less)$': '<rootDir>/test/__mocks__/style.ts',
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
}
