import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ColumnTable } from 'arquero';
import { AbortError, createRng } from '@campaign-ml/core';
import type { DriftReport } from '@campaign-ml/drift';
import { readTable } from '@campaign-ml/ingest';
import { parseConfig } from '../config';
import { main } from '../main';
import { Progress } from '../progress';
import { train } from '../train/train';
import { writeRun } from '../train/write-run';
import { driftCommand, type DriftFlags } from './drift';

// report.html renders charts with Vega, an ES module jest cannot load (train.test.ts says the same):
// the run folders written here get a stand-in page; everything else is the real code path.
jest.mock('../report/report', () => ({ renderReport: async () => '<!doctype html><title>report</title>' }));

const sample = path.resolve(__dirname, '../../../../data/kickstarter-sample.csv');

let dir: string;
let table: ColumnTable;
/** A random half of the sample (the current model's training rows) and the other half. */
let halfA: number[];
let halfB: number[];
let bundlePath: string;

async function writeRows(file: string, rows: number[], edit?: (t: ColumnTable) => ColumnTable): Promise<string> {
  let t = table.reify(rows as never);
  if (edit) t = edit(t);
  await fs.writeFile(file, t.toCSV());
  return file;
}

/** A bundle trained the pipeline's way (logistic, no tuning: seconds) on `rows` of the sample. */
async function trainBundle(name: string, rows: number[], target = 'state'): Promise<string> {
  const data = await writeRows(path.join(dir, `${name}.csv`), rows);
  const cfg = parseConfig({
    name,
    data,
    target,
    ...(target === 'state' ? { positive: 'successful', excludeLabels: ['canceled', 'live'] } : {}),
    models: ['logistic'],
    tuning: { trials: 0, folds: 3 },
    ensemble: { enabled: false },
    tracking: { enabled: false },
    out: path.join(dir, 'runs'),
  });
  const result = await train(cfg, new Progress('quiet'));
  return path.join(await writeRun(result, cfg), 'bundle.json');
}

/** Column `name` moved by `sds` standard deviations. */
const shifted = (name: string, sds: number) => (t: ColumnTable) => {
  const v = Float64Array.from(t.array(name) as ArrayLike<number>);
  let m = 0;
  for (const x of v) m += x / v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2 / v.length;
  const d = sds * Math.sqrt(s);
  return t.assign({ [name]: Array.from(v, (x) => Math.round(x + d)) } as never); // an integer column stays integer
};

