// One Jest run for the whole workspace. Tests import workspace libraries from their sources,
// so no build is needed first; @swc/jest strips types (tsc -b does the type checking).
const os = require('node:os');
const path = require('node:path');

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
  // Two cores: more workers only contend with Kafka and FerretDB for CPU. Measured 2026-12-03:
  // with three, the suites ran slower each (a browser suite 43 s against 27) and the translator's
  // latency test failed from the contention alone.
  maxWorkers: 2,
  // With every other download, under ~/.cache (which CI keeps), not /tmp: Jest starts the suites
  // that took longest last time first, so that no long one is left to run alone at the end (without
  // their durations it orders by file size).
  cacheDirectory: path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'manifold-jest'),
};
