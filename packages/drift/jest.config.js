module.exports = { ...require('../../jest.preset.js'), displayName: 'drift', rootDir: __dirname };
