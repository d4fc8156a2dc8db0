module.exports = { ...require('../../jest.preset.js'), displayName: 'explain', rootDir: __dirname };
