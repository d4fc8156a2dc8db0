module.exports = { ...require('../../jest.preset.js'), displayName: 'fairness', rootDir: __dirname };
