import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { readBundle } from '@campaign-ml/bundle/node';
import { AbortError, ConfigError } from '@campaign-ml/core';
import { readDatabase, readTable, writeDatabase } from '@campaign-ml/ingest';
import { parseConfig } from '../config';
import { Progress } from '../progress';
import { splitValid } from '../row-validator';
import { train } from '../train/train';
import { scorePartitioned } from '../queue/partitioned-predict';
import { scoreFile, type ScoreOptions } from './predict';

const root = path.resolve(__dirname, '../../../..');
const sample = path.join(root, 'data/kickstarter-sample.csv');
const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(__dirname, '../main.ts'), ...args],
      { cwd: root },
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The PostgreSQL test server, found before tests are collected (as ingest's PostgreSQL tests do). */
function findServer(): string | undefined {
  const candidates = process.env.CAMPAIGN_ML_PG_URL
    ? [process.env.CAMPAIGN_ML_PG_URL]
    : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  const script = `const { Client } = require('pg');
    (async () => { for (const url of ${JSON.stringify(candidates)}) {
      const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      try { await c.connect(); await c.end(); process.stdout.write(url); return; } catch {}
    } })();`;
  try {
    return (
      execFileSync(process.execPath, ['-e', script], { cwd: __dirname, timeout: 15000, encoding: 'utf8' }) || undefined
    );
  } catch {
    return undefined;
  }
}
const pgUrl = findServer();
if (!pgUrl && process.env.CI) {
  it('needs a reachable PostgreSQL server in CI', () => {
    throw new Error('PostgreSQL is unreachable on 127.0.0.1:5432 (database test)');
  });
}

/** A progress that aborts the run once `rows` rows are reported done, as Ctrl-C would mid-run. */
function stopAfter(rows: number, reason = 'stop'): { controller: AbortController; progress: Progress } {
  const controller = new AbortController();
  const progress = new (class extends Progress {
    override tick(done: number, total: number, detail?: string) {
      super.tick(done, total, detail);
      if (done >= rows) controller.abort(new AbortError(reason));
    }
  })('quiet');
  return { controller, progress };
}

let dir: string;
let bundle: string;
/** The sample's first 300 rows with bad values in three rows near 3, 77 and 251 (in three chunks of 100 rows). */
let input: string;
const BAD_ROWS: number[] = [];
const quiet = () => new Progress('quiet');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-score-'));
  const cfg = parseConfig({
    data: sample,
    target: 'state',
    positive: 'successful',
    excludeLabels: ['canceled', 'live'],
    models: ['dummy', 'logistic'],
    tuning: { trials: 0 },
    tracking: { enabled: false },
    ensemble: { enabled: false },
  });
  const result = await train(cfg, quiet());
  bundle = path.join(dir, 'bundle.json');
  await fs.writeFile(bundle, JSON.stringify(result.bundle));
  const lines = (await fs.readFile(sample, 'utf8')).split('\n').slice(0, 301);
  const header = lines[0].split(',');
  const set = (row: number, column: string, value: string) => {
    const cells = lines[row].split(',');
    cells[header.indexOf(column)] = value;
    lines[row] = cells.join(',');
  };
  // Data row r is lines[r]; pick rows without quoted fields so that splitting on commas is safe.
  for (const near of [3, 77, 251]) {
    let r = near;
    while (lines[r].includes('"')) r++;
    BAD_ROWS.push(r);
  }
  set(BAD_ROWS[0], 'goal', 'lots');
  set(BAD_ROWS[1], 'launched_at', 'someday');
  set(BAD_ROWS[2], 'country', 'Atlantis');
  input = path.join(dir, 'new.csv');
  await fs.writeFile(input, `${lines.join('\n')}\n`);
}, 180_000);
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const files = async () => (await fs.readdir(dir)).sort();
const score = (o: Partial<ScoreOptions>) => scoreFile({ bundle, ...o } as ScoreOptions, quiet());

