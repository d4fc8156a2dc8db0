/**
 * Issue 12, item 5: batch scoring never sinks on one bad row. Ragged lines (too many or too few
 * fields), a quote never closed and bad UTF-8 go to the rejects naming their line; the rest is scored.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTableChunks, readTableSync } from '@campaign-ml/ingest';
import { brokenBatch } from '../generators/broken-batch';
import { insuranceTable } from '../generators/insurance-table';
import { csv } from '../generators/quirk-tables';
import { pipelineCli, trainCli } from './pipeline-cli';

const t = insuranceTable(45, 400);
const batch = brokenBatch(t.header, t.rows, 40);
let dir: string;
let bundleFile: string;
let file: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'broken-batch-'));
  file = path.join(dir, 'batch.csv');
  await fs.writeFile(file, batch.bytes);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('unreadable rows (library: ingest)', () => {
  it("collects each broken line as a null row naming its line, and reads every other row (badRows: 'collect')", async () => {
    const bad: { line: number; code: string; message: string; row: number }[] = [];
    let rows = 0;
    for await (const c of readTableChunks(file, { chunkRows: 64, badRows: 'collect' })) {
      bad.push(...(c.badRows ?? []));
      rows += c.table.numRows();
      for (const b of c.badRows ?? []) expect(c.table.get('age', b.row - c.offset)).toBeNull();
    }
    expect(rows).toBe(batch.rows);
    expect(bad.map(({ line, code }) => ({ line, code }))).toEqual(batch.broken);
    for (const b of bad) {
      expect(b.message).toContain(`line ${b.line}`);
      expect(b.row).toBe(b.line - 2);
    }
  });

  it('still fails by default, naming the first broken line', () => {
    expect(() => readTableSync(file)).toThrow(/line \d+/);
  });
});

describe('unreadable rows (CLI: predict)', () => {
  it('scores every good row and rejects each broken one with its line', async () => {
    const train = path.join(dir, 'train.csv');
    await fs.writeFile(train, t.csv);
    const { runDir } = await trainCli([
      '--data',
      train,
      '--target',
      t.target,
      '--models',
      'gradientBoosting',
      '--trials',
      '0',
      '--out',
      path.join(dir, 'runs'),
    ]);
    const out = path.join(dir, 'predictions.csv');
    const rejects = path.join(dir, 'rejects.csv');
    const bundle = path.join(runDir, 'bundle.json');
    const args = ['predict', '--bundle', bundle, '--data', file, '--out', out, '--rejects', rejects, '--quiet'];
    const { stdout } = await pipelineCli([...args, '--chunk-rows', '100']);
    const good = batch.rows - batch.broken.length;
    expect(stdout).toMatch(new RegExp(`^${good} of ${batch.rows} rows scored`));
    const rejected = readTableSync(rejects, { asText: true }).objects() as { row: string; reasons: string }[];
    expect(rejected.map((r) => Number(r.row))).toEqual(batch.broken.map((b) => b.line - 1));
    rejected.forEach((r, i) => expect(r.reasons).toContain(`line ${batch.broken[i].line}`));
    const scored = readTableSync(out).array('row') as ArrayLike<number>;
    expect(scored.length).toBe(good);
    bundleFile = bundle;
  }, 300_000);

  it('flags an age of -5 in the warnings column, or rejects it with --out-of-range reject', async () => {
    const rows = t.rows.slice(0, 20).map((r) => [...r]);
    rows[3][0] = -5;
    rows[7][0] = 250;
    const implausible = path.join(dir, 'implausible.csv');
    await fs.writeFile(implausible, csv(t.header, rows));
    const out = path.join(dir, 'warned.csv');
    const rejects = path.join(dir, 'warned-rejects.csv');
    const base = ['predict', '--bundle', bundleFile, '--data', implausible, '--rejects', rejects, '--quiet'];
    const warned = await pipelineCli([...base, '--out', out]);
    expect(warned.stdout).toMatch(/^20 of 20 rows scored .*; 2 scored with a value far outside the training range/);
    const w = readTableSync(out, { asText: true });
    const warnings = w.array('warnings') as (string | null)[];
    expect(warnings[3]).toMatch(/"age" -5 is far outside the training range 18\.\.64/);
    expect(warnings[7]).toMatch(/"age" 250/);
    expect(warnings.filter((x) => x)).toHaveLength(2);
    const strict = await pipelineCli([...base, '--out', path.join(dir, 'strict.csv'), '--out-of-range', 'reject']);
    expect(strict.stdout).toMatch(/^18 of 20 rows scored .*; 2 rejected/);
    const rejected = readTableSync(rejects, { asText: true }).objects() as { row: string; reasons: string }[];
    expect(rejected.map((r) => r.row)).toEqual(['4', '8']);
    expect(rejected[0].reasons).toMatch(/"age" -5/);
  }, 120_000);
});
