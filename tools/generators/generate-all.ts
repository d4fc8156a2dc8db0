/**
 * Write the embedded sample datasets under data/ (run: `npm run generate:data`, or
 * `npx tsx tools/generators/generate-all.ts` from the repository root).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLE_FILES } from './sample-files';

const root = path.resolve(__dirname, '..', '..');
for (const file of SAMPLE_FILES) {
  const target = path.join(root, file.path);
  const text = file.render();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.tmp`;
  fs.writeFileSync(temp, text, 'utf8');
  fs.renameSync(temp, target);
  const lines = text.split('\n').length - (text.endsWith('\n') ? 2 : 1);
  console.log(`${file.path}: ${lines} rows, ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
}
