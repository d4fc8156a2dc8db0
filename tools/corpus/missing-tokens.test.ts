/**
 * Issue 12, item 3: `?`, `NA`, `N/A`, `null`, `-` and a lone space are missing in every column type;
 * the config's `missing: [...]` adds more, and the bundle carries them so batch scoring and the API
 * read the same strings as missing. A number column with some `?` stays a number.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import { readTableSync } from '@campaign-ml/ingest';
import { compileRecordValidator, DEFAULT_MISSING_TOKENS, inferSchema } from '@campaign-ml/schema';
import { missingTokenTable } from '../generators/missing-token-table';
import { pipelineCli, trainCli } from './pipeline-cli';

const t = missingTokenTable();
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'missing-tokens-'));
  file = path.join(dir, 'census.csv');
  await fs.writeFile(file, t.csv);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const typesOf = (columns: { name: string; type: string }[]) => Object.fromEntries(columns.map((c) => [c.name, c.type]));

describe('missing tokens (library)', () => {
  it('reads every token as missing in every column type once the custom one is added', () => {
    const missingTokens = [...DEFAULT_MISSING_TOKENS, t.custom];
    const schema = inferSchema(readTableSync(file, { asText: true }), { target: t.target, missingTokens });
    expect(typesOf(schema.columns)).toMatchObject(t.types);
    for (const c of schema.columns) if (c.name !== t.target) expect(c.missing).toBeGreaterThan(0);
    const education = schema.columns.find((c) => c.name === 'education')!;
    expect(education.categories!.sort()).toEqual(['Bachelors', 'Doctorate', 'HS-grad', 'Masters']);
    expect(schema.missingTokens).toEqual(missingTokens);
    // The schema carries its tokens: a validator compiled from it alone reads them as missing.
    const v = compileRecordValidator(schema);
    const r = v.records([
      { age: 'unknown', hours_per_week: ' ', capital_gain: '?', education: 'N/A', married: 'null' },
    ]);
    expect(r.problems).toEqual([]);
    expect(r.table.objects()[0]).toMatchObject({ age: null, hours_per_week: null, capital_gain: null, married: null });
  });

  it('without the custom token a column holding it is not a number, and the defaults still work', () => {
    const schema = inferSchema(readTableSync(file, { asText: true }), { target: t.target });
    expect(schema.missingTokens).toBeUndefined();
    const types = typesOf(schema.columns);
    expect(types.capital_gain).not.toBe('number');
    const censusOnly = readTableSync(file, { asText: true }).derive({
      capital_gain: (d: { capital_gain: string }) => (d.capital_gain === 'unknown' ? '?' : d.capital_gain),
    });
    expect(typesOf(inferSchema(censusOnly, { target: t.target }).columns).capital_gain).toBe('number');
  });
});

describe('missing tokens (CLI)', () => {
  it('trains with `missing: [unknown]`, and predict reads every token as missing (nothing rejected)', async () => {
    const config = path.join(dir, 'config.yaml');
    await fs.writeFile(
      config,
      `data: ${file}\ntarget: ${t.target}\nmissing: [${t.custom}]\nmodels: [gradientBoosting]\ntuning: { trials: 0 }\nout: ${path.join(dir, 'runs')}\n`,
    );
    const { runDir } = await trainCli(['--config', config]);
    const doc = JSON.parse(await fs.readFile(path.join(runDir, 'bundle.json'), 'utf8')) as BundleDocument;
    expect(typesOf(doc.schema.columns)).toMatchObject(t.types);
    expect(doc.schema.missingTokens).toContain(t.custom);
    const bundleFile = path.join(dir, 'bundle.json');
    await fs.writeFile(bundleFile, JSON.stringify(doc));
    // The API's door: the bundle's own validator.
    const api = Bundle.fromJSON(doc)
      .validator()
      .records([{ age: 'unknown', capital_gain: '?', hours_per_week: ' ', education: 'NA', married: '-' }]);
    expect(api.problems).toEqual([]);
    const out = path.join(dir, 'predictions.csv');
    const rejects = path.join(dir, 'rejects.csv');
    const { stdout } = await pipelineCli([
      'predict',
      '--bundle',
      bundleFile,
      '--data',
      file,
      '--out',
      out,
      '--rejects',
      rejects,
      '--quiet',
    ]);
    expect(stdout).toMatch(new RegExp(`^${t.rows.length} of ${t.rows.length} rows scored`));
  }, 300_000);
});
