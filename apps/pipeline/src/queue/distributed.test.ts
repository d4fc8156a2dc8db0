import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { createMatrix } from '@campaign-ml/core';
import { readDatabase, readTable, writeDatabase } from '@campaign-ml/ingest';
import { parseConfig, type PipelineConfigInput } from '../config';
import { scoreFile } from '../commands/predict';
import { Progress } from '../progress';
import { train, type TrainResult } from '../train/train';
import { redisConnection } from './connection';
import { scorePartitioned } from './partitioned-predict';
import { QueueCv, type FoldJobResult } from './queue-cv';

// Distributed tuning and partitioned scoring against the real Redis on 127.0.0.1:6379, with real
// `pipeline worker` processes. The file has its own BullMQ prefix and removes its keys after; the
// workers are started once and shared by the tests, in order (each worker process costs seconds).

const URL = process.env.CAMPAIGN_ML_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = path.join(__dirname, '../main.ts');
const ROOT = path.resolve(__dirname, '../../../..');
const SAMPLE = path.resolve(__dirname, '../../../../data/kickstarter-sample.csv');

function redisReachable(): boolean {
  const { port, hostname } = new globalThis.URL(URL);
  const probe = `require('net').connect(${Number(port || 6379)}, ${JSON.stringify(hostname)})
    .on('connect', () => process.exit(0)).on('error', () => process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 5000 }).status === 0;
}
const up = redisReachable();
if (!up && (process.env.CI === 'true' || process.env.CI === '1')) {
  it('needs Redis in CI', () => {
    throw new Error(`Redis is unreachable at ${URL}`);
  });
}
const suite = up ? describe : describe.skip;

/** A `pipeline worker` process, its output lines, and a way to wait for one. */
interface WorkerProcess {
  proc: ChildProcess;
  lines: string[];
  waitFor(re: RegExp, ms?: number): Promise<string>;
}

const started: WorkerProcess[] = [];

function startWorker(prefix: string, env: Record<string, string> = {}): WorkerProcess {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'worker',
      '--queue',
      URL,
      '--queue-prefix',
      prefix,
      '--lock-ms',
      '1500',
      '--stalled-ms',
      '500',
    ],
    // `--import tsx` resolves from the workspace root; SIGKILL then reaches the worker itself (not a tsx launcher).
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.splice(0))
        if (w.re.test(line)) w.resolve(line);
        else waiters.push(w);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`));
  const w: WorkerProcess = {
    proc,
    lines,
    waitFor: (re, ms = 30_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker never printed ${re}: ${lines.join('\n')}`)), ms);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
  started.push(w);
  return w;
}

async function stopWorkers(): Promise<void> {
  for (const w of started.splice(0)) {
    if (w.proc.exitCode !== null || w.proc.signalCode !== null) continue;
    const exited = new Promise((r) => w.proc.once('exit', r));
    w.proc.kill('SIGKILL');
    await exited;
  }
}

async function cleanRedis(prefix: string): Promise<void> {
  const connection = redisConnection(URL);
  for (const name of ['folds', 'score']) {
    const q = new Queue(name, { connection, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  // Anything else under the prefix (a trial queue left by a failed test).
  const IORedis = (await import('ioredis')).default;
  const redis = new IORedis(URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

const quiet = () => new Progress('quiet');
let dir: string;
/** The sample's first 400 rows: enough for 3 folds, small enough for fits of milliseconds. */
let data: string;
/** 250 further rows, one with a goal that is not a number (a reject). */
let input: string;
let bundle: string;

const config = (extra: Partial<PipelineConfigInput> = {}) =>
  parseConfig({
    data,
    target: 'state',
    positive: 'successful',
    excludeLabels: ['canceled', 'live'],
    models: ['logistic'],
    tuning: { trials: 4, folds: 3 },
    tracking: { enabled: false },
    ensemble: { enabled: false },
    out: dir,
    ...extra,
  });

/** What a run computed, without its timings: must be identical wherever the folds ran. */
function computed(r: TrainResult) {
  const m = r.metrics;
  return {
    best: m.best,
    models: m.models.map((x) => ({
      ...x,
      baseline: { ...x.baseline, fitMs: 0 },
      tuned: x.tuned && { ...x.tuned, trials: x.tuned.trials.map((t) => ({ ...t, durationMs: 0 })) },
    })),
  };
}

beforeAll(async () => {
  process.env.CAMPAIGN_ML_WORKERS = '1';
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-queue-'));
  const lines = (await fs.readFile(SAMPLE, 'utf8')).split('\n');
  data = path.join(dir, 'campaigns.csv');
  await fs.writeFile(data, `${lines.slice(0, 401).join('\n')}\n`);
  const r = await train(config({ tuning: { trials: 0, folds: 3 } }), quiet());
  bundle = path.join(dir, 'bundle.json');
  await fs.writeFile(bundle, JSON.stringify(r.bundle));
  const rows = [lines[0], ...lines.slice(401, 651)];
  const header = rows[0].split(',');
  let bad = 40;
  while (rows[bad].includes('"')) bad++;
  const cells = rows[bad].split(',');
  cells[header.indexOf('goal')] = 'lots';
  rows[bad] = cells.join(',');
  input = path.join(dir, 'new.csv');
  await fs.writeFile(input, `${rows.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  await stopWorkers();
  await fs.rm(dir, { recursive: true, force: true });
});

/** predict without partitions: what every partitioned run must reproduce byte for byte. */
async function whole() {
  const out = path.join(dir, 'whole', 'predictions.csv');
  const rejects = path.join(dir, 'whole', 'rejects.csv');
  const s = await scoreFile({ bundle, data: input, out, rejects, chunkRows: 60 }, quiet());
  return { s, predictions: await fs.readFile(out, 'utf8'), rejects: await fs.readFile(rejects, 'utf8') };
}

describe('partitioned scoring, parts run here in turn', () => {
  afterEach(() => {
    delete process.env.CAMPAIGN_ML_TEST_FAIL_PART;
  });

  it('parts add up to the input rows, an interrupted run resumes with the unfinished part only, and the result equals unpartitioned scoring', async () => {
    const reference = await whole();
    const { rows, scored, rejected } = reference.s;
    expect(rows).toBe(250);
    expect(rejected).toBeGreaterThanOrEqual(1);
    const out = path.join(dir, 'local', 'predictions.csv');
    const rejects = path.join(dir, 'local', 'rejects.csv');
    const opts = { bundle, data: input, out, rejects, partitions: 4, chunkRows: 60 };

    process.env.CAMPAIGN_ML_TEST_FAIL_PART = '2';
    await expect(scorePartitioned(opts, quiet())).rejects.toThrow(/1 of 4 parts failed .*part 3 \(rows 127-189\)/);
    await expect(fs.access(out)).rejects.toThrow();
    const partDir = `${out}.parts`;
    const doneFiles = (await fs.readdir(partDir)).filter((f) => f.endsWith('.done.json')).sort();
    expect(doneFiles).toEqual(['part-0000.done.json', 'part-0001.done.json', 'part-0003.done.json']);
    const before = await fs.stat(path.join(partDir, 'part-0000.predictions.csv'));

    delete process.env.CAMPAIGN_ML_TEST_FAIL_PART;
    const s = await scorePartitioned(opts, quiet());
    expect(s).toMatchObject({ rows, scored, rejected, partitions: 4, skipped: 3 });
    expect(scored + rejected).toBe(250);
    expect((await fs.stat(path.join(partDir, 'part-0000.predictions.csv'))).mtimeMs).toBe(before.mtimeMs);
    const manifest = JSON.parse(await fs.readFile(s.manifest, 'utf8'));
    expect(manifest.input.rows).toBe(250);
    expect(manifest.parts.map((p: { done: { rows: number } }) => p.done.rows)).toEqual([63, 63, 63, 61]);
    expect(manifest.completed).toMatchObject({ scored, rejected });
    expect(await fs.readFile(out, 'utf8')).toBe(reference.predictions);
    expect(await fs.readFile(rejects, 'utf8')).toBe(reference.rejects);
    // Once more: everything is finished, nothing is scored again.
    expect((await scorePartitioned(opts, quiet())).skipped).toBe(4);
  }, 30_000);

  it('--part i scores one part, as the pods of an Indexed Job do side by side; a last run joins them, equal to unpartitioned scoring', async () => {
    const reference = await whole();
    const out = path.join(dir, 'indexed', 'predictions.csv');
    const rejects = path.join(dir, 'indexed', 'rejects.csv');
    const opts = { bundle, data: input, out, rejects, partitions: 3, chunkRows: 60 };
    // Three "pods" at once: each plans (the same plan), none deletes another's part, none joins.
    const parts = await Promise.all([0, 1, 2].map((part) => scorePartitioned({ ...opts, part }, quiet())));
    expect(parts.map((p) => [p.part, p.rows, p.skipped])).toEqual([
      [0, 84, 0],
      [1, 84, 0],
      [2, 82, 0],
    ]);
    await expect(fs.access(out)).rejects.toThrow();
    // A pod restarted after its part finished does nothing.
    expect((await scorePartitioned({ ...opts, part: 1 }, quiet())).skipped).toBe(1);
    const joined = await scorePartitioned(opts, quiet());
    expect(joined).toMatchObject({ rows: 250, skipped: 3, scored: reference.s.scored, rejected: reference.s.rejected });
    expect(await fs.readFile(out, 'utf8')).toBe(reference.predictions);
    expect(await fs.readFile(rejects, 'utf8')).toBe(reference.rejects);
    // A pod of another plan (other --partitions) refuses to touch these parts; --part is checked.
    await expect(scorePartitioned({ ...opts, partitions: 4, part: 0 }, quiet())).rejects.toThrow(/plans another run/);
    await expect(scorePartitioned({ ...opts, part: 3 }, quiet())).rejects.toThrow(
      /--part must be an integer from 0 to 2/,
    );
  }, 30_000);

  it('a database table is read once into a snapshot, partitioned like a CSV, equal to unpartitioned scoring of the table, and resumed on that snapshot', async () => {
    const db = path.join(dir, 'campaigns.db');
    // Stored as the CSV reads them typed (numbers, booleans, dates); the bad goal stays text.
    await writeDatabase(await readTable(input, { columnTypes: { goal: 'string' } }), { path: db, table: 'campaigns' });
    const from = { bundle, db: `sqlite:${db}`, query: 'SELECT * FROM campaigns ORDER BY rowid', chunkRows: 60 };
    const wholeOut = path.join(dir, 'db-whole', 'predictions.csv');
    const wholeRejects = path.join(dir, 'db-whole', 'rejects.csv');
    await fs.mkdir(path.dirname(wholeOut), { recursive: true });
    const reference = await scoreFile({ ...from, out: wholeOut, rejects: wholeRejects }, quiet());
    expect(reference.rows).toBe(250);
    const out = path.join(dir, 'db-parts', 'predictions.csv');
    const rejects = path.join(dir, 'db-parts', 'rejects.csv');
    const opts = { ...from, out, rejects, partitions: 3 };
    // A pod (--part) never reads the database: the snapshot is taken by a run without --part.
    await expect(scorePartitioned({ ...opts, part: 0 }, quiet())).rejects.toThrow(
      /run the same command without --part/,
    );

    process.env.CAMPAIGN_ML_TEST_FAIL_PART = '1';
    await expect(scorePartitioned(opts, quiet())).rejects.toThrow(/1 of 3 parts failed/);
    const manifest = JSON.parse(await fs.readFile(path.join(`${out}.parts`, 'manifest.json'), 'utf8'));
    expect(manifest.input).toMatchObject({ path: `${out}.snapshot.csv`, rows: 250, source: { db: `sqlite:${db}` } });
    // The table changes before the re-run: the run resumes on its snapshot, not on the new rows.
    await writeDatabase((await readTable(input, { columnTypes: { goal: 'string' } })).slice(0, 5), {
      path: db,
      table: 'campaigns',
      ifExists: 'append',
    });
    delete process.env.CAMPAIGN_ML_TEST_FAIL_PART;
    const s = await scorePartitioned(opts, quiet());
    expect(s).toMatchObject({ rows: 250, scored: reference.scored, rejected: reference.rejected, skipped: 2 });
    expect(await fs.readFile(out, 'utf8')).toBe(await fs.readFile(wholeOut, 'utf8'));
    const rowsOf = async (f: string) => (await readTable(f)).array('row');
    expect(await rowsOf(rejects)).toEqual(await rowsOf(wholeRejects));
  }, 30_000);

  it('database outputs: the joined parts are loaded into --out-table and --rejects-table, equal to unpartitioned scoring into tables; a re-run does not load them twice', async () => {
    const db = path.join(dir, 'outputs.db');
    const url = `sqlite:${db}`;
    const reference = await scoreFile(
      { bundle, data: input, outDb: url, outTable: 'whole', rejectsTable: 'whole_rejects', chunkRows: 60 },
      quiet(),
    );
    const out = path.join(dir, 'db-out', 'predictions.csv');
    await fs.mkdir(path.dirname(out), { recursive: true });
    const opts = {
      bundle,
      data: input,
      out,
      outDb: url,
      outTable: 'parts',
      rejectsTable: 'parts_rejects',
      chunkRows: 60,
    };
    process.env.CAMPAIGN_ML_TEST_FAIL_PART = '2';
    await expect(scorePartitioned({ ...opts, partitions: 3 }, quiet())).rejects.toThrow(/1 of 3 parts failed/);
    // Nothing is loaded until every part is done.
    await expect(readDatabase({ path: db, table: 'parts' })).rejects.toThrow(/parts/);
    delete process.env.CAMPAIGN_ML_TEST_FAIL_PART;
    const s = await scorePartitioned({ ...opts, partitions: 3 }, quiet());
    expect(s).toMatchObject({ rows: 250, scored: reference.scored, rejected: reference.rejected, skipped: 2 });
    expect(s.out).toBe(`${out} and table parts in ${url}`);
    expect(s.rejects).toBe(`table parts_rejects in ${url}`);
    const all = async (table: string) => readDatabase({ path: db, query: `SELECT * FROM ${table} ORDER BY row` });
    const [whole, parts] = [await all('whole'), await all('parts')];
    expect(parts.columnNames()).toEqual(whole.columnNames());
    for (const c of whole.columnNames()) expect(parts.array(c)).toEqual(whole.array(c));
    expect((await all('parts_rejects')).objects()).toEqual((await all('whole_rejects')).objects());
    // --out was asked for too: the same file unpartitioned scoring writes.
    const csvOut = path.join(dir, 'db-out', 'whole.csv');
    await scoreFile(
      { bundle, data: input, out: csvOut, rejects: path.join(dir, 'db-out', 'wr.csv'), chunkRows: 60 },
      quiet(),
    );
    expect(await fs.readFile(out, 'utf8')).toBe(await fs.readFile(csvOut, 'utf8'));
    // The same command again: every part and both tables are done (ifExists 'fail' is not tripped).
    const again = await scorePartitioned({ ...opts, partitions: 3 }, quiet());
    expect(again).toMatchObject({ skipped: 3, scored: reference.scored });
    expect((await all('parts')).numRows()).toBe(reference.scored);
    const manifest = JSON.parse(await fs.readFile(path.join(`${out}.parts`, 'manifest.json'), 'utf8'));
    expect(manifest.loaded).toEqual([`table parts_rejects in ${url}`, `table parts in ${url}`]);
    // A table needs a database to go to.
    await expect(
      scorePartitioned({ bundle, data: input, out, outTable: 'parts', partitions: 3 }, quiet()),
    ).rejects.toThrow(/--out-table needs a database/);
  }, 30_000);
});

describe('partitioned scoring of a CSV reads each part’s own bytes', () => {
  it('parts have contiguous byte ranges; quoted line breaks, CRLF and a bad row in part 3 give the rejects, line numbers and predictions of unpartitioned scoring', async () => {
    const lines = (await fs.readFile(input, 'utf8')).split('\n').filter((l) => l !== '');
    const header = lines[0].split(',');
    const plain = (i: number) => !lines[i].includes('"');
    const nameAt = header.indexOf('name');
    const edit = (i: number, f: (cells: string[]) => void) => {
      while (!plain(i)) i++;
      const cells = lines[i].split(',');
      f(cells);
      lines[i] = cells.join(',');
      return i;
    };
    // Names with line breaks inside quotes in parts 1 and 2; in part 3 (rows 127-189) a row with
    // one field too many (unreadable: its line is named) and a bad goal.
    edit(20, (c) => (c[nameAt] = '"two\nlines, and a comma"'));
    edit(100, (c) => (c[nameAt] = '"three\nlines ""quoted""\nhere"'));
    const ragged = edit(150, (c) => c.push('extra'));
    edit(170, (c) => (c[header.indexOf('goal')] = 'lots'));
    const data = path.join(dir, 'quoted.csv');
    const text = `${lines.slice(0, 200).join('\r\n')}\r\n${lines.slice(200).join('\n')}`; // CRLF, then LF, no final line break
    await fs.writeFile(data, text);
    const raggedLine = text.split(/\r\n|\n/).findIndex((l) => l.endsWith(',extra')) + 1;
    expect(raggedLine).toBeGreaterThan(ragged + 1); // the quoted line breaks count as lines

    const wout = path.join(dir, 'quoted-whole', 'predictions.csv');
    const wrej = path.join(dir, 'quoted-whole', 'rejects.csv');
    const reference = await scoreFile({ bundle, data, out: wout, rejects: wrej, chunkRows: 60 }, quiet());
    expect(reference.rows).toBe(250);
    const refRejects = await fs.readFile(wrej, 'utf8');
    expect(refRejects).toContain(`line ${raggedLine} has`);

    const out = path.join(dir, 'quoted', 'predictions.csv');
    const rejects = path.join(dir, 'quoted', 'rejects.csv');
    const s = await scorePartitioned({ bundle, data, out, rejects, partitions: 4, chunkRows: 60 }, quiet());
    expect(s).toMatchObject({ rows: 250, scored: reference.scored, rejected: reference.rejected });
    expect(await fs.readFile(out, 'utf8')).toBe(await fs.readFile(wout, 'utf8'));
    expect(await fs.readFile(rejects, 'utf8')).toBe(refRejects);
    const manifest = JSON.parse(await fs.readFile(s.manifest, 'utf8'));
    const bytes = manifest.parts.map((p: { bytes: { start: number; end: number; row: number } }) => p.bytes);
    expect(bytes.map((b: { row: number }) => b.row)).toEqual([0, 63, 126, 189]);
    expect(bytes[0].start).toBe(Buffer.byteLength(lines[0]) + 2);
    for (let i = 1; i < 4; i++) expect(bytes[i].start).toBe(bytes[i - 1].end);
    expect(bytes[3].end).toBe(Buffer.byteLength(text));
    // Part 3's rejects, read from its own bytes, name the whole file's line.
    expect(await fs.readFile(path.join(`${out}.parts`, 'part-0002.rejects.csv'), 'utf8')).toContain(
      `line ${raggedLine} has`,
    );
  }, 30_000);

  it('a CSV whose quoting the reader repairs (a quote never closed) gets no byte ranges: parts read from the top, as before, with the same result', async () => {
    const lines = (await fs.readFile(input, 'utf8')).split('\n').filter((l) => l !== '');
    const nameAt = lines[0].split(',').indexOf('name');
    let i = 120;
    while (lines[i].includes('"')) i++;
    const cells = lines[i].split(',');
    cells[nameAt] = `"${cells[nameAt]}`; // opens a quote that never closes
    lines[i] = cells.join(',');
    const data = path.join(dir, 'open-quote.csv');
    await fs.writeFile(data, `${lines.join('\n')}\n`);
    const wout = path.join(dir, 'open-quote-whole', 'predictions.csv');
    const wrej = path.join(dir, 'open-quote-whole', 'rejects.csv');
    const reference = await scoreFile({ bundle, data, out: wout, rejects: wrej, chunkRows: 60 }, quiet());
    expect(await fs.readFile(wrej, 'utf8')).toMatch(/opens a quoted field/);
    const out = path.join(dir, 'open-quote', 'predictions.csv');
    const rejects = path.join(dir, 'open-quote', 'rejects.csv');
    const s = await scorePartitioned({ bundle, data, out, rejects, partitions: 3, chunkRows: 60 }, quiet());
    expect(s).toMatchObject({ rows: reference.rows, scored: reference.scored, rejected: reference.rejected });
    const manifest = JSON.parse(await fs.readFile(s.manifest, 'utf8'));
    expect(manifest.parts.map((p: { bytes?: unknown }) => p.bytes)).toEqual([undefined, undefined, undefined]);
    expect(await fs.readFile(out, 'utf8')).toBe(await fs.readFile(wout, 'utf8'));
    expect(await fs.readFile(rejects, 'utf8')).toBe(await fs.readFile(wrej, 'utf8'));
  }, 30_000);
});

/** Twelve rows of one feature in three folds: fold jobs that fit in milliseconds. */
function tinyTask() {
  const X = createMatrix(
    12,
    1,
    Float64Array.from({ length: 12 }, (_, i) => i),
  );
  const y = Float64Array.from({ length: 12 }, (_, i) => i % 2);
  const folds = [0, 1, 2].map((f) => ({
    train: Uint32Array.from({ length: 8 }, (_, i) => (i + 4 * f + 4) % 12),
    test: Uint32Array.from({ length: 4 }, (_, i) => 4 * f + i),
  }));
  return { X, y, folds };
}

suite('a pruned trial on the queue', () => {
  it('removes the folds no worker has taken yet and rejects their scores; the queue is left empty', async () => {
    // Its own prefix, with no worker on it: every fold stays waiting until the trial is abandoned.
    const prefix = `cmltest-${randomBytes(4).toString('hex')}`;
    const cv = await QueueCv.connect({ url: URL, prefix, dataDir: path.join(dir, 'prune-data') });
    const q = new Queue('folds', { connection: redisConnection(URL), prefix });
    try {
      const { X, y, folds } = tinyTask();
      const evaluate = cv.trialEvaluator(X, y, { family: 'logistic', task: 'binary', seed: 1 }, 'rocAuc');
      const done = new AbortController();
      const scores = evaluate({ C: 1 }, folds, 0, done.signal);
      for (let i = 0; i < 100 && (await q.getWaitingCount()) < 3; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await q.getWaitingCount()).toBe(3);
      done.abort();
      for (const p of scores) await expect(p).rejects.toThrow(/abort/i);
      for (let i = 0; i < 100 && (await q.getWaitingCount()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await q.getWaitingCount()).toBe(0);
      expect(cv.droppedFolds).toBe(3);
    } finally {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
      await cv.close();
      await cleanRedis(prefix);
    }
  }, 30_000);

  it('stops the fold a worker is fitting: its fit thread is terminated mid-fit and the job fails for good (not retried); the worker goes on', async () => {
    const prefix = `cmltest-${randomBytes(4).toString('hex')}`;
    // Every fit first keeps its thread busy for two minutes: only terminating the thread ends it.
    const worker = startWorker(prefix, { CAMPAIGN_ML_TEST_SPIN_MS: '120000' });
    const cv = await QueueCv.connect({ url: URL, prefix, dataDir: path.join(dir, 'cancel-data') });
    const q = new Queue('folds', { connection: redisConnection(URL), prefix });
    try {
      const { X, y, folds } = tinyTask();
      const evaluate = cv.trialEvaluator(X, y, { family: 'logistic', task: 'binary', seed: 1 }, 'rocAuc');
      const done = new AbortController();
      const scores = evaluate({ C: 1 }, folds, 0, done.signal);
      const active = await worker.waitFor(/^active folds /, 30_000);
      // Let the child start its fit thread and enter the fit.
      await new Promise((r) => setTimeout(r, 3000));
      done.abort();
      for (const p of scores) await expect(p).rejects.toThrow(/abort/i);
      const id = active.split(' ')[2];
      expect(await worker.waitFor(/^cancelled folds /, 10_000)).toBe(`cancelled folds ${id}`);
      expect(await worker.waitFor(/^failed folds /, 10_000)).toMatch(/fold cancelled: its trial was abandoned/);
      expect(cv).toMatchObject({ droppedFolds: 2, cancelledFolds: 1 });
      const failed = await q.getJobs(['failed']);
      expect(failed.map((j) => [j.id, j.attemptsMade])).toEqual([[id, 1]]);
      expect(await q.getActiveCount()).toBe(0);
      // The worker process lives on and takes the next fold (on a new thread).
      const again = cv.trialEvaluator(X, y, { family: 'logistic', task: 'binary', seed: 1 }, 'rocAuc');
      const stop = new AbortController();
      const next = again({ C: 2 }, folds, 1, stop.signal);
      await worker.waitFor(new RegExp(`^active folds .*-t1-f0$`), 30_000);
      stop.abort();
      for (const p of next) await expect(p).rejects.toThrow(/abort/i);
      await worker.waitFor(new RegExp(`^failed folds .*-t1-f0: fold cancelled`), 10_000);
      expect(worker.proc.exitCode).toBeNull();
    } finally {
      await stopWorkers();
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
      await cv.close();
      await cleanRedis(prefix);
    }
  }, 90_000);
});

suite('distributed runs on BullMQ worker processes', () => {
  const prefix = `cmltest-${randomBytes(4).toString('hex')}`;
  const queueRun = (cfg: ReturnType<typeof config>) =>
    train(cfg, quiet(), undefined, { queue: { url: URL, prefix, dataDir: path.join(dir, 'queue-data') } });
  const folds = () => new Queue('folds', { connection: redisConnection(URL), prefix });
  /** Fold jobs of the test so far, by their key within the run (s<study>-t<trial>-f<fold>). */
  async function foldJobs() {
    const q = folds();
    try {
      const jobs = await q.getJobs(['completed', 'failed'], 0, -1);
      return jobs.map((j) => ({ job: j, key: j.id!.replace(/^[0-9a-f]+-/, '') }));
    } finally {
      await q.close();
    }
  }
  let local: TrainResult;
  /** Three workers that fail GBDT's fold 1 of trial 2 (test hook) and fit every other fold; w[0] stays to the end. */
  let w: WorkerProcess[];
  /** A worker that holds every fold it takes (test hook) until it is killed. */
  let holder: WorkerProcess;

  beforeAll(async () => {
    // The holder waits for jobs first (Redis serves blocked clients in order): it takes the first fold.
    holder = startWorker(prefix, { CAMPAIGN_ML_TEST_HOLD_MS: '600000' });
    const training = train(config(), quiet());
    await holder.waitFor(/ready/);
    w = [0, 1, 2].map(() => startWorker(prefix, { CAMPAIGN_ML_TEST_FAIL_FOLD: 'gradientBoosting:2:1' }));
    local = await training;
    await Promise.all(w.map((x) => x.waitFor(/ready/)));
  }, 60_000);

  afterEach(async () => {
    const q = folds();
    await q.clean(0, 100_000, 'completed');
    await q.clean(0, 100_000, 'failed');
    await q.close();
  });

  afterAll(async () => {
    await stopWorkers();
    await cleanRedis(prefix);
  });

  it('a worker SIGKILLed while it holds a fold: the fold runs again elsewhere, once, and the run equals the single-process one', async () => {
    const run = queueRun(config());
    const held = (await holder.waitFor(/^active folds /)).split(' ')[2];
    holder.proc.kill('SIGKILL');
    const result = await run;
    expect(computed(result)).toEqual(computed(local));

    const jobs = await foldJobs();
    // Baseline (study 0) + 3 tuning trials (study 1) x 3 folds, each fitted and counted once.
    const expected = [0, 1, 2].map((f) => `s0-t0-f${f}`);
    for (let t = 1; t <= 3; t++) for (let f = 0; f < 3; f++) expected.push(`s1-t${t}-f${f}`);
    expect(jobs.map((j) => j.key).sort()).toEqual(expected.sort());
    expect(new Set(jobs.map((j) => j.job.id)).size).toBe(jobs.length);
    expect(jobs.every((j) => j.job.finishedOn && !j.job.failedReason)).toBe(true);
    // The killed worker's fold was taken again and finished by another worker.
    const again = jobs.find((j) => j.job.id === held)!;
    const by = (again.job.returnvalue as FoldJobResult).worker;
    const other = w.find((x) => by.endsWith(`:${x.proc.pid}`));
    expect(other).toBeDefined();
    expect(other!.lines).toContain(`completed folds ${held}`);
  }, 60_000);

  it('a fold that crashes twice fails its trial with the reason, and the study goes on', async () => {
    const result = await queueRun(config({ models: ['gradientBoosting'] }));
    const trials = result.metrics.models[0].tuned!.trials;
    expect(trials.map((t) => t.state)).toEqual(['complete', 'complete', 'failed', 'complete']);
    expect(trials[2].error).toMatch(
      /fold 1 of trial 2 failed on the queue after 2 attempts: test hook CAMPAIGN_ML_TEST_FAIL_FOLD: fold 1 of trial 2 crashed/,
    );
    const failed = (await foldJobs()).filter((j) => j.job.failedReason);
    expect(failed.map((j) => [j.key, j.job.attemptsMade])).toEqual([['s1-t2-f1', 2]]);
  }, 60_000);

  it('the same seed with 3 and with 1 worker gives the trial history of a single process, in batches of 3', async () => {
    const cfg = config({ tuning: { trials: 6, folds: 3, batch: 3 } });
    const reference = await train(cfg, quiet());
    const three = await queueRun(cfg);
    for (const x of w.slice(1)) {
      const exited = new Promise((r) => x.proc.once('exit', r));
      x.proc.kill('SIGTERM');
      await exited;
    }
    const one = await queueRun(cfg);
    const history = (r: TrainResult) => computed(r).models[0].tuned!.trials;
    expect(history(one)).toHaveLength(6);
    expect(history(one)).toEqual(history(reference));
    expect(history(three)).toEqual(history(reference));
    expect(computed(three)).toEqual(computed(reference));
    expect(computed(one)).toEqual(computed(reference));
  }, 60_000);

  it('a random forest scored out of bag: each trial is two half-forest jobs, and the run equals the single-process one', async () => {
    const cfg = config({ models: ['randomForest'], tuning: { trials: 3, folds: 3 } });
    const reference = await train(cfg, quiet());
    const result = await queueRun(cfg);
    expect(result.metrics.models[0].cvMethod).toBe('out-of-bag');
    expect(computed(result)).toEqual(computed(reference));
    // The baseline is fitted by the coordinator; trials 1 and 2 are one study of two parts each.
    const keys = (await foldJobs()).map((j) => j.key).sort();
    expect(keys).toEqual(['s0-t1-f0', 's0-t1-f1', 's0-t2-f0', 's0-t2-f1']);
  }, 60_000);

  it('partitioned scoring on the queue: one job per part, the same predictions', async () => {
    const reference = await whole();
    const out = path.join(dir, 'queued', 'predictions.csv');
    const rejects = path.join(dir, 'queued', 'rejects.csv');
    const s = await scorePartitioned(
      { bundle, data: input, out, rejects, partitions: 3, chunkRows: 60, queue: URL, queuePrefix: prefix },
      quiet(),
    );
    const { rows, scored, rejected } = reference.s;
    expect(s).toMatchObject({ rows, scored, rejected, skipped: 0 });
    const completed = started.flatMap((w) => w.lines.filter((l) => l.startsWith('completed score ')));
    expect(completed).toHaveLength(3);
    expect(await fs.readFile(out, 'utf8')).toBe(reference.predictions);
    expect(await fs.readFile(rejects, 'utf8')).toBe(reference.rejects);
  }, 60_000);
});