describe('predict from a CSV, in chunks', () => {
  it('gives the same predictions and rejects (same row numbers) one row, 100 rows or all rows at a time', async () => {
    const outs: string[] = [];
    for (const chunkRows of [100_000, 100, 1]) {
      const out = path.join(dir, `pred-${chunkRows}.csv`);
      const rejects = path.join(dir, `rej-${chunkRows}.csv`);
      const s = await score({ data: input, out, rejects, chunkRows });
      expect(s).toEqual({ rows: 300, scored: 297, rejected: 3, out, rejects, warned: 0 });
      const rej = await fs.readFile(rejects, 'utf8');
      expect(
        rej
          .trim()
          .split('\n')
          .map((l) => l.split(',')[0]),
      ).toEqual(['row', ...BAD_ROWS.map(String)]);
      const [a, b, c] = BAD_ROWS;
      const reasons = (await readTable(rejects)).array('reasons') as string[];
      expect(reasons[0]).toBe(`column "goal" expected a number, found "lots" (row ${a})`);
      expect(reasons[1]).toMatch(
        new RegExp(`^column "launched_at" expected a date.*, found "someday" \\(row ${b}\\)$`),
      );
      expect(reasons[2]).toMatch(
        new RegExp(`^column "country" has category "Atlantis" not seen in training \\(row ${c}\\)`),
      );
      outs.push((await fs.readFile(out, 'utf8')) + rej);
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    const pred = outs[0].split('\n');
    expect(pred[0]).toBe('row,id,prediction,p_failed,p_successful,warnings');
    expect(pred.slice(1, 4).map((l) => l.split(',')[0])).toEqual(['1', '2', ...(BAD_ROWS[0] === 3 ? ['4'] : ['3'])]);
    expect((await files()).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('scores rows as the whole-file reader types them', async () => {
    const out = path.join(dir, 'sample-pred.csv');
    await score({ data: sample, out, rejects: path.join(dir, 'none.csv'), chunkRows: 333 });
    const csv = await readTable(out);
    expect(csv.numRows()).toBe(4000);
    const whole = await readTable(sample);
    const b = await readBundle(bundle);
    const { good } = splitValid(whole, b, 'reject');
    const scores = b.scoreTable(good.table);
    const p = csv.array('p_successful') as number[];
    for (let i = 0; i < p.length; i += 97) expect(p[i]).toBe(scores[i * 2 + 1]);
  }, 60_000);

  it('an interrupted run leaves no output, no rejects and no temp file', async () => {
    const { controller, progress } = stopAfter(200, 'interrupted by the test');
    const before = await files();
    const out = path.join(dir, 'interrupted.csv');
    await expect(
      scoreFile(
        {
          bundle,
          data: input,
          out,
          rejects: path.join(dir, 'interrupted-rej.csv'),
          chunkRows: 50,
          signal: controller.signal,
        },
        progress,
      ),
    ).rejects.toThrow(/interrupted by the test/);
    expect(await files()).toEqual(before);
  });

  it('says which input is wrong, and that exactly one of --data and --db is needed', async () => {
    await expect(score({})).rejects.toThrow(ConfigError);
    await expect(score({})).rejects.toThrow(/no input: give --data <file> or --db <url>/);
    await expect(score({ data: input, db: 'x.db', table: 't' })).rejects.toThrow(
      /either --data <file> or --db <url>, not both/,
    );
    await expect(score({ db: 'x.db' })).rejects.toThrow(/needs exactly one of --table <name> or --query/);
    await expect(score({ data: input, outTable: 'p' })).rejects.toThrow(/--out-table needs a database: give --out-db/);
    await expect(score({ data: path.join(dir, 'missing.csv') })).rejects.toThrow(/cannot open ".*missing\.csv"/);
  });

  it('exits with 2 and a message naming the table, the file or the URL', async () => {
    const db = path.join(dir, 'errors.db');
    await writeDatabase((await readTable(input)).slice(0, 5), { path: db, table: 'campaigns' });
    const r = await cli(['predict', '--bundle', bundle, '--db', `sqlite:${db}`, '--table', 'campaign', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/table "campaign" does not exist in SQLite database ".*errors\.db" \(it has: campaigns\)/);
    const r2 = await cli(['predict', '--bundle', bundle, '--db', 'mysql://me:secret@h/db', '--table', 't', '--quiet']);
    expect([r2.code, r2.stderr]).toEqual([
      2,
      expect.stringMatching(/unsupported database URL "mysql:\/\/\*\*\*@h\/db"/),
    ]);
    const r3 = await cli(['predict', '--bundle', bundle, '--quiet']);
    expect([r3.code, r3.stderr]).toEqual([2, expect.stringMatching(/no input: give --data <file> or --db <url>/)]);
    const r4 = await cli([
      'predict',
      '--bundle',
      bundle,
      '--db',
      `sqlite:${path.join(dir, 'nowhere.db')}`,
      '--table',
      't',
      '--quiet',
    ]);
    expect([r4.code, r4.stderr]).toEqual([2, expect.stringMatching(/cannot open SQLite database ".*nowhere\.db"/)]);
    expect((await files()).filter((f) => /^(predictions|rejects)\.csv/.test(f))).toEqual([]);
  }, 60_000);
});

describe('predict from SQLite', () => {
  it('scores a query into a table (and the rejects into another), the same as from the CSV', async () => {
    const db = path.join(dir, 'campaigns.db');
    // Stored as the CSV reads them typed (numbers, booleans, dates), bad values as text in their columns.
    const typed = await readTable(input, { columnTypes: { goal: 'string', launched_at: 'string', country: 'string' } });
    await writeDatabase(typed, { path: db, table: 'campaigns' });
    const s = await score({
      db: `sqlite:${db}`,
      query: 'SELECT * FROM campaigns ORDER BY rowid',
      outTable: 'predictions',
      rejectsTable: 'rejects',
      chunkRows: 64,
    });
    expect(s).toMatchObject({
      rows: 300,
      scored: 297,
      rejected: 3,
      out: expect.stringMatching(/table predictions in sqlite:/),
      rejects: expect.stringMatching(/table rejects in/),
    });
    const pred = await readDatabase({ path: db, table: 'predictions' });
    const csv = await readTable(path.join(dir, 'pred-100.csv'));
    expect(pred.columnNames()).toEqual(['row', 'id', 'prediction', 'p_failed', 'p_successful', 'warnings']);
    expect(pred.array('row')).toEqual(csv.array('row'));
    expect(pred.array('id')).toEqual((csv.array('id') as number[]).map(String));
    expect(pred.array('prediction')).toEqual(csv.array('prediction'));
    expect(pred.array('p_successful')).toEqual(csv.array('p_successful'));
    expect((await readDatabase({ path: db, table: 'rejects' })).array('row')).toEqual(BAD_ROWS);

    // The table exists now: fail by default (before anything is scored), replace or append on request.
    await expect(
      score({ db: `sqlite:${db}`, table: 'campaigns', outTable: 'predictions', rejectsTable: 'rejects' }),
    ).rejects.toThrow(/table "predictions" already exists/);
    await score({
      db: db,
      table: 'campaigns',
      outTable: 'predictions',
      rejectsTable: 'rejects',
      ifExists: 'append',
      chunkRows: 1000,
    });
    expect((await readDatabase({ path: db, table: 'predictions' })).numRows()).toBe(594);
    await score({
      db: db,
      table: 'campaigns',
      outTable: 'predictions',
      ifExists: 'replace',
      rejects: path.join(dir, 'sqlite-rej.csv'),
      out: path.join(dir, 'sqlite-pred.csv'),
    });
    expect((await readDatabase({ path: db, table: 'predictions' })).numRows()).toBe(297);
    expect(await fs.readFile(path.join(dir, 'sqlite-pred.csv'), 'utf8')).toBe(
      await fs.readFile(path.join(dir, 'pred-100.csv'), 'utf8'),
    );
    const tables = await readDatabase({
      path: db,
      query: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    });
    expect(tables.array('name')).toEqual(['campaigns', 'predictions', 'rejects']);
  });

  it('an interrupted run into a table leaves no table and no staging table', async () => {
    const db = path.join(dir, 'campaigns.db');
    const { controller, progress } = stopAfter(0);
    await expect(
      scoreFile(
        {
          bundle,
          db,
          table: 'campaigns',
          outTable: 'stopped',
          rejectsTable: 'stopped_rejects',
          chunkRows: 10,
          signal: controller.signal,
        },
        progress,
      ),
    ).rejects.toThrow(AbortError);
    const tables = await readDatabase({
      path: db,
      query: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    });
    expect(tables.array('name')).toEqual(['campaigns', 'predictions', 'rejects']);
  });
});

(pgUrl ? describe : describe.skip)('predict from PostgreSQL', () => {
  const url = pgUrl as string;
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const names = {
    input: `cml_predict_in_${suffix}`,
    out: `cml_predict_out_${suffix}`,
    rejects: `cml_predict_rej_${suffix}`,
  };
  let admin: Client;
  const ours = async () =>
    (
      await admin.query<{ t: string }>(
        "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1 ORDER BY 1",
        [`%${suffix}%`],
      )
    ).rows.map((r) => r.t);
  beforeAll(async () => {
    admin = new Client({ connectionString: url });
    await admin.connect();
    const typed = await readTable(input, { columnTypes: { goal: 'string', launched_at: 'string', country: 'string' } });
    await writeDatabase(typed, { url, table: names.input });
  });
  afterAll(async () => {
    for (const t of await ours()) await admin.query(`DROP TABLE "${t}"`);
    await admin.end();
  });

  it('scores a table into a table in the same database, and to CSV, the same as from the CSV file', async () => {
    const s = await score({
      db: url,
      table: names.input,
      outTable: names.out,
      rejectsTable: names.rejects,
      chunkRows: 70,
    });
    expect(s).toMatchObject({ rows: 300, scored: 297, rejected: 3 });
    const pred = await readDatabase({ url, query: `SELECT * FROM "${names.out}" ORDER BY row` });
    const csv = await readTable(path.join(dir, 'pred-100.csv'));
    expect(pred.array('row')).toEqual(csv.array('row'));
    expect(pred.array('p_successful')).toEqual(csv.array('p_successful'));
    expect(pred.array('prediction')).toEqual(csv.array('prediction'));
    expect(
      (await readDatabase({ url, query: `SELECT row, reasons FROM "${names.rejects}" ORDER BY row` })).array('row'),
    ).toEqual(BAD_ROWS);
    const out = path.join(dir, 'pg-pred.csv');
    await score({
      db: url,
      query: `SELECT * FROM "${names.input}" ORDER BY id`,
      out,
      rejects: path.join(dir, 'pg-rej.csv'),
      chunkRows: 1000,
    });
    const fromQuery = await readTable(out);
    expect(fromQuery.numRows()).toBe(297);
    expect(new Set(fromQuery.array('id') as number[])).toEqual(new Set(csv.array('id') as number[]));
    expect(await ours()).toEqual([names.input, names.out, names.rejects].sort());
  });

  it('an interrupted run rolls back; a missing table is named', async () => {
    const { controller, progress } = stopAfter(0);
    await expect(
      scoreFile(
        { bundle, db: url, table: names.input, outTable: `${names.out}_x`, chunkRows: 10, signal: controller.signal },
        progress,
      ),
    ).rejects.toThrow(AbortError);
    await expect(score({ db: url, table: `nope_${suffix}`, outTable: `${names.out}_y` })).rejects.toThrow(
      `table "nope_${suffix}" does not exist in the PostgreSQL database`,
    );
    expect(await ours()).toEqual([names.input, names.out, names.rejects].sort());
  });

  it('scored in parts (--partitions) into tables of the same database: the tables unpartitioned scoring writes', async () => {
    const out = path.join(dir, 'pg-parts', 'predictions.csv');
    const tables = { outTable: `${names.out}_parts`, rejectsTable: `${names.rejects}_parts` };
    const s = await scorePartitioned(
      { bundle, db: url, table: names.input, out, ...tables, partitions: 3, chunkRows: 70 },
      quiet(),
    );
    expect(s).toMatchObject({ rows: 300, scored: 297, rejected: 3 });
    expect(s.out).toBe(`${out} and table ${tables.outTable} in ${url.replace(/\/\/[^@/]*@/, '//***@')}`);
    const all = (t: string) => readDatabase({ url, query: `SELECT * FROM "${t}" ORDER BY row` });
    const [whole, parts] = [await all(names.out), await all(tables.outTable)];
    expect(parts.columnNames()).toEqual(whole.columnNames());
    for (const c of whole.columnNames()) expect(parts.array(c)).toEqual(whole.array(c));
    expect((await all(tables.rejectsTable)).objects()).toEqual((await all(names.rejects)).objects());
  });
});
