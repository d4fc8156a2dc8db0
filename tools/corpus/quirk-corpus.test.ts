/**
 * The quirk corpus, end to end: each generated table goes through `pipeline train` -> bundle ->
 * `pipeline predict` -> the API, and every column must be typed the same way at training, in batch
 * scoring and by the API (same typed values, same probabilities); a really bad value is rejected
 * with a reason that names its row, column, value and what was expected.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ColumnTable } from 'arquero';
import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import { readTable } from '@campaign-ml/ingest';
import { coerceToSchema } from '@campaign-ml/schema';
import { csv, quirkTables, type QuirkTable } from '../generators/quirk-tables';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(root, 'apps/pipeline/src/main.ts');

async function pipeline(args: string[]): Promise<string> {
  const { stdout } = await run(tsx, [main, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** A free loopback port (the OS picks one; the API is started on it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The API as users run it (`apps/api/src/main.ts`), serving `bundleFile`; resolves once /readyz answers. */
async function startApi(bundleFile: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const env = {
    ...process.env,
    MODEL_PATH: bundleFile,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MAX_BATCH: '1000',
  };
  const child: ChildProcess = spawn(tsx, [path.join(root, 'apps/api/src/main.ts')], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the API did not become ready within 60 s');
}

/** A value as JSON carries it: dates as ISO text, everything else as it is. */
const jsonValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
/** A value to compare: Dates by their time, so typed tables compare by content. */
const comparable = (v: unknown) => (v instanceof Date ? `date:${v.getTime()}` : v);

function rowsOf(table: ColumnTable): Record<string, unknown>[] {
  const names = table.columnNames();
  const cols = names.map((n) => table.array(n) as ArrayLike<unknown>);
  return Array.from({ length: table.numRows() }, (_, r) => Object.fromEntries(names.map((n, c) => [n, cols[c][r]])));
}

function columnsOf(table: ColumnTable): Record<string, unknown[]> {
  return Object.fromEntries(
    table.columnNames().map((n) => [n, Array.from(table.array(n) as ArrayLike<unknown>, comparable)]),
  );
}

function withBadCell(q: QuirkTable): string {
  const { row, column, value } = q.bad!;
  const col = q.header.indexOf(column);
  return csv(
    q.header,
    q.rows.map((cells, i) => (i === row - 1 ? cells.map((c, j) => (j === col ? value : c)) : cells)),
    q.delimiter,
  );
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quirk-corpus-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe.each(quirkTables().map((q) => [q.name, q] as const))('quirk table %s', (name, q) => {
  let doc: BundleDocument;
  let bundle: Bundle;
  let text: ColumnTable;
  const file = () => path.join(dir, `${name}.csv`);

  beforeAll(async () => {
    await fs.writeFile(file(), q.csv);
    const out = await pipeline([
      'train',
      '--data',
      file(),
      '--target',
      q.target,
      '--models',
      'gradientBoosting',
      '--trials',
      '0',
      '--no-ensemble',
      '--no-tracking',
      '--out',
      path.join(dir, `${name}-runs`),
      '--json',
    ]);
    const { runDir } = JSON.parse(out) as { runDir: string };
    doc = JSON.parse(await fs.readFile(path.join(runDir, 'bundle.json'), 'utf8')) as BundleDocument;
    bundle = Bundle.fromJSON(doc);
    text = await readTable(file(), { asText: true });
  }, 180_000);

  it(`trains, and types each column as expected (${q.about})`, () => {
    const types = Object.fromEntries(doc.schema.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject(q.types);
  });

  it('types every value the same way at training, in batch scoring and by the API', () => {
    const features = { ...doc.schema, columns: doc.schema.columns.filter((c) => c.role !== 'target') };
    const atTraining = coerceToSchema(text.select(features.columns.map((c) => c.name)), features);
    const atScoring = bundle.validator().table(text);
    expect(atScoring.problems).toEqual([]);
    const scored = atScoring.table.select(features.columns.map((c) => c.name));
    expect(columnsOf(scored)).toEqual(columnsOf(atTraining));
    const records = rowsOf(scored).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)])));
    const byApi = bundle.validator().records(records);
    expect(byApi.problems).toEqual([]);
    expect(columnsOf(byApi.table)).toEqual(columnsOf(scored));
  });

  it('scores the same probabilities through predict and the API', async () => {
    const preds = path.join(dir, `${name}-predictions.csv`);
    const bundleFile = path.join(dir, `${name}-bundle.json`);
    await fs.writeFile(bundleFile, JSON.stringify(doc));
    await pipeline([
      'predict',
      '--bundle',
      bundleFile,
      '--data',
      file(),
      '--out',
      preds,
      '--rejects',
      path.join(dir, `${name}-rejects.csv`),
      '--quiet',
    ]);
    const batch = await readTable(preds);
    expect(batch.numRows()).toBe(text.numRows());

    const typed = bundle.validator().table(text).table;
    const inputs = new Set(bundle.requiredColumns);
    const records = rowsOf(typed).map((r) =>
      Object.fromEntries(
        Object.entries(r)
          .filter(([k]) => inputs.has(k) || r[k] !== null)
          .map(([k, v]) => [k, jsonValue(v)]),
      ),
    );
    const api = await startApi(bundleFile);
    try {
      const res = await fetch(`${api.url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { predictions: unknown };
      const predictions = body.predictions as { label: string | number; probabilities?: Record<string, number> }[];
      if (doc.target.classes) {
        for (const c of doc.target.classes) {
          expect(predictions.map((p) => p.probabilities![c])).toEqual(
            Array.from(batch.array(`p_${c}`) as ArrayLike<number>),
          );
        }
      } else {
        expect(predictions.map((p) => p.label)).toEqual(Array.from(batch.array('prediction') as ArrayLike<number>));
      }
    } finally {
      api.stop();
    }
  }, 120_000);

  it('rejects a really bad value, naming row, column, value and what was expected', async () => {
    const bad = q.bad!;
    const badFile = path.join(dir, `${name}-bad.csv`);
    await fs.writeFile(badFile, withBadCell(q));
    const bundleFile = path.join(dir, `${name}-bundle-bad.json`);
    await fs.writeFile(bundleFile, JSON.stringify(doc));
    const rejects = path.join(dir, `${name}-bad-rejects.csv`);
    await pipeline([
      'predict',
      '--bundle',
      bundleFile,
      '--data',
      badFile,
      '--out',
      path.join(dir, `${name}-bad.csv.out`),
      '--rejects',
      rejects,
      '--quiet',
    ]);
    const r = await readTable(rejects);
    expect(r.array('row')).toEqual([bad.row]);
    const reason = (r.array('reasons') as string[])[0];
    expect(reason).toContain(`column "${bad.column}"`);
    expect(reason).toContain(JSON.stringify(bad.value));
    expect(reason).toContain(`expected ${bad.expected}`);
    expect(reason).toContain(`(row ${bad.row})`);
  }, 120_000);
});
