/**
 * Issue 12, item 2: row numbers, unique monotone integers, pandas' saved index (empty header) and
 * columns that repeat an identifier are identifiers whatever their name: never features.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTableSync } from '@campaign-ml/ingest';
import { inferSchema } from '@campaign-ml/schema';
import { hiddenIdentifierTable } from '../generators/hidden-identifier-table';
import { trainCli } from './pipeline-cli';

const t = hiddenIdentifierTable();
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hidden-id-'));
  file = path.join(dir, 'churn.csv');
  await fs.writeFile(file, t.csv);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('hidden identifiers (library)', () => {
  it('types row numbers, monotone integers, the saved index and an id copy as identifiers', () => {
    const schema = inferSchema(readTableSync(file), { target: t.target });
    const byName = new Map(schema.columns.map((c) => [c.name, c]));
    for (const c of t.identifiers) expect(byName.get(c)).toMatchObject({ type: 'identifier', role: 'id' });
    for (const c of t.features) expect(byName.get(c)!.role).toBe('feature');
  });

  it('keeps a shuffled unique integer column that repeats no identifier as a feature', () => {
    const schema = inferSchema(readTableSync(file).select('account_number', 'tenure', 'churn'), { target: 'churn' });
    expect(schema.columns.find((c) => c.name === 'account_number')!.role).toBe('feature');
  });
});

describe('hidden identifiers (CLI)', () => {
  it('trains on the customers, not on the row order', async () => {
    const { runDir } = await trainCli([
      '--data',
      file,
      '--target',
      t.target,
      '--models',
      'logistic',
      '--trials',
      '0',
      '--out',
      path.join(dir, 'runs'),
    ]);
    const metrics = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8')) as {
      features: { names: string[] };
    };
    const names = metrics.features.names;
    for (const c of t.identifiers) expect(names.filter((n) => n === c || n.startsWith(`${c}=`))).toEqual([]);
    for (const c of t.features) expect(names.some((n) => n.startsWith(c))).toBe(true);
  }, 300_000);
});
