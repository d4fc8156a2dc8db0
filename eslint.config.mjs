import nx from '@nx/eslint-plugin';
import * as jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

// The dependency direction of ../shared/design/ARCHITECTURE.md, as Nx tags. A wrong import
// (say features -> models, or any package -> an app) fails `npm run lint`.
// selection may also use models: model-based selection and RFECV need estimators and CV.
const depConstraints = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:schema', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:core', 'scope:schema'] },
  { sourceTag: 'scope:features', onlyDependOnLibsWithTags: ['scope:core', 'scope:schema', 'scope:ingest'] },
  {
    sourceTag: 'scope:selection',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:schema', 'scope:ingest', 'scope:features', 'scope:models'],
  },
  { sourceTag: 'scope:models', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:tuning', onlyDependOnLibsWithTags: ['scope:core', 'scope:models'] },
  // explain works on bundles: their model, features and input schema (ARCHITECTURE.md's arrow).
  {
    sourceTag: 'scope:explain',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:schema', 'scope:features', 'scope:models', 'scope:bundle'],
  },
  { sourceTag: 'scope:fairness', onlyDependOnLibsWithTags: ['scope:core'] },
  // drift compares new data with the reference distributions kept in the bundle, typed by schema.
  { sourceTag: 'scope:drift', onlyDependOnLibsWithTags: ['scope:core', 'scope:schema', 'scope:bundle'] },
  { sourceTag: 'scope:tracking', onlyDependOnLibsWithTags: ['scope:core'] },
  // The bundle (not in the original plan): what the pipeline writes and the API and batch scoring read.
  // It reads raw records through schema only: no file, database or spreadsheet driver (browser-safe).
  {
    sourceTag: 'scope:bundle',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:schema', 'scope:features', 'scope:models'],
  },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['*'] },
];

export default [
  { ignores: ['**/dist', '**/node_modules', 'tmp', '**/coverage'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: "Use core's seeded RNG (createRng) instead." },
      ],
      // Prettier wraps code at 120 (npm run format); messages and patterns may run longer.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignoreComments: true,
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-properties': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // A package's face is an explicit list: `export *` would publish every helper a module exports.
    files: ['packages/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'List what the package exports (export { a, type B } from ...); internals stay private.',
        },
      ],
    },
  },
  {
    // Honest manifests: a package.json of packages/* and apps/* lists exactly the packages its
    // code imports (src, tests and test support left out: those go to devDependencies or the
    // root). Each project's lint script lints its package.json ("eslint src package.json");
    // tools/lint/check-lint-scripts.mjs (run first by `npm run lint`) fails for a project whose
    // lint script does not, so new packages are covered.
    files: ['packages/*/package.json', 'apps/*/package.json'],
    languageOptions: { parser: jsoncParser },
    plugins: { '@nx': nx },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          // apps/pipeline has no build target; lint stands in for it.
          buildTargets: ['build', 'lint'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          ignoredFiles: [
            '{projectRoot}/*.{js,cjs,mjs,ts}',
            '{projectRoot}/examples/**',
            '{projectRoot}/**/*.test.ts',
            '{projectRoot}/**/__fixtures__/**',
            '{projectRoot}/**/test-support/**',
          ],
        },
      ],
    },
  },
];
