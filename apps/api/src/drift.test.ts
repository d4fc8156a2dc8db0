import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBundle } from '@campaign-ml/bundle/node';
import { bundleFromTable, tinyTable } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

const root = path.resolve(__dirname, '../../..');
// A bundle that keeps reference distributions (as the pipeline's do), trained on 2,000 rows.
const doc = bundleFromTable(tinyTable(2000, 7), 'state', { id: 'drift-bundle-1', reference: true });

/** Records of the same generator as the training rows (another seed), as JSON would carry them. */
function stream(n: number, seed: number, shift: (r: Record<string, unknown>) => Record<string, unknown> = (r) => r) {
  return (tinyTable(n, seed).objects() as Record<string, unknown>[]).map(({ state: _state, ...r }) =>
    shift({ ...r, launched_at: (r.launched_at as Date).toISOString() }),
  );
}

async function send(s: TestServer, records: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < records.length; i += 100) {
    const r = await s.post('/v1/predict', { records: records.slice(i, i + 100) });
    expect(r.status).toBe(200);
  }
}

const drifted = (report: { columns: { column: string; drifted: boolean }[] }) =>
  report.columns.filter((c) => c.drifted).map((c) => c.column);

describe('the live drift window', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DRIFT_WINDOW: '1000', DRIFT_BUCKETS: '10', DRIFT_MIN_ROWS: '200' }, doc);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('says it is collecting until DRIFT_MIN_ROWS records are counted', async () => {
    const r = await s.get('/v1/drift');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      status: 'collecting',
      bundleId: 'drift-bundle-1',
      minRows: 200,
      window: { rows: 0, seen: 0, capacity: 1000, buckets: 10 },
    });
    const metrics = await (await s.get('/metrics')).text();
    expect(metrics).toMatch(/^drift_window_rows 0$/m);
    expect(metrics).not.toMatch(/^drift_score\{/m);
  });

  it('counts every record scored by /v1/predict and v2 infer into the frozen bins: the counts equal a hand count', async () => {
    const records = [
      { goal: 50, backers_count: 1, country: 'US', staff_pick: true, launched_at: '2018-03-01T00:00:00Z' }, // goal below the range
      { goal: 1_000_000, backers_count: 2, country: 'GB', staff_pick: false, launched_at: '2018-04-01T00:00:00Z' }, // above
      { goal: 5000, backers_count: 3, country: 'US', staff_pick: false, launched_at: '2018-05-01T00:00:00Z' },
      { goal: 5001, backers_count: 4, country: 'DE', staff_pick: true, launched_at: '2018-06-01T00:00:00Z' },
    ];
    expect((await s.post('/v1/predict', { records: records.slice(0, 3) })).status).toBe(200);
    expect((await s.post('/v1/predict', records[3])).status).toBe(200);
    const infer = await s.post('/v2/models/campaign/infer', {
      inputs: [
        { name: 'goal', datatype: 'FP64', shape: [2], data: [5000, 20_000] },
        { name: 'backers_count', datatype: 'INT64', shape: [2], data: [5, 6] },
        { name: 'country', datatype: 'BYTES', shape: [2], data: ['MX', 'US'] },
        { name: 'staff_pick', datatype: 'BOOL', shape: [2], data: [false, false] },
        { name: 'launched_at', datatype: 'BYTES', shape: [2], data: ['2018-07-01T00:00:00Z', '2018-08-01T00:00:00Z'] },
      ],
    });
    expect(infer.status).toBe(200);
    // A refused request is not counted.
    expect((await s.post('/v1/predict', { ...records[0], goal: 'lots' })).status).toBe(400);

    const window = s.app.drift.window!;
    const counts = window.counts();
    expect(counts.rows).toBe(6);
    const byLabel = (column: string) => {
      const i = window.columns.findIndex((c) => c.column === column);
      const labels = window.columns[i].bins.labels;
      return Object.fromEntries(
        labels.map((l, j) => [l, counts.columns[i].counts[j]]).filter(([, c]) => c !== 0),
      ) as Record<string, number>;
    };
    expect(byLabel('country')).toEqual({ US: 3, GB: 1, DE: 1, MX: 1 });
    expect(byLabel('staff_pick')).toEqual({ true: 2, false: 4 });
    const goal = counts.columns.find((c) => c.column === 'goal')!;
    expect({ below: goal.below, above: goal.above }).toEqual({ below: 1, above: 2 }); // training range about 100..10,100
    const goalBins = byLabel('goal');
    expect(goalBins['(unseen)']).toBe(3);
    expect(Object.values(goalBins).reduce((a, b) => a + b, 0)).toBe(6);
    const edges = doc.reference!.inputs.goal.kind === 'numeric' ? doc.reference!.inputs.goal.edges : [];
    const bin = (v: number) => 1 + edges.filter((e) => e < v).length; // (e[k-1], e[k]] by hand
    const hand = new Map<number, number>();
    for (const v of [5000, 5001, 5000]) hand.set(bin(v), (hand.get(bin(v)) ?? 0) + 1);
    for (const [b, c] of hand) expect(goal.counts[b]).toBe(c);
    expect(counts.prediction.reduce((a, b) => a + b, 0)).toBe(6);
  });

  // 1,006 rows in buckets of 100: the window holds the newest, partly filled bucket (6 rows) and the 9 before it.
  it('finds no drift in an unshifted stream, then after a hot reload (a new, empty window) flags the shifted column alone', async () => {
    await send(s, stream(1000, 123));
    const same = await (await s.get('/v1/drift')).json();
    expect(same.status).toBe('ready');
    expect(same.format).toBe('campaign-ml/drift');
    expect(same.mode).toBe('robust');
    expect(same.window).toEqual({ rows: 906, seen: 1006, capacity: 1000, buckets: 10 });
    expect(drifted(same)).toEqual([]);
    expect(same.dataset.drifted).toBe(false);
    expect(same.prediction.drifted).toBe(false);
    expect(same.columns.map((c: { column: string }) => c.column).sort()).toEqual([
      'backers_count',
      'country',
      'goal',
      'launched_at',
      'staff_pick',
    ]);

    const metrics = await (await s.get('/metrics')).text();
    expect(metrics).toMatch(/^drift_window_rows 906$/m);
    for (const c of same.columns)
      expect(metrics).toMatch(
        new RegExp(`^drift_score\\{column="${c.column}"\\} ${c.score.toString().slice(0, 8)}`, 'm'),
      );
    expect(metrics).toMatch(/^prediction_drift_score [0-9.e-]+$/m);
    expect(metrics).toContain('# TYPE drift_score gauge');
    // Performance estimated without labels (CBPE) on the window's sums, for this binary bundle.
    expect(same.performance).toMatchObject({ method: 'cbpe', overall: { rows: 906 } });
    for (const v of Object.values(same.performance.overall.estimated) as number[]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(metrics).toMatch(
      new RegExp(
        `^estimated_performance\\{metric="accuracy",trusted="[01]"\\} ${String(same.performance.overall.estimated.accuracy).slice(0, 6)}`,
        'm',
      ),
    );

    await writeBundle(s.modelPath, { ...doc, id: 'drift-bundle-2' });
    expect((await s.app.registry.reload('test')).ok).toBe(true);
    const fresh = await (await s.get('/v1/drift')).json();
    expect(fresh).toMatchObject({ status: 'collecting', bundleId: 'drift-bundle-2', window: { rows: 0, seen: 0 } });

    // Goals up by half their training range: many past the training maximum.
    await send(
      s,
      stream(1000, 124, (r) => ({ ...r, goal: (r.goal as number) + 5000 })),
    );
    const shifted = await (await s.get('/v1/drift')).json();
    expect(shifted.bundle.id).toBe('drift-bundle-2');
    expect(drifted(shifted)).toEqual(['goal']);
    expect(shifted.columns[0]).toMatchObject({ column: 'goal', drifted: true, unseen: { below: 0 } });
    expect(shifted.columns[0].unseen.above).toBeGreaterThan(300);
    expect(shifted.columns[0].pValue).toBeLessThan(1e-6);
    expect(shifted.columns[0].effect.value).toBeGreaterThan(0.25);
    const after = await (await s.get('/metrics')).text();
    const score = Number(/^drift_score\{column="goal"\} (\S+)$/m.exec(after)![1]);
    expect(score).toBeCloseTo(shifted.columns[0].score, 10);
  });

  it('is off with DRIFT_WINDOW=0 and unavailable for a bundle without a reference', async () => {
    const off = await startTestServer({ DRIFT_WINDOW: '0' }, doc);
    try {
      expect(await (await off.get('/v1/drift')).json()).toMatchObject({ status: 'off' });
    } finally {
      await off.stop();
    }
    const plain = await startTestServer();
    try {
      expect((await plain.post('/v1/predict', stream(1, 5)[0])).status).toBe(200);
      expect(await (await plain.get('/v1/drift')).json()).toMatchObject({
        status: 'unavailable',
        reason: expect.stringContaining('keeps no reference'),
      });
    } finally {
      await plain.stop();
    }
  });
});

describe('the drift window over 1M records', () => {
  it('keeps its memory flat: the same retained bytes and (after a full GC) the same heap at 100k and at 1M records', async () => {
    const bundlePath = path.join(os.tmpdir(), `drift-memory-${process.pid}.json`);
    await writeBundle(bundlePath, doc);
    const probe = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        path.join(__dirname, 'test-support/drift-memory-probe.ts'),
        bundlePath,
        '1000000',
      ],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    fs.rmSync(bundlePath, { force: true });
    expect(probe.stderr).toBe('');
    const { samples, seen } = JSON.parse(probe.stdout) as {
      samples: { adds: number; heapUsed: number; retainedBytes: number; rows: number }[];
      seen: number;
    };
    expect(seen).toBe(1_000_000);
    const [early, late] = samples;
    expect(early.adds).toBe(100_000);
    expect(late.adds).toBe(1_000_000);
    expect(late.rows).toBe(10_000);
    expect(late.retainedBytes).toBe(early.retainedBytes);
    // 900k more records counted: the heap may move by GC noise, not by what was counted (900k rows
    // kept would be tens of MB; 256 kB is 0.3 bytes a record).
    expect(Math.abs(late.heapUsed - early.heapUsed)).toBeLessThan(256 * 1024);
  });
});
