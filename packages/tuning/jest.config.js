module.exports = { ...require('../../jest.preset.js'), displayName: 'tuning', rootDir: __dirname };
