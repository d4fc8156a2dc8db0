/**
 * Loading `@campaign-ml/bundle` in Node loads no file, database or spreadsheet driver (pg,
 * better-sqlite3, exceljs, hyparquet, csv-parse: ingest's readers), and neither does the API's
 * start-up (apps/api: config + server, the way main.ts starts it, then a prediction).
 *
 * Each check runs in a fresh `node --import tsx` process (workspace packages resolve to their
 * sources through tsconfig paths) that records every module loaded: require.cache (CommonJS, which
 * is how tsx loads the TypeScript sources and their dependencies) and an ESM resolve hook (dynamic
 * `import()`). A control run loads @campaign-ml/ingest and must see all five drivers, so a probe
 * that sees nothing cannot pass by accident. A driver that does load is reported with the chain
 * of modules that loaded it.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { writeBundle } from './node';
import { campaignBundle, HAND_RECORDS } from './test-bundles';

const ROOT = path.resolve(__dirname, '../../..');
const DRIVERS = ['pg', 'better-sqlite3', 'exceljs', 'hyparquet', 'csv-parse'];
const DRIVER_PATH = new RegExp(`/node_modules/(${DRIVERS.map((d) => d.replace(/[.-]/g, '\\$&')).join('|')})/`);

/** What the child process reports: every module file it loaded, who loaded it first, and what it did. */
interface Probe {
  /** Loaded module file -> the file that first required it (null for the entry). */
  parents: Record<string, string | null>;
  /** file: URLs resolved by the ESM loader, with the importing URL. */
  esm: [string, string | null][];
  info: Record<string, unknown>;
  ms: number;
}

/**
 * The child: records loads, runs one scenario (argv[1]), prints the probe as JSON on the last line.
 * Plain CommonJS run with `node --import tsx -e`.
 */
const CHILD = String.raw`
const Module = require('node:module');
const { MessageChannel } = require('node:worker_threads');
const esm = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (m) => esm.push(m));
port1.unref();
Module.register(
  'data:text/javascript,' +
    encodeURIComponent('let port; export function initialize(d) { port = d.port; } export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage([r.url, c.parentURL ?? null]); return r; }'),
  { data: { port: port2 }, transferList: [port2] },
);
const [scenario, ...args] = process.argv.slice(1);
const root = process.cwd();
const started = Date.now();
async function run() {
  if (scenario === 'bundle') {
    const { Bundle } = require('@campaign-ml/bundle');
    const bundle = Bundle.fromJSON(require('node:fs').readFileSync(args[0], 'utf8'));
    const preds = bundle.predictRecords(JSON.parse(args[1]));
    return { predictions: preds.length };
  }
  if (scenario === 'ingest') {
    const ingest = require('@campaign-ml/ingest');
    await import('exceljs'); // the ESM hook sees dynamic imports
    return { exports: Object.keys(ingest).length };
  }
  if (scenario === 'api') {
    const { readConfig } = require(root + '/apps/api/src/config.ts');
    const { startServer } = require(root + '/apps/api/src/server.ts');
    const config = readConfig({ MODEL_PATH: args[0], PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', RELOAD_INTERVAL_MS: '0' });
    const server = await startServer(config, { logger: false, defaultMetrics: false });
    try {
      const ready = await fetch(server.url + '/readyz');
      const predict = await fetch(server.url + '/v1/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: args[1] });
      return { readyz: ready.status, predict: predict.status, body: await predict.json() };
    } finally {
      await server.close();
    }
  }
  throw new Error('unknown scenario ' + scenario);
}
run().then(
  async (info) => {
    await new Promise((r) => setTimeout(r, 100)); // let the ESM hook's messages arrive
    const parents = {};
    for (const [file, m] of Object.entries(require.cache)) parents[file] = (m && m.parent && m.parent.filename) || null;
    process.stdout.write('\n' + JSON.stringify({ parents, esm, info, ms: Date.now() - started }) + '\n');
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
`;

