import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { createRng, SchemaError } from '@campaign-ml/core';
import { recommendedPipeline } from '@campaign-ml/features';
import { inferSchema } from '@campaign-ml/schema';
import { GradientBoostingClassifier } from '@campaign-ml/models';
import { Bundle, type BundleDocument } from './bundle';
import { readBundle, writeBundle } from './node';
import { computeReference } from './reference';

function makeBundle(): { doc: BundleDocument; table: aq.ColumnTable } {
  const rng = createRng(5);
  const n = 300;
  const goal: number[] = [];
  const category: string[] = [];
  const video: boolean[] = [];
  const launched: Date[] = [];
  const state: string[] = [];
  for (let i = 0; i < n; i++) {
    goal.push(Math.round(1000 + rng.random() * 20000));
    category.push(rng.choice(['Music', 'Games', 'Art']));
    video.push(rng.bernoulli(0.6));
    launched.push(new Date(Date.UTC(2020, 0, 1) + rng.int(700) * 86400000));
    const z = (video[i] ? 1 : -1) + (category[i] === 'Music' ? 0.8 : 0) - goal[i] / 10000;
    state.push(z + rng.normal(0, 0.7) > 0 ? 'successful' : 'failed');
  }
  const table = aq.table({ goal, category, video, launched_at: launched, state });
  const schema = inferSchema(table, { target: 'state' });
  const y = Float64Array.from(state, (s) => (s === 'successful' ? 1 : 0));
  const { pipeline, X } = recommendedPipeline(schema, 'binary').fitTransform(table, y);
  const model = new GradientBoostingClassifier({ nEstimators: 20, maxDepth: 3 }).fit(X, y);
  const inputs = new Set(pipeline.inputColumns);
  const bundleSchema = {
    rows: n,
    columns: schema.columns.filter((c) => c.name !== 'state').map((c) => ({ ...c, required: inputs.has(c.name) })),
  };
  const proba = model.predictProba(X);
  const doc: BundleDocument = {
    format: 'campaign-ml/bundle',
    version: 1,
    id: 'test-1',
    createdAt: new Date(0).toISOString(),
    task: 'binary',
    target: { column: 'state', classes: ['failed', 'successful'], positiveClass: 'successful' },
    schema: bundleSchema,
    features: pipeline.toJSON(),
    model: { name: 'gradientBoosting', fitted: model.toJSON(), threshold: 0.4 },
    metrics: {},
    reference: computeReference(
      table,
      bundleSchema,
      Float64Array.from({ length: n }, (_, i) => proba[i * 2 + 1]),
    ),
    provenance: { dataSha256: '0'.repeat(64), rows: n, config: {}, packageVersions: {} },
  };
  return { doc, table };
}

describe('Bundle', () => {
  const { doc, table } = makeBundle();
  const bundle = Bundle.fromJSON(JSON.parse(JSON.stringify(doc)));
  const record = { goal: 5000, category: 'Music', video: true, launched_at: '2021-03-04T10:00:00Z' };

  it('scores raw records with labels, probabilities and the threshold', () => {
    const [p] = bundle.predictRecords([record]);
    expect(['failed', 'successful']).toContain(p.label);
    expect(p.threshold).toBe(0.4);
    expect(p.probabilities!.failed + p.probabilities!.successful).toBeCloseTo(1, 12);
    expect(p.label).toBe(p.probabilities!.successful >= 0.4 ? 'successful' : 'failed');
  });

  it('gives the same scores for records as for the training table rows', () => {
    const rows = table.objects().slice(0, 5) as Record<string, unknown>[];
    const records = rows.map(({ state: _s, ...r }) => ({ ...r, launched_at: (r.launched_at as Date).toISOString() }));
    expect(bundle.predictRecords(records)).toEqual(bundle.predictTable(table.slice(0, 5)));
  });

  it('collects every problem in the records, naming record and field', () => {
    let err: SchemaError | undefined;
    try {
      bundle.predictRecords([
        { ...record, extra: 1 },
        { category: 'Music', video: true, launched_at: '2021-01-01' },
        { ...record, goal: 'lots' },
        { ...record, category: 'Poetry' },
      ]);
    } catch (e) {
      err = e as SchemaError;
    }
    expect(err).toBeInstanceOf(SchemaError);
    const msgs = err!.problems.map((p) => `${p.row}:${p.column}`);
    expect(msgs).toEqual(expect.arrayContaining(['0:extra', '1:goal']));
    let second: SchemaError | undefined;
    try {
      bundle.predictRecords([
        { ...record, goal: 'lots' },
        { ...record, category: 'Poetry' },
      ]);
    } catch (e) {
      second = e as SchemaError;
    }
    expect(second!.problems.map((p) => `${p.row}:${p.column}`)).toEqual(['0:goal', '1:category']);
    expect(bundle.predictRecords([{ ...record, category: 'Poetry' }], { unknownCategories: 'unseen' })).toHaveLength(1);
    expect(() => bundle.predictRecords([{ ...record, category: 'Poetry' }])).toThrow(/category/);
  });

  it('refuses documents that are not bundles, are too new, or do not fit their model', () => {
    expect(() => Bundle.fromJSON('{oops')).toThrow(/not valid JSON/);
    expect(() => Bundle.fromJSON({ ...doc, format: 'x' } as never)).toThrow(/not a campaign-ml bundle/);
    expect(() => Bundle.fromJSON({ ...doc, version: 99 })).toThrow(/version 99 is newer/);
    expect(() => Bundle.fromJSON({ ...doc, task: 'regression' })).toThrow(
      /task is regression but its model is a classifier/,
    );
    expect(() => Bundle.fromJSON({ ...doc, model: { ...doc.model, fitted: { kind: 'nope', version: 1 } } })).toThrow(
      /"model.fitted" cannot be loaded/,
    );
  });

  it('writes atomically and never writes a bundle that would not load', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-'));
    try {
      const file = path.join(dir, 'bundle.json');
      await writeBundle(file, doc);
      expect((await readBundle(file)).document.id).toBe('test-1');
      await expect(writeBundle(file, { ...doc, version: 99 })).rejects.toThrow(/newer/);
      expect(await fs.readdir(dir)).toEqual(['bundle.json']);
      await expect(readBundle(path.join(dir, 'missing.json'))).rejects.toThrow(/cannot read bundle .*ENOENT/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps reference distributions of inputs and predictions', () => {
    const ref = doc.reference!;
    expect(ref.inputs.goal.kind).toBe('numeric');
    expect(ref.inputs.category.kind).toBe('categorical');
    const f = (ref.inputs.goal as { fractions: number[] }).fractions;
    expect(f.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(ref.predictions.fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
