module.exports = { ...require('../../jest.preset.js'), displayName: 'features', rootDir: __dirname };
