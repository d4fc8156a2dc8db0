module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'tools',
  rootDir: __dirname,
  testMatch: ['<rootDir>/generators/**/*.test.ts', '<rootDir>/corpus/**/*.test.ts'],
};
