const preset = require("../../jest.preset.js");
// @fastify/static (under @fastify/swagger-ui) requires content-disposition, which ships ESM only:
// let SWC turn it into CommonJS for jest like the preset does for arquero.
const esmOnly = ["arquero", "@uwdata", "hyparquet", "ml-.*", "is-any-array", "fft\\.js", "content-disposition"];
module.exports = {
  ...preset,
  displayName: "api",
  rootDir: __dirname,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
};
