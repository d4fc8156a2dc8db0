/**
 * The main entry of @campaign-ml/bundle is browser-safe: esbuild bundles it for the browser with no
 * Node.js builtin and no file, database or spreadsheet driver, and headless Chromium scores raw
 * records with it bit for bit as Node does (tree walks and MLP in WebAssembly, and again with
 * WebAssembly removed so the JavaScript fallbacks run), given the same results of the Math
 * functions the engine approximates (see LIBM); with Chromium's own Math, bit for bit where its
 * Math agrees with Node's, else the same labels and scores within a few ulps.
 *
 * Chromium: /usr/bin/chromium (Debian's `chromium`; .ci/run installs it), or CHROMIUM_PATH. Without
 * it the Chromium test is skipped with a message, except under CI=true where it fails.
 */
import { existsSync, readFileSync, promises as fs } from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Bundle, type PredictOptions, type Prediction } from './index';
import { campaignBundle, generatedRecords, HAND_RECORDS } from './test-bundles';

const ROOT = path.resolve(__dirname, '../../..');
/** Debian's chromium; CHROMIUM_PATH points elsewhere (or, set to a missing file, shows the skip and the CI failure). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
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
/**
 * Largest difference of a probability tolerated where the engine's Math functions differ from
 * Node's (see LIBM). Absolute: P(failed) = 1 - P(successful) turns an ulp of one into many ulps of
 * the other.
 */
const NATIVE_MAX_DIFFERENCE = 1e-13;

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
const TOLERATED_BUILTINS = [
  { path: 'crypto', importer: 'node_modules/random-js/dist/random-js.esm.js', kind: 'require-call' },
];

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
  const paths = (
    JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.base.json'), 'utf8')) as {
      compilerOptions: { paths: Record<string, string[]> };
    }
  ).compilerOptions.paths;
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
    stdin: {
      contents: "export * from '@campaign-ml/bundle';",
      resolveDir: ROOT,
      sourcefile: 'browser-entry.ts',
      loader: 'ts',
    },
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

/**
 * The Math functions whose results ECMAScript leaves to the engine ("implementation-approximated").
 * V8 releases differ in a few of them by an ulp (Node 20's Math.exp and Math.log1p are not
 * Chromium's), so scores in another engine can differ in the last bits although every step of
 * ours computes the same. The test records, in Node, every call the scoring makes and its result,
 * and replays those results in the page: then every call in the page must have arguments Node
 * used too, and every number must be bit for bit Node's.
 */
const LIBM = [
  'exp',
  'expm1',
  'log',
  'log1p',
  'log2',
  'log10',
  'pow',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'atan',
  'atan2',
  'asin',
  'acos',
  'cbrt',
  'hypot',
];

/** Per function, its distinct calls as Float64 hex: [argument count, arguments..., result] per call. */
type LibmCalls = Record<string, string>;

const toHex = (f: Float64Array): string => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('hex');

/** Run `fn` with the Math functions of LIBM recording their distinct calls. */
function recordingLibm<T>(fn: () => T): { result: T; calls: LibmCalls; distinct: number } {
  const M = Math as unknown as Record<string, (...a: number[]) => number>;
  const natives = Object.fromEntries(LIBM.map((name) => [name, M[name]]));
  const seen = Object.fromEntries(LIBM.map((name) => [name, new Map<string, number[]>()]));
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (const name of LIBM) {
    M[name] = (...args: number[]) => {
      const value = natives[name](...args);
      let key = '';
      for (const a of args) {
        bits[0] = a;
        key += `${words[0]}.${words[1]},`;
      }
      if (!seen[name].has(key)) seen[name].set(key, [args.length, ...args, value]);
      return value;
    };
  }
  try {
    const result = fn();
    const calls = Object.fromEntries(
      Object.entries(seen).map(([name, m]) => [name, toHex(Float64Array.from([...m.values()].flat()))]),
    );
    return { result, calls, distinct: Object.values(seen).reduce((n, m) => n + m.size, 0) };
  } finally {
    for (const name of LIBM) M[name] = natives[name];
  }
}

function scoreInNode(docText: string, batches: Batch[]): Scored[] {
  const bundle = Bundle.fromJSON(docText);
  return batches.map((batch) => {
    const records = JSON.parse(batch.records) as Record<string, unknown>[];
    const raw = bundle.scoreTable(bundle.recordsToTable(records, batch.options));
    return { predictions: bundle.predictRecords(records, batch.options), rawHex: toHex(raw) };
  });
}

