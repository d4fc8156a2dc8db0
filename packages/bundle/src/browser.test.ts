/**
 * The main entry of @campaign-ml/bundle is browser-safe: esbuild bundles it for the browser with no
 * Node.js builtin and no file, database or spreadsheet driver, and headless Chromium scores raw
 * records with it bit for bit as Node does (tree walks and MLP in WebAssembly, and again with
 * WebAssembly removed so the JavaScript fallbacks run).
 *
 * Chromium: /usr/bin/chromium (Debian's `chromium`; .ci/run installs it). Without it the Chromium
 * test is skipped, except under CI=true where it fails.
 */
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Bundle, type BundleDocument, type PredictOptions, type Prediction } from './index';
import { campaignBundle, generatedRecords, HAND_RECORDS } from './test-bundles';

const ROOT = path.resolve(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const GLOBAL_NAME = 'CampaignMlBundle';

/** Drivers the browser build must not contain (ingest's readers), matched in metafile paths. */
const DRIVERS = /(^|\/)node_modules\/(pg|pg-[^/]+|better-sqlite3|exceljs|hyparquet|csv-parse)\//;

/**
 * Node.js builtins a dependency references that the browser build tolerates, each left external.
 * random-js (ml-random-forest -> random-js, reached through @campaign-ml/models) has
 * `require("crypto")` inside its `nodeCrypto` engine, which runs only when a caller picks that
 * engine; ml-random-forest seeds MersenneTwister19937 from Math.random and never does. Left
 * unresolved, a plain `esbuild --bundle --platform=browser` of this entry fails with
 * 'Could not resolve "crypto"' (a bundler user marks it external, or `resolve.fallback: { crypto: false }`).
 */
const TOLERATED_BUILTINS = [{ path: 'crypto', importer: 'node_modules/random-js/dist/random-js.esm.js', kind: 'require-call' }];

interface BuiltinReference {
  path: string;
  importer: string;
  kind: string;
}

interface BrowserBuild {
  code: string;
  metafile: esbuild.Metafile;
  builtins: BuiltinReference[];
  ms: number;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Bundle `@campaign-ml/bundle` for the browser: workspace packages from tsconfig paths, builtins recorded (and left external). */
async function buildForBrowser(): Promise<BrowserBuild> {
  const paths = (JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
  const builtins: BuiltinReference[] = [];
  const names = builtinModules.filter((m) => !m.startsWith('_')).map(escapeRe);
  const builtinFilter = new RegExp(`^(node:.*|(${names.join('|')})(/.*)?)$`);
  const plugins: esbuild.Plugin[] = [
    {
      name: 'workspace-paths',
      setup(build) {
        build.onResolve({ filter: /^@campaign-ml\// }, (args) => {
          const target = paths[args.path]?.[0];
          if (!target) return { errors: [{ text: `${args.path} is not in tsconfig.base.json "paths"` }] };
          return { path: path.join(ROOT, target) };
        });
      },
    },
    {
      name: 'record-builtins',
      setup(build) {
        build.onResolve({ filter: builtinFilter }, (args) => {
          builtins.push({ path: args.path, importer: path.relative(ROOT, args.importer), kind: args.kind });
          return { path: args.path, external: true };
        });
      },
    },
  ];
  const started = Date.now();
  const result = await esbuild.build({
    stdin: { contents: "export * from '@campaign-ml/bundle';", resolveDir: ROOT, sourcefile: 'browser-entry.ts', loader: 'ts' },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: GLOBAL_NAME,
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile, builtins, ms: Date.now() - started };
}

/** One request to score: raw records (as JSON text, like an HTTP body) and the predict options. */
interface Batch {
  name: string;
  records: string;
  options: PredictOptions;
}

/** What one side (Node or a page) made of a batch: predictions and the raw Float64 scores as hex. */
interface Scored {
  predictions: Prediction[];
  rawHex: string;
}

function scoreInNode(doc: BundleDocument, batch: Batch): Scored {
  const bundle = Bundle.fromJSON(JSON.stringify(doc));
  const records = JSON.parse(batch.records) as Record<string, unknown>[];
  const raw = bundle.scoreTable(bundle.recordsToTable(records, batch.options));
  return { predictions: bundle.predictRecords(records, batch.options), rawHex: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex') };
}

/** Every probability (and label) of `got` that is not bit for bit the one of `want`. */
function bitDifferences(want: Prediction[], got: Prediction[]): string[] {
  const out: string[] = [];
  if (want.length !== got.length) return [`${got.length} predictions, expected ${want.length}`];
  for (let i = 0; i < want.length; i++) {
    if (want[i].label !== got[i].label) out.push(`record ${i}: label ${String(got[i].label)}, expected ${String(want[i].label)}`);
    for (const [cls, p] of Object.entries(want[i].probabilities ?? {})) {
      const q = got[i].probabilities?.[cls];
      if (!Object.is(p, q)) out.push(`record ${i} P(${cls}): ${String(q)}, expected ${p}`);
    }
  }
  return out;
}

interface PageResult {
  models: { model: string; batches: Scored[]; wasmInstances: number | null }[];
  hasWebAssembly: boolean;
  timeZone: string;
}

/** Prepare a blank page (`prepare` runs before the built script), load the script, score every batch with every bundle. */
async function scoreInPage(page: Page, prepare: () => void, code: string, docs: Record<string, string>, batches: Batch[]): Promise<PageResult> {
  await page.setContent('<!doctype html><meta charset="utf-8"><title>campaign-ml bundle</title>');
  await page.evaluate(prepare);
  await page.addScriptTag({ content: code });
  return page.evaluate(
    ({ globalName, docs, batches }) => {
      const g = globalThis as unknown as Record<string, unknown> & { __wasmCounts?: { instances: number } };
      const api = g[globalName] as { Bundle: typeof Bundle };
      const hex = (f: Float64Array): string => Array.from(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
      const models = Object.entries(docs).map(([model, text]) => {
        const before = g.__wasmCounts?.instances ?? null;
        const bundle = api.Bundle.fromJSON(text);
        const scored = batches.map((b) => {
          const records = JSON.parse(b.records) as Record<string, unknown>[];
          const raw = bundle.scoreTable(bundle.recordsToTable(records, b.options));
          return { predictions: bundle.predictRecords(records, b.options), rawHex: hex(raw) };
        });
        const after = g.__wasmCounts?.instances ?? null;
        return { model, batches: scored, wasmInstances: before === null || after === null ? null : after - before };
      });
      return { models, hasWebAssembly: typeof WebAssembly === 'object', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    },
    { globalName: GLOBAL_NAME, docs, batches },
  );
}

/** Counts WebAssembly instances made in the page (to tell the WebAssembly paths ran). */
function countWasmInstances(): void {
  const W = (globalThis as { WebAssembly?: { Instance: new (...a: unknown[]) => object } }).WebAssembly;
  if (!W) return;
  const counts = { instances: 0 };
  (globalThis as { __wasmCounts?: unknown }).__wasmCounts = counts;
  W.Instance = new Proxy(W.Instance, {
    construct(target, args, newTarget) {
      counts.instances++;
      return Reflect.construct(target, args, newTarget);
    },
  });
}

function removeWebAssembly(): void {
  delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
}

describe('@campaign-ml/bundle in the browser', () => {
  let build: BrowserBuild;

  beforeAll(async () => {
    build = await buildForBrowser();
  }, 120_000);

  it('bundles for the browser with no Node.js builtin and no file, database or spreadsheet driver', () => {
    const inputs = Object.keys(build.metafile.inputs);
    // The build really holds the bundle and what it scores with.
    expect(inputs).toEqual(
      expect.arrayContaining(['packages/bundle/src/bundle.ts', 'packages/schema/src/record-validator.ts', 'packages/models/src/trees/packed-walk-wasm.ts']),
    );
    expect(inputs.some((i) => i.startsWith('node_modules/arquero/'))).toBe(true);

    expect(inputs.filter((i) => i.startsWith('node:') || DRIVERS.test(i) || i.startsWith('packages/ingest/'))).toEqual([]);
    const imports = Object.entries(build.metafile.inputs).flatMap(([file, input]) => input.imports.map((imp) => ({ file, ...imp })));
    expect(imports.filter((imp) => imp.path.startsWith('node:') || DRIVERS.test(imp.path) || /^(pg|better-sqlite3|exceljs|hyparquet|csv-parse)(\/|$)/.test(imp.path))).toEqual([]);
    // Our sources reference no builtin at all; dependencies only the tolerated ones (see TOLERATED_BUILTINS).
    expect(build.builtins.filter((b) => b.importer.startsWith('packages/') || b.importer.startsWith('<stdin>') || b.importer === 'browser-entry.ts')).toEqual([]);
    expect(build.builtins.filter((b) => !TOLERATED_BUILTINS.some((t) => t.path === b.path && t.importer === b.importer && t.kind === b.kind))).toEqual([]);
    expect(imports.filter((imp) => imp.external).map((imp) => `${imp.file} -> ${imp.path}`)).toEqual(TOLERATED_BUILTINS.map((t) => `${t.importer} -> ${t.path}`));
    expect(build.code).not.toMatch(/require\(["']node:/);
  });

  const chromiumTitle = 'scores raw records in headless Chromium bit for bit as Node does, with WebAssembly and without';
  if (!HAVE_CHROMIUM && !IN_CI) {
    console.warn(`${CHROMIUM} not found: skipping the headless Chromium test (apt-get install chromium); with CI=true it fails instead.`);
  }
  (HAVE_CHROMIUM || IN_CI ? it : it.skip)(HAVE_CHROMIUM ? chromiumTitle : `${chromiumTitle} [needs ${CHROMIUM}]`, async () => {
    if (!HAVE_CHROMIUM) throw new Error(`CI=true but ${CHROMIUM} is missing: install Debian's chromium (.ci/run does when it is absent)`);
    const docs = { gbdt: JSON.stringify(campaignBundle('gbdt')), mlp: JSON.stringify(campaignBundle('mlp')) };
    const batches: Batch[] = [
      { name: 'hand-written records', records: JSON.stringify(HAND_RECORDS), options: {} },
      { name: 'an unseen category', records: JSON.stringify([{ ...HAND_RECORDS[0], category: 'Poetry' }, HAND_RECORDS[2]]), options: { unknownCategories: 'unseen' } },
      { name: '2100 generated records (two tree blocks)', records: JSON.stringify(generatedRecords(2100, 9)), options: {} },
    ];
    const inNode = Object.fromEntries(Object.entries(docs).map(([model, text]) => [model, batches.map((b) => scoreInNode(JSON.parse(text) as BundleDocument, b))]));

    const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-chromium-'));
    let context: BrowserContext | undefined;
    try {
      const launched = Date.now();
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        // Another time zone and locale than Node's: scores must not depend on either.
        timezoneId: 'America/St_Johns',
        locale: 'de-DE',
      });
      const launchMs = Date.now() - launched;
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      const errors: string[] = [];
      const page = async (): Promise<Page> => {
        const p = await context!.newPage();
        p.on('pageerror', (e) => errors.push(String(e)));
        p.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
        return p;
      };
      const scoring = Date.now();
      const withWasm = await scoreInPage(await page(), countWasmInstances, build.code, docs, batches);
      const withoutWasm = await scoreInPage(await page(), removeWebAssembly, build.code, docs, batches);
      const scoringMs = Date.now() - scoring;

      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(withWasm.timeZone).toBe('America/St_Johns');
      expect(withWasm.hasWebAssembly).toBe(true);
      expect(withoutWasm.hasWebAssembly).toBe(false);
      for (const result of [withWasm, withoutWasm]) {
        for (const { model, batches: scored, wasmInstances } of result.models) {
          if (result === withWasm) expect({ model, ranInWebAssembly: (wasmInstances ?? 0) > 0 }).toEqual({ model, ranInWebAssembly: true });
          scored.forEach((s, i) => {
            const want = inNode[model][i];
            const where = `${model}, ${batches[i].name}, ${result === withWasm ? 'with' : 'without'} WebAssembly`;
            expect({ where, differences: bitDifferences(want.predictions, s.predictions) }).toEqual({ where, differences: [] });
            expect({ where, sameRawBits: s.rawHex === want.rawHex }).toEqual({ where, sameRawBits: true });
          });
        }
      }
      console.log(
        `browser bundle: ${(build.code.length / 1024).toFixed(0)} KiB in ${build.ms} ms; Chromium ${context.browser()?.version() ?? '?'} up in ${launchMs} ms; ` +
          `two pages scored ${batches.reduce((n, b) => n + (JSON.parse(b.records) as unknown[]).length, 0)} records x ${Object.keys(docs).length} bundles in ${scoringMs} ms`,
      );
    } finally {
      await context?.close();
      await fs.rm(userDataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
