// Shared tsup settings: every package ships ESM (.mjs), CJS (.js) and type declarations.
export function packageConfig(overrides = {}) {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    tsconfig: 'tsconfig.lib.json',
    ...overrides,
  };
}