/** A share of rows get a country the training rows never had. */
const newCountry = (share: number) => (t: ColumnTable) => {
  const c = (t.array('country') as string[]).map((v, i) => (i % Math.round(1 / share) === 0 ? 'ZZ' : v));
  return t.assign({ country: c } as never);
};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  try {
    const code = await main(['node', 'campaign-ml', 'drift', ...args, '--quiet']);
    return { code, stdout: out.join('\n'), stderr: err.join('') };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

const readReport = async (out: string) =>
  JSON.parse(await fs.readFile(path.join(out, 'drift.json'), 'utf8')) as DriftReport;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-drift-'));
  // Without the columns that leak the outcome (pledged, backers...): training drops them itself
  // when it has enough rows to see the leak, but a 150-row model might keep them.
  const all = await readTable(sample);
  table = all.select(all.columnNames().filter((c) => !/pledged|backers|spotlight|state_changed/.test(c)));
  const order = Array.from({ length: table.numRows() }, (_, i) => i);
  createRng(7).shuffle(order);
  halfA = order.slice(0, order.length / 2).sort((a, b) => a - b);
  halfB = order.slice(order.length / 2).sort((a, b) => a - b);
  bundlePath = await trainBundle('current', halfA);
}, 120_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('pipeline drift: exit codes on the embedded sample', () => {
  let hook: Server;
  let url: string;
  const received: { body: unknown; type?: string }[] = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), type: req.headers['content-type'] });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

  it('exits 0 on the other half of a random split, writes drift.json and drift.html, and posts no alert', async () => {
    const data = await writeRows(path.join(dir, 'b.csv'), halfB);
    const out = path.join(dir, 'out-same');
    const r = await cli(['--bundle', bundlePath, '--data', data, '--out', out, '--alert-webhook', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = await readReport(out);
    expect(report.dataset.drifted).toBe(false);
    expect(report.columns.filter((c) => c.drifted)).toEqual([]);
    expect(report.rows.compared).toBe(halfB.length);
    const html = await fs.readFile(path.join(out, 'drift.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained
    expect(html).not.toContain((table.array('name') as string[])[halfB[0]]); // no raw rows
    expect(received).toHaveLength(0);
    // CBPE without reference rows: training kept its test split's summary in the bundle.
    const p = report.performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    expect(p.reference).toMatchObject({ source: 'test split', chunks: 10 });
    expect(p.calibration.checked).toBe(true);
    expect(p.overall.bounds).toBeDefined();
  });

  it('exits 3 when one column moves by half a standard deviation, names it (and only it), and posts a Slack-style alert', async () => {
    const data = await writeRows(path.join(dir, 'b-shift.csv'), halfB, shifted('blurb_len', 0.5));
    const out = path.join(dir, 'out-shift');
    const r = await cli(['--bundle', bundlePath, '--data', data, '--out', out, '--alert-webhook', url]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('blurb_len');
    const report = await readReport(out);
    expect(report.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(['blurb_len']);
    // The bundle keeps training's permutation importance per input column; the report carries it.
    const col = report.columns.find((c) => c.column === 'blurb_len') as { importance?: number };
    expect(typeof col.importance).toBe('number');
    expect(received).toHaveLength(1);
    const msg = received[0].body as { text: string; blocks: { type: string }[] };
    expect(received[0].type).toBe('application/json');
    expect(msg.text).toContain('blurb_len');
    expect(msg.text).toContain(report.bundle.id);
    expect(msg.blocks[0].type).toBe('section');
  });

  it('exits 3 on a new category and reports it by name', async () => {
    const data = await writeRows(path.join(dir, 'b-new.csv'), halfB, newCountry(0.05));
    const out = path.join(dir, 'out-new');
    const r = await cli(['--bundle', bundlePath, '--data', data, '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/new values in "country": ZZ \(\d+\)/);
    const country = (await readReport(out)).columns.find((c) => c.column === 'country')!;
    expect(country.drifted).toBe(true);
    expect(country.unseen!.values![0]).toEqual({ value: 'ZZ', count: Math.ceil(halfB.length / 20) });
  });

  it('exits 2 naming the missing column, or the flag that is wrong', async () => {
    const data = await writeRows(path.join(dir, 'b-nogoal.csv'), halfB, (t) =>
      t.select(t.columnNames().filter((c) => c !== 'goal')),
    );
    const r = await cli(['--bundle', bundlePath, '--data', data, '--out', path.join(dir, 'out-bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"goal"');
    const full = path.join(dir, 'b.csv');
    const w = await cli(['--bundle', bundlePath, '--data', full, '--window-period', 'week']);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('--time-column');
    const m = await cli(['--bundle', bundlePath, '--data', sample, '--mode', 'evidently']);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('--reference');
  });

  it('compares windows of rows; the exit code follows the comparison over all rows', async () => {
    const data = await writeRows(path.join(dir, 'b-win.csv'), halfB);
    const out = path.join(dir, 'out-win');
    const r = await cli(['--bundle', bundlePath, '--data', data, '--out', out, '--window-rows', '500']);
    expect(r.code).toBe(0);
    const report = await readReport(out);
    expect(report.windows!.map((w) => w.rows)).toEqual([500, 500, 500, halfB.length - 1500]);
    expect(Object.keys(report.windows![0].columns)).toContain('goal');
    expect(report.prediction).toBeDefined();
    const quick = await cli(['--bundle', bundlePath, '--data', data, '--out', `${out}-inputs`, '--no-prediction']);
    expect(quick.code).toBe(0);
    const inputsOnly = await readReport(`${out}-inputs`);
    expect(inputsOnly.prediction).toBeUndefined();
    expect(inputsOnly.columns.map((c) => c.column)).toEqual(report.columns.map((c) => c.column));
  });
});

describe('pipeline drift: performance estimated without labels (CBPE)', () => {
  it('estimates from the probabilities, checked on labelled held-out rows, beside the realised metrics', async () => {
    const refRows = await writeRows(path.join(dir, 'b-ref.csv'), halfB.slice(0, 1000));
    const unlabelled = await writeRows(path.join(dir, 'b-rest-nolabel.csv'), halfB.slice(1000), (t) =>
      t.select(t.columnNames().filter((c) => c !== 'state')),
    );
    const out = path.join(dir, 'out-cbpe');
    const r = await cli([
      '--bundle',
      bundlePath,
      '--data',
      unlabelled,
      '--out',
      out,
      '--performance-reference',
      refRows,
      '--window-rows',
      '400',
    ]);
    expect(r.stderr).toBe('');
    const p = (await readReport(out)).performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    expect(p.calibration.checked).toBe(true);
    // Rows labelled canceled or live (excluded from training) are not part of the labelled reference.
    const state = table.array('state') as string[];
    const known = (rows: number[]) => rows.filter((i) => state[i] === 'failed' || state[i] === 'successful').length;
    expect(p.reference).toMatchObject({ rows: known(halfB.slice(0, 1000)), chunks: 10, source: 'rows' });
    expect(p.overall.rows).toBe(halfB.length - 1000);
    expect(p.overall.realised).toBeUndefined(); // no labels in these rows
    expect(p.windows!.map((w) => w.rows)).toEqual([400, 400, halfB.length - 1800]);
    expect(r.stdout).toMatch(/Estimated performance \(CBPE\)/);
    expect(r.stdout).toMatch(/f1Score \d/);
    const html = await fs.readFile(path.join(out, 'drift.html'), 'utf8');
    expect(html).toContain('<h2>Estimated performance (CBPE)</h2>');
    // With the labels, realised values stand beside the estimates, within sampling noise when calibrated.
    const labelled = await writeRows(path.join(dir, 'b-rest.csv'), halfB.slice(1000));
    const both = await cli([
      '--bundle',
      bundlePath,
      '--data',
      labelled,
      '--out',
      `${out}-labels`,
      '--performance-reference',
      refRows,
    ]);
    const q = (await readReport(`${out}-labels`)).performance!;
    if (q.status === 'not estimated') throw new Error(q.reason);
    expect(q.overall.realised).toBeDefined();
    expect(q.overall.labelled).toBe(known(halfB.slice(1000)));
    if (q.status === 'estimated')
      for (const m of ['accuracy', 'f1Score', 'rocAuc'] as const)
        expect(Math.abs(q.overall.estimated[m] - q.overall.realised![m])).toBeLessThan(0.06);
    expect(both.stdout).toMatch(/realised \d/);
  });

  it('refuses a performance reference without the outcome column, and leaves CBPE out on request', async () => {
    const data = path.join(dir, 'b.csv');
    const nolabel = path.join(dir, 'b-rest-nolabel.csv');
    const bad = await cli(['--bundle', bundlePath, '--data', data, '--performance-reference', nolabel]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"state"');
    const out = path.join(dir, 'out-noperf');
    const off = await cli(['--bundle', bundlePath, '--data', data, '--out', out, '--no-performance']);
    expect(off.code).toBe(0);
    expect((await readReport(out)).performance).toBeUndefined();
  });

  it('says "not estimated" with the reason for a regression bundle', async () => {
    const regression = await trainBundle('regression', halfA, 'blurb_len');
    const data = path.join(dir, 'b.csv');
    const out = path.join(dir, 'out-regression');
    const r = await cli(['--bundle', regression, '--data', data, '--out', out]);
    expect(r.stderr).toBe('');
    expect((await readReport(out)).performance).toEqual({
      method: 'cbpe',
      status: 'not estimated',
      reason: expect.stringMatching(/this bundle is a regression/),
    });
    expect(r.stdout).toContain('Performance not estimated: CBPE estimates from the calibrated probability');
  }, 60_000);
});

describe('pipeline drift --on-drift retrain', () => {
  const flags = (bundle: string, data: string, out: string): DriftFlags => ({
    bundle,
    data,
    out,
    onDrift: 'retrain',
    holdout: 0.3,
    trackingUri: path.join(out, 'mlruns'),
  });

  /** Every tracked run's name and metric keys. */
  async function trackedRuns(uri: string): Promise<{ name: string; metrics: string[] }[]> {
    const runs: { name: string; metrics: string[] }[] = [];
    for (const exp of await fs.readdir(uri).catch(() => [] as string[])) {
      const expDir = path.join(uri, exp);
      if (!(await fs.stat(expDir)).isDirectory()) continue;
      for (const run of await fs.readdir(expDir)) {
        const meta = path.join(expDir, run, 'meta.yaml');
        const text = await fs.readFile(meta, 'utf8').catch(() => '');
        const name = /run_name: '?([^'\n]*)'?/.exec(text)?.[1];
        if (!name) continue;
        runs.push({ name, metrics: await fs.readdir(path.join(expDir, run, 'metrics')).catch(() => []) });
      }
    }
    return runs;
  }

  it('publishes a challenger that beats the current model on held-out new rows, and tracks both', async () => {
    // The current model saw only 150 rows; the new rows (drifted: a new country) are many.
    const weak = await trainBundle('weak', halfA.slice(0, 150));
    const published = path.join(dir, 'published-better.json');
    await fs.copyFile(weak, published);
    const before = await fs.readFile(published, 'utf8');
    const data = await writeRows(path.join(dir, 'retrain-better.csv'), halfB, newCountry(0.05));
    const out = path.join(dir, 'retrain-better');
    const o = await driftCommand(flags(published, data, out), new Progress('quiet'));
    expect(o.code).toBe(3);
    const r = o.retrain!;
    expect(r.metric).toBe('rocAuc');
    expect(r.challenger.metrics.rocAuc).toBeGreaterThan(r.current.metrics.rocAuc);
    expect(r.published).toBe(true);
    const after = JSON.parse(await fs.readFile(published, 'utf8')) as { id: string; provenance: { config: object } };
    expect(after.id).toBe(r.challenger.id);
    expect(after.id).not.toBe(JSON.parse(before).id);
    // Trained with the current bundle's own config.
    expect(after.provenance.config).toMatchObject({ models: ['logistic'], tuning: { trials: 0, folds: 3 } });
    const runs = await trackedRuns(path.join(out, 'mlruns'));
    expect(runs.map((x) => x.name)).toEqual(
      expect.arrayContaining([path.basename(r.challenger.runDir), `${path.basename(r.challenger.runDir)}-vs-current`]),
    );
    const comparison = runs.find((x) => x.name.endsWith('-vs-current'))!;
    expect(comparison.metrics).toEqual(expect.arrayContaining(['holdout_current_rocAuc', 'holdout_challenger_rocAuc']));
  }, 120_000);

  it('refuses a challenger trained on too few new rows and leaves the published bundle as it was', async () => {
    const published = path.join(dir, 'published-worse.json');
    await fs.copyFile(bundlePath, published);
    const before = await fs.readFile(published);
    // 60 new rows (a new country in one of five): the challenger trains on 42 of them.
    const data = await writeRows(path.join(dir, 'retrain-worse.csv'), halfB.slice(0, 60), newCountry(0.2));
    const out = path.join(dir, 'retrain-worse');
    const o = await driftCommand({ ...flags(published, data, out), holdout: 0.3 }, new Progress('quiet'));
    expect(o.code).toBe(3);
    const r = o.retrain!;
    expect(r.challenger.metrics.rocAuc).toBeLessThan(r.current.metrics.rocAuc);
    expect(r.published).toBe(false);
    expect((await fs.readFile(published)).equals(before)).toBe(true);
    const runs = await trackedRuns(path.join(out, 'mlruns'));
    expect(runs.some((x) => x.name.endsWith('-vs-current'))).toBe(true);
  }, 120_000);

  it('an interrupted retrain leaves the published bundle untouched', async () => {
    const weak = await trainBundle('weak2', halfA.slice(0, 150));
    const published = path.join(dir, 'published-interrupted.json');
    await fs.copyFile(weak, published);
    const before = await fs.readFile(published);
    const data = await writeRows(path.join(dir, 'retrain-int.csv'), halfB, newCountry(0.05));
    const out = path.join(dir, 'retrain-int');
    // Ctrl-C once the (better) challenger is trained, while it is compared: the last moment before publishing.
    const controller = new AbortController();
    const progress = new (class extends Progress {
      override stage(name: string, total = 0) {
        super.stage(name, total);
        if (name.startsWith('retrain: compare')) controller.abort(new AbortError('interrupted by Ctrl-C'));
      }
    })('quiet');
    await expect(driftCommand(flags(published, data, out), progress, controller.signal)).rejects.toBeInstanceOf(
      AbortError,
    );
    expect((await fs.readFile(published)).equals(before)).toBe(true);
    const left = await fs.readdir(path.dirname(published));
    expect(left.filter((f) => f.startsWith('published-interrupted.json.'))).toEqual([]); // no temp file
    const staging = await fs.readdir(path.join(out, 'runs'));
    expect(staging.filter((f) => f.startsWith('.retrain-data') || f.startsWith('.staging'))).toEqual([]);
  }, 120_000);
});