async function probe(scenario: 'bundle' | 'ingest' | 'api', ...args: string[]): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', CHILD, scenario, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 150_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Probe;
}

/** Each driver the probe saw, with the chain of modules that loaded it (driver first, entry last). */
function driversLoaded(p: Probe): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const rel = (f: string): string => (f.startsWith(ROOT) ? path.relative(ROOT, f) : f);
  for (const file of Object.keys(p.parents)) {
    const m = DRIVER_PATH.exec(file);
    if (!m || out[m[1]]) continue;
    // Walk up to the first module outside the driver's own folder, then on to the entry.
    const chain = [file];
    for (let f = p.parents[file]; f && chain.length < 50; f = p.parents[f] ?? null) chain.push(f);
    out[m[1]] = chain.filter((f, i) => i === 0 || !DRIVER_PATH.test(f) || DRIVER_PATH.exec(f)![1] !== m[1]).map(rel);
  }
  for (const [url, parent] of p.esm) {
    const m = DRIVER_PATH.exec(url);
    if (m && !out[m[1]]) out[m[1]] = [url, `(import() from ${parent ?? '?'})`];
  }
  return out;
}

describe('Node without drivers', () => {
  let dir: string;
  let modelPath: string;
  const records = [HAND_RECORDS[0], HAND_RECORDS[1]];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-node-free-'));
    modelPath = path.join(dir, 'bundle.json');
    await writeBundle(modelPath, campaignBundle('gbdt'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('the probe sees the drivers @campaign-ml/ingest loads (control)', async () => {
    const p = await probe('ingest');
    const loaded = driversLoaded(p);
    expect(Object.keys(loaded)).toEqual(expect.arrayContaining(DRIVERS));
    // ...with the chain that loaded each, from the driver up to the entry.
    expect(loaded.pg).toEqual(
      expect.arrayContaining(['packages/ingest/src/db/postgres-database.ts', 'packages/ingest/src/index.ts']),
    );
    expect(loaded.pg[0]).toMatch(/^node_modules\/pg\//);
    expect(p.esm.some(([url]) => url.includes('/node_modules/exceljs/'))).toBe(true);
  }, 160_000);

  it("require('@campaign-ml/bundle') and scoring records load none of pg, better-sqlite3, exceljs, hyparquet, csv-parse", async () => {
    const p = await probe('bundle', modelPath, JSON.stringify(records));
    expect(p.info).toEqual({ predictions: 2 });
    const files = Object.keys(p.parents).map((f) => path.relative(ROOT, f));
    expect(files).toEqual(expect.arrayContaining(['packages/bundle/src/index.ts', 'packages/models/src/index.ts']));
    expect(
      files.filter((f) => f.startsWith('packages/') && !/^packages\/(bundle|core|schema|features|models)\//.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => f === 'packages/bundle/src/node.ts')).toEqual([]);
    expect(driversLoaded(p)).toEqual({});
    console.log(`@campaign-ml/bundle: ${files.length} modules, loaded and scored in ${p.ms} ms, no driver`);
  }, 160_000);

  it('the API start-up (config, server, /readyz, a prediction) loads none of them either', async () => {
    const p = await probe('api', modelPath, JSON.stringify({ records }));
    expect(p.info).toMatchObject({
      readyz: 200,
      predict: 200,
      body: { predictions: [{ label: expect.any(String) }, { label: expect.any(String) }] },
    });
    const files = Object.keys(p.parents).map((f) => path.relative(ROOT, f));
    expect(files).toEqual(
      expect.arrayContaining(['apps/api/src/server.ts', 'apps/api/src/app.ts', 'packages/bundle/src/node.ts']),
    );
    expect(driversLoaded(p)).toEqual({});
    console.log(`API start-up: ${files.length} modules, started and answered in ${p.ms} ms, no driver`);
  }, 160_000);
});
