#!/usr/bin/env node
// Publish check: are the packages under packages/ usable by someone who installs them from npm?
//
//   npm run check:publish            (builds first; in CI the build is already cached by nx)
//   npm run check:publish -- --no-build --keep
//
// 1. builds every package (nx, cached), 2. `npm pack`s each into a temp dir, 3. makes a scratch
// consumer project outside the repository (mktemp) and installs the tarballs there (the
// @campaign-ml/* dependencies between them come from the tarballs too; third-party packages from
// the registry or npm's cache, with the root package.json's overrides; install scripts are
// skipped: better-sqlite3's native build would download from GitHub or compile for minutes, and
// nothing here opens a database), 4. runs an ESM script and a CommonJS script that
// import every package and entry point and call one small function of each (SMOKE below), and
// checks that both see the same export names, 5. type-checks the same calls with tsc under
// moduleResolution node16 (an .mts and a .cts file) and bundler, strict, skipLibCheck false
// (known errors inside arquero's and flechette's own declarations are shown, not counted), 6. runs publint (errors, warnings and suggestions all count) and attw (@arethetypeswrong/cli,
// profile strict) on every tarball. Ends with one line: "publish check: PASS ..." or "FAIL ...".
import { execFile as execFileCb, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..', '..');
const args = new Set(process.argv.slice(2));
const started = Date.now();

// One small call per package (JavaScript that is also valid TypeScript). Each package is bound to
// its short name (core, ingest, ...; an entry point such as @campaign-ml/bundle/node to bundle_node).
// A package without an entry here is imported and its exports compared, nothing called: add one.
const SMOKE = {
  core: `core.fromRows([[1, 2], [3, 4]], ['a', 'b']).rows === 2`,
  ingest: `ingest.readTableSync(new TextEncoder().encode('a,b\\n1,x\\n2,y\\n')).numRows() === 2`,
  features: `features.computeClassWeight('balanced', [0, 1, 1, 1])[0] === 2`,
  models: `models.rocAucScore([0, 1, 1, 0], [0.1, 0.8, 0.7, 0.3]) === 1`,
  selection: `selection.fClassif(core.fromRows([[0], [1], [0], [1]], ['x']), [0, 1, 0, 1]).scores.length === 1`,
  tuning: `tuning.int(1, 5).high === 5`,
  tracking: `tracking.createTracker('mlruns') instanceof tracking.FileStore`,
  // A bundle refuses what is not one, with core's SerializationError: the same class the consumer
  // imports (one core instance across packages).
  drift: `drift.ks2Samp([1, 2, 3, 4], [1, 2, 3, 4]).statistic === 0 && drift.psi([1, 2, 3, 4], [1, 2, 3, 4]) === 0`,
  explain: `explain.oneMinusAuc(Float64Array.of(0, 1), Float64Array.of(0.9, 0.1, 0.2, 0.8), 2) === 0`,
  fairness: `fairness.demographicParityDifference([0, 1, 0, 1], [1, 1, 0, 0], { sensitive: ['a', 'a', 'b', 'b'] }) === 1`,
  bundle: `(() => { try { bundle.Bundle.fromJSON('{}'); return false; } catch (e) { return e instanceof core.SerializationError; } })()`,
};

// Errors inside third-party declarations that every strict (skipLibCheck: false) consumer of those
// packages gets, with or without campaign-ml: upstream bugs, shown but not counted. Any other
// error fails the check.
const UPSTREAM_TYPE_ERRORS = [
  // arquero 8.0.3: `...values?: ...` (an optional rest parameter that is not an array type)
  { file: 'node_modules/arquero/dist/types/table/ColumnTable.d.ts', codes: ['TS2370', 'TS1047'] },
  // @uwdata/flechette 2.6.0: `getFactory` without a type under noImplicitAny
  { file: 'node_modules/@uwdata/flechette/dist/types/table.d.ts', codes: ['TS7008'] },
];

const failures = [];
const fail = (step, detail) => {
  failures.push(step);
  console.log(`  FAIL ${step}${detail ? `\n${indent(detail)}` : ''}`);
};
const ok = (line) => console.log(`  ok   ${line} [${seconds()}]`);
const indent = (text) =>
  String(text)
    .trimEnd()
    .split('\n')
    .map((l) => `       ${l}`)
    .join('\n');
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

async function run(cmd, argv, opts = {}) {
  try {
    const { stdout, stderr } = await execFile(cmd, argv, { maxBuffer: 64 * 1024 * 1024, ...opts });
    return { ok: true, out: `${stdout}${stderr}`, stdout, stderr };
  } catch (e) {
    return {
      ok: false,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout || e.stderr ? '' : e.message}`,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}
const npm = (argv, opts) => run('npm', argv, opts);
const tail = (text, n = 40) => String(text).trimEnd().split('\n').slice(-n).join('\n');
// The package.json of a dev tool, found from the repository (some export no ./package.json).
function toolPackage(name) {
  let dir;
  try {
    dir = dirname(require.resolve(`${name}/package.json`));
  } catch {
    dir = dirname(require.resolve(name));
    while (
      !existsSync(join(dir, 'package.json')) ||
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
    )
      dir = dirname(dir);
  }
  return { dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
}
const toolBin = (name, bin) => {
  const { dir, json } = toolPackage(name);
  return join(dir, typeof json.bin === 'string' ? json.bin : json.bin[bin]);
};

// --- the packages ---------------------------------------------------------------------------------
const packages = readdirSync(join(root, 'packages'))
  .filter((d) => existsSync(join(root, 'packages', d, 'package.json')))
  .map((d) => ({
    dir: join(root, 'packages', d),
    json: JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')),
  }))
  .filter((p) => !p.json.private)
  .sort((a, b) => a.json.name.localeCompare(b.json.name));
const shortName = (spec) => spec.replace(/^@campaign-ml\//, '').replace(/[^a-zA-Z0-9]/g, '_');
// Every entry point a consumer can import: the package and its subpath exports (not package.json).
const entries = packages.flatMap((p) =>
  Object.keys(p.json.exports ?? { '.': null })
    .filter((k) => k !== './package.json' && !k.includes('*'))
    .map((k) => (k === '.' ? p.json.name : `${p.json.name}/${k.slice(2)}`)),
);
console.log(`publish check: ${packages.length} packages, ${entries.length} entry points`);

const work = mkdtempSync(join(tmpdir(), 'campaign-ml-publish-'));
const packs = join(work, 'packs');
const app = join(work, 'consumer');
mkdirSync(packs);
mkdirSync(app);

try {
  // --- 1. build -------------------------------------------------------------------------------------
  if (!args.has('--no-build')) {
    const projects = packages.map((p) => p.json.nx?.name ?? p.json.name).join(',');
    const r = await run(
      process.execPath,
      [toolBin('nx', 'nx'), 'run-many', '-t', 'build', `--projects=${projects}`, '--outputStyle=static'],
      { cwd: root },
    );
    if (!r.ok) throw new Error(`build failed:\n${tail(r.out)}`);
    ok('build (nx, cached when CI has just built)');
  }

  // --- 2. pack --------------------------------------------------------------------------------------
  const packed = await npm(
    ['pack', '--json', '--pack-destination', packs, ...packages.map((p) => `--workspace=${p.dir}`)],
    { cwd: root },
  );
  if (!packed.ok) throw new Error(`npm pack failed:\n${tail(packed.out)}`);
  const tarballs = new Map(JSON.parse(packed.stdout).map((t) => [t.name, join(packs, t.filename)]));
  for (const p of packages)
    if (!tarballs.has(p.json.name)) throw new Error(`npm pack made no tarball for ${p.json.name}`);
  ok(`npm pack: ${[...tarballs.values()].map((f) => f.split('/').pop()).join(' ')}`);

  // --- 3. a consumer project outside the repository -------------------------------------------------
  const deps = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  // The repository's own pins of third-party packages apply to the consumer too (a consumer needs
  // them as well: see the root package.json).
  const rootOverrides = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).overrides ?? {};
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'campaign-ml-consumer',
        version: '1.0.0',
        private: true,
        dependencies: deps,
        devDependencies: { '@types/node': '^20.19.0' },
        // The packages' dependencies on each other resolve to these tarballs, not to the registry.
        overrides: { ...rootOverrides, ...Object.fromEntries(Object.keys(deps).map((name) => [name, `$${name}`])) },
      },
      null,
      2,
    ),
  );
  const installed = await npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], {
    cwd: app,
  });
  if (!installed.ok) throw new Error(`npm install in ${app} failed:\n${tail(installed.out)}`);
  const engineWarnings = [...installed.out.matchAll(/package: '([^']+)'/g)].map((m) => m[1]);
  const pins = Object.entries(rootOverrides)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  ok(
    `npm install in ${app}${pins ? ` (root overrides: ${pins})` : ''}${engineWarnings.length ? ` (EBADENGINE: ${engineWarnings.join(', ')})` : ''}`,
  );

  // --- 4. ESM and CommonJS at run time --------------------------------------------------------------
  const smokeLines = () =>
    entries
      .map((e) => shortName(e))
      .filter((n) => SMOKE[n])
      .map((n) => `  ${n}: () => ${SMOKE[n]},`)
      .join('\n');
  const report = `
const out = { names: {}, smoke: {} };
for (const [name, ns] of Object.entries(namespaces)) {
  out.names[name] = Object.keys(ns).filter((k) => k !== '__esModule' && k !== 'default').sort();
  const missing = out.names[name].filter((k) => ns[k] === undefined);
  if (missing.length) out.smoke[name + ' (undefined exports)'] = missing.join(', ');
}
for (const [name, call] of Object.entries(smoke)) {
  try { const r = call(); out.smoke[name] = r === true ? true : 'returned ' + JSON.stringify(r); } catch (e) { out.smoke[name] = String(e && e.stack || e); }
}
console.log(JSON.stringify(out));
`;
  writeFileSync(
    join(app, 'esm.mjs'),
    `${entries.map((e) => `import * as ${shortName(e)} from '${e}';`).join('\n')}\nconst namespaces = { ${entries.map((e) => `'${e}': ${shortName(e)}`).join(', ')} };\nconst smoke = {\n${smokeLines()}\n};\n${report}`,
  );
  writeFileSync(
    join(app, 'cjs.cjs'),
    `${entries.map((e) => `const ${shortName(e)} = require('${e}');`).join('\n')}\nconst namespaces = { ${entries.map((e) => `'${e}': ${shortName(e)}`).join(', ')} };\nconst smoke = {\n${smokeLines()}\n};\n${report}`,
  );
  const notCalled = entries.map((e) => shortName(e)).filter((n) => !SMOKE[n]);
  const runtime = {};
  for (const [kind, file] of [
    ['ESM', 'esm.mjs'],
    ['CommonJS', 'cjs.cjs'],
  ]) {
    const r = await run(process.execPath, [file], { cwd: app });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let result;
    try {
      result = JSON.parse(last);
    } catch {
      fail(`${kind} script`, tail(r.out));
      continue;
    }
    runtime[kind] = result;
    const bad = Object.entries(result.smoke).filter(([, v]) => v !== true);
    if (!r.ok || bad.length)
      fail(`${kind} script`, [...bad.map(([k, v]) => `${k}: ${v}`), r.ok ? '' : tail(r.out)].join('\n'));
    else
      ok(
        `${kind}: imported ${entries.length} entry points; called ${Object.keys(result.smoke).join(', ')}${notCalled.length ? `; imported only: ${notCalled.join(', ')}` : ''}${r.stderr.trim() ? `; stderr:\n${indent(tail(r.stderr, 10))}` : ''}`,
      );
  }
  if (runtime.ESM && runtime.CommonJS) {
    const diffs = entries.flatMap((e) => {
      const a = runtime.ESM.names[e] ?? [];
      const b = runtime.CommonJS.names[e] ?? [];
      const onlyEsm = a.filter((n) => !b.includes(n));
      const onlyCjs = b.filter((n) => !a.includes(n));
      return onlyEsm.length || onlyCjs.length
        ? [`${e}: only ESM ${onlyEsm.join(', ') || '-'}; only CommonJS ${onlyCjs.join(', ') || '-'}`]
        : [];
    });
    if (diffs.length) fail('ESM and CommonJS export the same names', diffs.join('\n'));
    else
      ok(
        `ESM and CommonJS export the same names (${entries.map((e) => `${shortName(e)} ${runtime.ESM.names[e].length}`).join(', ')})`,
      );
  }

  // --- 5. TypeScript, strict, skipLibCheck false ----------------------------------------------------
  const tsSource = (importLine) =>
    `${entries.map(importLine).join('\n')}\n\nexport const smoke: Record<string, () => boolean> = {\n${smokeLines()}\n};\n`;
  writeFileSync(
    join(app, 'consumer-esm.mts'),
    tsSource((e) => `import * as ${shortName(e)} from '${e}';`),
  );
  writeFileSync(
    join(app, 'consumer-cjs.cts'),
    tsSource((e) => `import ${shortName(e)} = require('${e}');`),
  );
  writeFileSync(
    join(app, 'consumer-bundler.ts'),
    tsSource((e) => `import * as ${shortName(e)} from '${e}';`),
  );
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  };
  const configs = {
    node16: {
      compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' },
      files: ['consumer-esm.mts', 'consumer-cjs.cts'],
    },
    bundler: {
      compilerOptions: { ...compilerOptions, module: 'preserve', moduleResolution: 'bundler' },
      files: ['consumer-bundler.ts'],
    },
  };
  const tsc = toolBin('typescript', 'tsc');
  const tscVersion = toolPackage('typescript').json.version;
  for (const [name, config] of Object.entries(configs)) {
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
    const r = await run(process.execPath, [tsc, '-p', `tsconfig.${name}.json`, '--pretty', 'false'], { cwd: app });
    const errors = r.stdout.split('\n').filter((l) => /: error TS\d+:/.test(l));
    const upstream = errors.filter((l) =>
      UPSTREAM_TYPE_ERRORS.some((u) => l.startsWith(`${u.file}(`) && u.codes.some((c) => l.includes(`error ${c}:`))),
    );
    const ours = errors.filter((l) => !upstream.includes(l));
    const label = `tsc ${tscVersion} --noEmit, moduleResolution ${name}, strict, skipLibCheck false`;
    if (ours.length || (!r.ok && !errors.length)) {
      const hint = ours.some((l) => /^node_modules\/@campaign-ml\/.*error TS(1479|1541):/.test(l))
        ? '\nhint: CommonJS declarations import an ESM-only package: the package build must run tools/build/esm-type-imports.mjs after tsup'
        : '';
      fail(label, `${tail(ours.length ? ours.join('\n') : r.out, 60)}${hint}`);
    } else
      ok(
        `${label}${upstream.length ? ` (${upstream.length} known upstream errors in arquero/flechette declarations not counted)` : ''}`,
      );
  }

  // --- 6. publint and attw on every tarball ---------------------------------------------------------
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const attw = toolBin('@arethetypeswrong/cli', 'attw');
  const attwVersion = toolPackage('@arethetypeswrong/cli').json.version;
  const lintOne = async (p) => {
    const file = tarballs.get(p.json.name);
    const problems = [];
    const buf = readFileSync(file);
    const pub = await publint({
      pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) },
      level: 'suggestion',
    });
    for (const m of pub.messages)
      problems.push(`publint ${m.type}: ${formatMessage(m, pub.pkg, { color: false }) ?? m.code}`);
    const r = await run(
      process.execPath,
      [attw, file, '--profile', 'strict', '--format', 'ascii', '--no-emoji', '--no-color'],
      { cwd: work },
    );
    if (!r.ok) problems.push(`attw:\n${tail(r.out, 40)}`);
    return problems;
  };
  const queue = [...packages];
  const results = new Map();
  await Promise.all(
    [0, 1].map(async () => {
      for (let p = queue.shift(); p; p = queue.shift()) results.set(p.json.name, await lintOne(p));
    }),
  );
  for (const p of packages) {
    const problems = results.get(p.json.name);
    if (problems.length) fail(`publint / attw ${p.json.name}`, problems.join('\n'));
  }
  const clean = packages.filter((p) => !results.get(p.json.name).length).length;
  if (clean)
    ok(
      `publint ${toolPackage('publint').json.version} and attw ${attwVersion}: ${clean} of ${packages.length} packages report nothing`,
    );
} catch (e) {
  fail('setup', e.message);
} finally {
  if (args.has('--keep')) console.log(`  kept ${work}`);
  // The consumer's node_modules takes a while to delete: left to a detached rm.
  else spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref();
}

if (failures.length) {
  console.log(`publish check: FAIL (${failures.join('; ')}) in ${seconds()}`);
  process.exit(1);
}
console.log(`publish check: PASS (${packages.length} packages) in ${seconds()}`);
