// Every project under packages/ and apps/ must lint its package.json: that is where
// @nx/dependency-checks (eslint.config.mjs) compares the manifest with what the code imports.
// Run first by `npm run lint`, so a new package whose lint script is plain "eslint src" fails
// here instead of silently skipping the check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bad = [];
for (const dir of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, dir))) {
    const file = join(root, dir, name, 'package.json');
    if (!existsSync(file)) continue;
    const lint = JSON.parse(readFileSync(file, 'utf8')).scripts?.lint ?? '';
    if (!/^eslint\b/.test(lint) || !/(^|\s)package\.json(\s|$)/.test(lint))
      bad.push(`${dir}/${name}: "lint": ${JSON.stringify(lint)}`);
  }
}
if (bad.length) {
  console.error('These projects do not lint their package.json (want "lint": "eslint src package.json"):');
  for (const b of bad) console.error(`  ${b}`);
  process.exit(1);
}
console.log('lint scripts: every package and app lints its package.json');
