/**
 * Load benchmark for apps/api:
 *   npx tsx tools/bench/api/load.ts [--bundle path/to/bundle.json] [--duration 10] [--log-level warn] [--workers 1] [--gc single|parallel]
 * Starts the API in its own process (apps/api/dist/main.js when built, else tsx src/main.ts) as the
 * Dockerfile and `nx run api:serve` do, with --single-threaded-gc (`--gc parallel`: without it), on
 * loopback with the Kickstarter GBDT bundle (the given one, or one built here from
 * data/kickstarter-sample.csv: leakage columns dropped, recommended tree recipe, 100 trees), then:
 *  - GET /healthz with autocannon (16 connections): the reference, the server's ceiling here;
 *  - POST /v1/predict, one record per request (16 connections): req/s, p50/p99 latency, and the
 *    ratio to the reference;
 *  - one 1,000-record POST /v1/predict, timed 20 times after warm-up (median, p90);
 *  - POST /v1/explain, one record per request (16 connections): req/s, p50/p99 latency.
 * Targets (issue 6): >= 5,000 req/s, p99 <= 10 ms, 1,000 records <= 20 ms. Explain (issue 13): a
 * median under 2 ms for a gradient-boosting bundle, under 50 ms for the pipeline's default
 * weighted ensemble (pass its bundle with --bundle).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import autocannon from 'autocannon';
import { createBundleDocument, type BundleDocument } from '@campaign-ml/bundle';
import { writeBundle } from '@campaign-ml/bundle/node';
import { recommendedPipeline } from '@campaign-ml/features';
import { readTable } from '@campaign-ml/ingest';
import { inferSchema } from '@campaign-ml/schema';
import { GradientBoostingClassifier } from '@campaign-ml/models';

const root = path.resolve(__dirname, '../../..');
const arg = (name: string, def?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const duration = Number(arg('duration', '10'));
const logLevel = arg('log-level', 'warn')!;
const port = Number(arg('port', '18181'));
/** API_WORKERS of the server under test (a count or auto). */
const workers = arg('workers', '1')!;
/** V8's GC threads in the server: one per process (as deployed) or V8's default parallel helpers. */
const gc = arg('gc', 'single')!;
if (gc !== 'single' && gc !== 'parallel') throw new Error(`--gc is single or parallel, not ${gc}`);
const gcFlags = gc === 'single' ? ['--single-threaded-gc'] : [];
const LEAKY = [
  'pledged',
  'usd_pledged',
  'backers_count',
  'state_changed_at',
  'spotlight',
  'staff_pick.1',
  'state_changed_at_weekday',
  'state_changed_at_month',
  'state_changed_at_day',
  'state_changed_at_yr',
  'state_changed_at_hr',
];

async function sampleBundle(): Promise<BundleDocument> {
  const raw = await readTable(path.join(root, 'data/kickstarter-sample.csv'));
  const table = raw
    .select(raw.columnNames().filter((n) => !LEAKY.includes(n)))
    .filter(aq.escape((d: { state: unknown }) => d.state === 'successful' || d.state === 'failed'))
    .reify();
  const y = Int32Array.from(table.array('state') as ArrayLike<unknown>, (s) => (s === 'successful' ? 1 : 0));
  const schema = inferSchema(table, { target: 'state' });
  const { pipeline, X } = recommendedPipeline(schema, 'binary', { model: 'tree' }).fitTransform(table, y);
  const model = new GradientBoostingClassifier({ nEstimators: 100 }).fit(X, y);
  const inputs = new Set(pipeline.inputColumns);
  const columns = schema.columns
    .filter((c) => c.role !== 'target')
    .map((c) => ({ ...c, required: c.required && inputs.has(c.name) }));
  return createBundleDocument(
    {
      task: 'binary',
      target: { column: 'state', classes: ['failed', 'successful'], positiveClass: 'successful' },
      schema: { rows: schema.rows, columns },
      features: pipeline.toJSON(),
      model: { name: 'gbdt', fitted: model.toJSON(), threshold: 0.5 },
      metrics: {},
      provenance: { dataSha256: '', rows: table.numRows(), config: { bench: true }, packageVersions: {} },
    },
    { id: 'bench-kickstarter-gbdt' },
  );
}