/** Every probability (and label) of `got` that is not bit for bit the one of `want`, and the largest difference (absolute and in ulps). */
function compare(
  want: Prediction[],
  got: Prediction[],
): { differences: string[]; maxDifference: number; maxUlps: number } {
  const differences: string[] = [];
  let maxDifference = 0;
  let maxUlps = 0;
  if (want.length !== got.length)
    return {
      differences: [`${got.length} predictions, expected ${want.length}`],
      maxDifference: Infinity,
      maxUlps: Infinity,
    };
  for (let i = 0; i < want.length; i++) {
    if (want[i].label !== got[i].label)
      differences.push(`record ${i}: label ${String(got[i].label)}, expected ${String(want[i].label)}`);
    for (const [cls, p] of Object.entries(want[i].probabilities ?? {})) {
      const q = got[i].probabilities?.[cls];
      if (Object.is(p, q)) continue;
      differences.push(`record ${i} P(${cls}): ${String(q)}, expected ${p}`);
      maxDifference = Math.max(maxDifference, typeof q === 'number' ? Math.abs(p - q) : Infinity);
      maxUlps = Math.max(maxUlps, typeof q === 'number' ? ulps(p, q) : Infinity);
    }
  }
  return { differences, maxDifference, maxUlps };
}

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  const f = new Float64Array([a, b]);
  const i = new BigInt64Array(f.buffer);
  const d = i[0] - i[1];
  return Math.sign(a) !== Math.sign(b) ? Infinity : Number(d < 0n ? -d : d);
}

interface PageRun {
  /** Per bundle: what the page made of each batch, and how many WebAssembly instances scoring it made (null: no WebAssembly). */
  models: { model: string; batches: Scored[]; wasmInstances: number | null; ms: number }[];
  /** Replay: calls of a LIBM function the page made with arguments Node never used (must be 0). */
  misses: number;
  /** Recorded calls whose result this engine computes differently from Node. */
  libmDisagreements: number;
  hasWebAssembly: boolean;
  timeZone: string;
}

/**
 * Load the built script into a blank page and score every batch with every bundle there.
 * `withoutWebAssembly` removes WebAssembly first (the JavaScript walks run); with `replay`, the
 * LIBM functions answer Node's recorded results.
 */
