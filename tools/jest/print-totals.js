// Sums tmp/test-totals/*.json into the single line CI reads: "N passed, M failed, K skipped".
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', '..', 'tmp', 'test-totals');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const f of files) {
  const t = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  passed += t.passed;
  failed += t.failed;
  skipped += t.skipped;
}
const extra = process.argv[2] ? Number(process.argv[2]) : 0; // failures counted outside jest
console.log(`${passed} passed, ${failed + extra} failed, ${skipped} skipped`);
