/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: {
    '^@stockstream/(contracts|platform|inventory-core)$': '<rootDir>/$1/src/index.ts',
    '^@stockstream/(platform|inventory-core)/(.*)$': '<rootDir>/$1/src/$2',
    '^@stockstream/prisma$': '<rootDir>/prisma/src/index.ts',
    '^@stockstream/prisma/(product|inventory|migrate|testing)$': '<rootDir>/prisma/src/$1.ts',
  },
  globalSetup: '<rootDir>/jest.global-setup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/jest.setup.ts'],
};
