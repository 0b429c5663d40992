// One Jest run for the whole workspace. Tests import workspace libraries from their sources,
// so no build is needed first; @swc/jest strips types (tsc -b does the type checking).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/test-e2e'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@manifold/(control-plane|ingestion|translator|warehouse-loader|console)$': '<rootDir>/services/$1/src/index.ts',
    '^@manifold/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^@manifold/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  testTimeout: 30000,
  // Two cores: more workers only contend with Kafka and FerretDB for CPU.
  maxWorkers: 2,
};