async function scoreInPage(
  page: Page,
  code: string,
  input: {
    docs: Record<string, string>;
    batches: Batch[];
    calls: LibmCalls;
    withoutWebAssembly: boolean;
    replay: boolean;
  },
): Promise<PageRun> {
  await page.setContent('<!doctype html><meta charset="utf-8"><title>campaign-ml bundle</title>');
  await page.evaluate(
    ({ withoutWebAssembly }) => {
      const g = globalThis as unknown as {
        WebAssembly?: { Instance: new (...a: unknown[]) => object };
        __wasmInstances?: number;
      };
      if (withoutWebAssembly) {
        delete g.WebAssembly;
        return;
      }
      g.__wasmInstances = 0;
      g.WebAssembly!.Instance = new Proxy(g.WebAssembly!.Instance, {
        construct(target, args, newTarget) {
          g.__wasmInstances!++;
          return Reflect.construct(target, args, newTarget);
        },
      });
    },
    { withoutWebAssembly: input.withoutWebAssembly },
  );
  await page.addScriptTag({ content: code });
  const result = await page.evaluate(
    (json) => {
      // Arguments and result cross as JSON text: Playwright's serializer is slow on large objects.
      const { globalName, docs, batches, calls, replay, libmNames } = JSON.parse(json) as {
        globalName: string;
        docs: Record<string, string>;
        batches: Batch[];
        calls: LibmCalls;
        replay: boolean;
        libmNames: string[];
      };
      const g = globalThis as unknown as Record<string, unknown> & { __wasmInstances?: number };
      const M = Math as unknown as Record<string, (...a: number[]) => number>;
      const api = g[globalName] as { Bundle: typeof Bundle };
      const hex = (f: Float64Array): string =>
        Array.from(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), (b) => b.toString(16).padStart(2, '0')).join(
          '',
        );
      const fromHex = (h: string): Float64Array => {
        const b = new Uint8Array(h.length / 2);
        for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
        return new Float64Array(b.buffer);
      };
      const bits = new Float64Array(1);
      const words = new Uint32Array(bits.buffer);
      const keyOf = (args: ArrayLike<number>): string => {
        let key = '';
        for (let i = 0; i < args.length; i++) {
          bits[0] = args[i];
          key += `${words[0]}.${words[1]},`;
        }
        return key;
      };
      let misses = 0;
      let libmDisagreements = 0;
      for (const name of libmNames) {
        const native = M[name];
        const flat = fromHex(calls[name] ?? '');
        const results = new Map<string, number>();
        for (let i = 0; i < flat.length;) {
          const n = flat[i];
          const args = Array.from(flat.subarray(i + 1, i + 1 + n));
          const value = flat[i + 1 + n];
          results.set(keyOf(args), value);
          if (!Object.is(native(...args), value)) libmDisagreements++;
          i += n + 2;
        }
        if (replay) {
          M[name] = (...args: number[]) => {
            const value = results.get(keyOf(args));
            if (value !== undefined) return value;
            misses++;
            return native(...args);
          };
        }
      }
      const models = Object.entries(docs).map(([model, text]) => {
        const before = g.__wasmInstances ?? null;
        const started = performance.now();
        const bundle = api.Bundle.fromJSON(text);
        const scored = batches.map((b) => {
          const records = JSON.parse(b.records) as Record<string, unknown>[];
          const raw = bundle.scoreTable(bundle.recordsToTable(records, b.options));
          return { predictions: bundle.predictRecords(records, b.options), rawHex: hex(raw) };
        });
        const after = g.__wasmInstances ?? null;
        return {
          model,
          batches: scored,
          wasmInstances: before === null || after === null ? null : after - before,
          ms: Math.round(performance.now() - started),
        };
      });
      const run: PageRun = {
        models,
        misses,
        libmDisagreements,
        hasWebAssembly: typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object',
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      };
      return JSON.stringify(run);
    },
    JSON.stringify({
      globalName: GLOBAL_NAME,
      docs: input.docs,
      batches: input.batches,
      calls: input.calls,
      replay: input.replay,
      libmNames: LIBM,
    }),
  );
  return JSON.parse(result) as PageRun;
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
      expect.arrayContaining([
        'packages/bundle/src/bundle.ts',
        'packages/schema/src/record-validator.ts',
        'packages/models/src/trees/packed-walk-wasm.ts',
      ]),
    );
    expect(inputs.some((i) => i.startsWith('node_modules/arquero/'))).toBe(true);

    expect(inputs.filter((i) => i.startsWith('node:') || DRIVERS.test(i) || i.startsWith('packages/ingest/'))).toEqual(
      [],
    );
    const imports = Object.entries(build.metafile.inputs).flatMap(([file, input]) =>
      input.imports.map((imp) => ({ file, ...imp })),
    );
    expect(
      imports.filter(
        (imp) =>
          imp.path.startsWith('node:') ||
          DRIVERS.test(imp.path) ||
          /^(pg|better-sqlite3|exceljs|hyparquet|csv-parse)(\/|$)/.test(imp.path),
      ),
    ).toEqual([]);
    // Our sources reference no builtin at all; dependencies only the tolerated ones (see
    // TOLERATED_BUILTINS), and nothing else is left out of the build.
    const tolerated = (file: string, spec: string, kind: string): boolean =>
      TOLERATED_BUILTINS.some((t) => t.importer === file && t.path === spec && t.kind === kind);
    expect(build.builtins.filter((b) => !b.importer.startsWith('node_modules/'))).toEqual([]);
    expect(build.builtins.filter((b) => !tolerated(b.importer, b.path, b.kind))).toEqual([]);
    expect(imports.filter((imp) => imp.external && !tolerated(imp.file, imp.path, imp.kind))).toEqual([]);
    expect(build.code).not.toMatch(/require\(["']node:/);
  });

  const chromiumTitle =
    "scores raw records in headless Chromium bit for bit as Node does (given Node's Math results), with WebAssembly and without";
  if (!HAVE_CHROMIUM && !IN_CI) {
    console.warn(
      `${CHROMIUM} not found: skipping the headless Chromium test (apt-get install chromium); with CI=true it fails instead.`,
    );
  }
  (HAVE_CHROMIUM || IN_CI ? it : it.skip)(
    HAVE_CHROMIUM ? chromiumTitle : `${chromiumTitle} [needs ${CHROMIUM}]`,
    async () => {
      if (!HAVE_CHROMIUM)
        throw new Error(
          `CI=true but ${CHROMIUM} is missing: install Debian's chromium (.ci/run does when it is absent)`,
        );
      const docs = { gbdt: JSON.stringify(campaignBundle('gbdt')), mlp: JSON.stringify(campaignBundle('mlp')) };
      const batches: Batch[] = [
        { name: 'hand-written records', records: JSON.stringify(HAND_RECORDS), options: {} },
        {
          name: 'an unseen category',
          records: JSON.stringify([{ ...HAND_RECORDS[0], category: 'Poetry' }, HAND_RECORDS[2]]),
          options: { unknownCategories: 'unseen' },
        },
        {
          name: '2100 generated records (two tree blocks)',
          records: JSON.stringify(generatedRecords(2100, 9)),
          options: {},
        },
      ];
      const {
        result: inNode,
        calls,
        distinct,
      } = recordingLibm(() =>
        Object.fromEntries(Object.entries(docs).map(([model, text]) => [model, scoreInNode(text, batches)])),
      );
      // Node scores as the page will (recording did not change a bit).
      for (const [model, text] of Object.entries(docs)) expect(scoreInNode(text, batches)).toEqual(inNode[model]);

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
        const pageMs: number[] = [];
        const run = async (withoutWebAssembly: boolean, replay: boolean): Promise<PageRun> => {
          const started = Date.now();
          const page = await context!.newPage();
          page.on('pageerror', (e) => errors.push(String(e)));
          page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
          try {
            return await scoreInPage(page, build.code, { docs, batches, calls, withoutWebAssembly, replay });
          } finally {
            await page.close();
            pageMs.push(Date.now() - started);
          }
        };
        const scoring = Date.now();
        const runs = {
          "WebAssembly, Node's Math results": await run(false, true),
          "no WebAssembly, Node's Math results": await run(true, true),
          "WebAssembly, Chromium's own Math": await run(false, false),
        };
        const scoringMs = Date.now() - scoring;

        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
        const native = runs["WebAssembly, Chromium's own Math"];
        expect(native.timeZone).toBe('America/St_Johns');
        expect(Object.values(runs).map((r) => r.hasWebAssembly)).toEqual([true, false, true]);
        let nativeMaxDifference = 0;
        let nativeMaxUlps = 0;
        for (const [where, r] of Object.entries(runs)) {
          const replay = where.includes("Node's Math");
          // Replayed: every call of a LIBM function in the page had arguments Node used too (so the
          // typed records, features and raw model scores reaching them were bit for bit Node's).
          if (replay) expect({ where, misses: r.misses }).toEqual({ where, misses: 0 });
          for (const { model, batches: scored, wasmInstances } of r.models) {
            if (r.hasWebAssembly)
              expect({ where, model, ranInWebAssembly: (wasmInstances ?? 0) > 0 }).toEqual({
                where,
                model,
                ranInWebAssembly: true,
              });
            scored.forEach((s, i) => {
              const want = inNode[model][i];
              const at = `${model}, ${batches[i].name}, ${where}`;
              const { differences, maxDifference, maxUlps } = compare(want.predictions, s.predictions);
              if (replay || native.libmDisagreements === 0) {
                // Bit for bit Node's: every probability (Object.is) and the raw Float64 scores.
                expect({ at, differences }).toEqual({ at, differences: [] });
                expect({ at, sameRawBits: s.rawHex === want.rawHex }).toEqual({ at, sameRawBits: true });
              } else {
                // This engine's Math differs from Node's in the last bits: same labels, probabilities within NATIVE_MAX_DIFFERENCE.
                expect({ at, labels: s.predictions.map((p) => p.label) }).toEqual({
                  at,
                  labels: want.predictions.map((p) => p.label),
                });
                expect({
                  at,
                  maxDifference: maxDifference <= NATIVE_MAX_DIFFERENCE ? 'within tolerance' : maxDifference,
                }).toEqual({ at, maxDifference: 'within tolerance' });
                nativeMaxDifference = Math.max(nativeMaxDifference, maxDifference);
                nativeMaxUlps = Math.max(nativeMaxUlps, maxUlps);
              }
            });
          }
        }
        const records = batches.reduce((n, b) => n + (JSON.parse(b.records) as unknown[]).length, 0);
        console.log(
          `browser bundle: ${(build.code.length / 1024).toFixed(0)} KiB in ${build.ms} ms; Chromium ${context.browser()?.version() ?? '?'} up in ${launchMs} ms; ` +
            `3 pages (${pageMs.join(' + ')} ms, scoring ${Object.values(runs)
              .map((r) => r.models.map((m) => m.ms).join('/'))
              .join(' + ')} ms) x ${Object.keys(docs).length} bundles x ${records} records in ${scoringMs} ms; ` +
            (native.libmDisagreements === 0
              ? "Chromium's Math agrees with Node's on every call: its own scores are bit for bit Node's"
              : `Chromium's Math differs from Node's on ${native.libmDisagreements} of the ${distinct} distinct calls the scoring makes: its own probabilities differ by at most ${nativeMaxDifference.toExponential(1)} (${nativeMaxUlps} ulps), bit for bit with Node's Math results`),
        );
      } finally {
        await context?.close();
        await fs.rm(userDataDir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
