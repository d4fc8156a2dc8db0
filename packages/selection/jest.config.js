module.exports = { ...require('../../jest.preset.js'), displayName: 'selection', rootDir: __dirname };
