// Shared jest settings for every project: TypeScript through SWC, workspace packages
// resolved to their sources, ESM-only dependencies (arquero, hyparquet; content-disposition under
// @fastify/static) transformed to CJS,
// and a reporter that records per-project totals for .ci/run.
const path = require('node:path');

const root = __dirname;
const esmOnly = ['arquero', '@uwdata', 'hyparquet', 'ml-.*', 'is-any-array', 'fft\\.js', 'content-disposition'];

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@campaign-ml/([a-z-]+)$': path.join(root, 'packages/$1/src/index.ts'),
    '^@campaign-ml/([a-z-]+)/([a-z-]+)$': path.join(root, 'packages/$1/src/$2.ts'),
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  reporters: ['default', path.join(root, 'tools/jest/totals-reporter.js')],
};