/** Records in the request format: the pipeline's input columns, dates as ISO strings. */
async function sampleRecords(doc: BundleDocument, n: number): Promise<Record<string, unknown>[]> {
  const table = await readTable(path.join(root, 'data/kickstarter-sample.csv'));
  const inputs = (doc.features as unknown as { inputColumns: string[] }).inputColumns;
  return (table.objects({ limit: n }) as Record<string, unknown>[]).map((o) => {
    const r: Record<string, unknown> = {};
    for (const c of inputs) r[c] = o[c] instanceof Date ? (o[c] as Date).toISOString() : o[c];
    return r;
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API did not become ready in 60 s');
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main(): Promise<void> {
  const given = arg('bundle');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-api-bench-'));
  const modelPath = given ? path.resolve(given) : path.join(dir, 'bundle.json');
  const doc: BundleDocument = given ? JSON.parse(fs.readFileSync(modelPath, 'utf8')) : await sampleBundle();
  if (!given) await writeBundle(modelPath, doc);
  const records = await sampleRecords(doc, 1000);
  const dist = path.join(root, 'apps/api/dist/main.js');
  const [cmd, args] = fs.existsSync(dist)
    ? [process.execPath, [...gcFlags, dist]]
    : ['npx', ['tsx', ...gcFlags, path.join(root, 'apps/api/src/main.ts')]];
  const child = spawn(cmd, args, {
    env: {
      ...process.env,
      MODEL_PATH: modelPath,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      RELOAD_INTERVAL_MS: '0',
      API_WORKERS: workers,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child);
    const headers = { 'content-type': 'application/json' };
    const one = JSON.stringify(records[0]);
    const batch = JSON.stringify({ records });
    // Warm-up (JIT, caches), not measured.
    await autocannon({ url: `${url}/v1/predict`, connections: 16, duration: 2, method: 'POST', headers, body: one });
    const ref = await autocannon({ url: `${url}/healthz`, connections: 16, duration });
    const single = await autocannon({
      url: `${url}/v1/predict`,
      connections: 16,
      duration,
      method: 'POST',
      headers,
      body: one,
    });
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const t = performance.now();
      const r = await fetch(`${url}/v1/predict`, { method: 'POST', headers, body: batch });
      const body = (await r.json()) as { predictions?: unknown[] };
      if (!r.ok || body.predictions?.length !== 1000) throw new Error(`1,000-record request failed: ${r.status}`);
      if (i >= 5) times.push(performance.now() - t);
    }
    const explainBody = JSON.stringify({ record: records[0] });
    await autocannon({
      url: `${url}/v1/explain`,
      connections: 16,
      duration: 2,
      method: 'POST',
      headers,
      body: explainBody,
    });
    const explain = await autocannon({
      url: `${url}/v1/explain`,
      connections: 16,
      duration,
      method: 'POST',
      headers,
      body: explainBody,
    });
    // One client, one request at a time: the latency of a single explanation.
    const seq: number[] = [];
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const r = await fetch(`${url}/v1/explain`, { method: 'POST', headers, body: explainBody });
      await r.json();
      if (i >= 20) seq.push(performance.now() - t);
    }
    const explainAnswer = (await (
      await fetch(`${url}/v1/explain`, { method: 'POST', headers, body: explainBody })
    ).json()) as { method?: string; space?: string };
    const result = {
      bundle: doc.id,
      cores: os.cpus().length,
      workers,
      gc,
      logLevel,
      reference: { route: 'GET /healthz', reqPerSec: ref.requests.average, p99Ms: ref.latency.p99 },
      single: {
        route: 'POST /v1/predict (1 record)',
        reqPerSec: single.requests.average,
        p50Ms: single.latency.p50,
        p99Ms: single.latency.p99,
        non2xx: single.non2xx,
        errors: single.errors,
      },
      ratioToReference: single.requests.average / ref.requests.average,
      batch1000: { medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9) },
      explain: {
        route: 'POST /v1/explain (1 record)',
        method: explainAnswer.method,
        space: explainAnswer.space,
        reqPerSec: explain.requests.average,
        p50Ms: explain.latency.p50,
        p99Ms: explain.latency.p99,
        non2xx: explain.non2xx,
        oneClientMedianMs: quantile(seq, 0.5),
        oneClientP90Ms: quantile(seq, 0.9),
      },
      targets: { reqPerSec: 5000, p99Ms: 10, batch1000Ms: 20 },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `single-record: ${result.single.reqPerSec.toFixed(0)} req/s (target 5000), p99 ${result.single.p99Ms} ms (target 10); ` +
        `${(100 * result.ratioToReference).toFixed(0)}% of /healthz (${result.reference.reqPerSec.toFixed(0)} req/s); ` +
        `1,000 records: median ${result.batch1000.medianMs.toFixed(1)} ms (target 20)`,
    );
    console.log(
      `explain (${result.explain.method}, ${result.explain.space}): ${result.explain.reqPerSec.toFixed(0)} req/s, ` +
        `median ${result.explain.p50Ms} ms, p99 ${result.explain.p99Ms} ms at 16 connections; one client: median ` +
        `${result.explain.oneClientMedianMs.toFixed(2)} ms, p90 ${result.explain.oneClientP90Ms.toFixed(2)} ms`,
    );
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
