/**
 * Test support (not exported by the package): real bundle documents fitted on a small generated
 * campaign table, and raw JSON records to score with them. Same approach as bundle.test.ts, plus
 * missing values (so some inputs are optional) and a second model family.
 */
import * as aq from 'arquero';
import { createRng } from '@campaign-ml/core';
import { recommendedPipeline } from '@campaign-ml/features';
import { GradientBoostingClassifier, MLPClassifier } from '@campaign-ml/models';
import { inferSchema } from '@campaign-ml/schema';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleDocument } from './bundle';

const CATEGORIES = ['Music', 'Games', 'Art', 'Film'];

/** A campaign table: goal, backers (10% missing), category (5% missing), video, launched_at and the target state. */
export function campaignTable(n: number, seed: number): aq.ColumnTable {
  const rng = createRng(seed);
  const goal: number[] = [];
  const backers: (number | null)[] = [];
  const category: (string | null)[] = [];
  const video: boolean[] = [];
  const launched: Date[] = [];
  const state: string[] = [];
  for (let i = 0; i < n; i++) {
    goal.push(Math.round(1000 + rng.random() * 20000));
    backers.push(rng.bernoulli(0.1) ? null : rng.int(400));
    category.push(rng.bernoulli(0.05) ? null : rng.choice(CATEGORIES));
    video.push(rng.bernoulli(0.6));
    launched.push(new Date(Date.UTC(2020, 0, 1) + rng.int(700) * 86400000 + rng.int(86400) * 1000));
    const z = (video[i] ? 1 : -1) + (category[i] === 'Music' ? 0.8 : 0) - goal[i] / 10000 + (backers[i] ?? 100) / 200;
    state.push(z + rng.normal(0, 0.7) > 0 ? 'successful' : 'failed');
  }
  return aq.table({ goal, backers, category, video, launched_at: launched, state });
}

/** A bundle document: GBDT on the tree recipe, or a small MLP on the linear recipe (scaled, imputed). */
export function campaignBundle(model: 'gbdt' | 'mlp', table: aq.ColumnTable = campaignTable(400, 5)): BundleDocument {
  const n = table.numRows();
  const full = inferSchema(table, { target: 'state' });
  const y = Float64Array.from(table.array('state') as ArrayLike<string>, (s) => (s === 'successful' ? 1 : 0));
  const { pipeline, X } = recommendedPipeline(full, 'binary', {
    model: model === 'gbdt' ? 'tree' : 'linear',
  }).fitTransform(table, y);
  const fitted =
    model === 'gbdt'
      ? new GradientBoostingClassifier({ nEstimators: 30, maxDepth: 3 }).fit(X, y)
      : new MLPClassifier({ hiddenLayerSizes: [16, 8], maxIter: 60, seed: 3 }).fit(X, y);
  const inputs = new Set(pipeline.inputColumns);
  const schema = {
    rows: n,
    columns: full.columns
      .filter((c) => c.role !== 'target')
      .map((c) => ({ ...c, required: inputs.has(c.name) && c.required })),
  };
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: `browser-${model}`,
    createdAt: new Date(0).toISOString(),
    task: 'binary',
    target: { column: 'state', classes: ['failed', 'successful'], positiveClass: 'successful' },
    schema,
    features: pipeline.toJSON(),
    model: { name: model === 'gbdt' ? 'gradientBoosting' : 'mlp', fitted: fitted.toJSON(), threshold: 0.45 },
    metrics: {},
    provenance: { dataSha256: '0'.repeat(64), rows: n, config: {}, packageVersions: {} },
  };
}

/**
 * Raw records as an HTTP body would carry them: numbers (also as text with thousands separators),
 * booleans as JSON true/false (and "yes"), ISO date strings (Z, an offset, a bare date),
 * categories, missing values (null, a "?" token, a blank) in the optional inputs.
 */
export const HAND_RECORDS: Record<string, unknown>[] = [
  { goal: 5000, backers: 12, category: 'Music', video: true, launched_at: '2021-03-04T10:00:00Z' },
  { goal: 25000.5, backers: null, category: 'Games', video: false, launched_at: '2020-07-15' },
  { goal: '12,500', backers: '?', category: null, video: 'yes', launched_at: '2021-12-31T23:59:59.999+05:30' },
  { goal: 0, backers: '', category: 'Art', video: false, launched_at: '2022-02-28T00:00:00Z' },
  { goal: 1e6, backers: 0, category: 'Film', video: true, launched_at: '2019-01-01T00:00:00.000Z' },
];

/** Records from a fresh table (missing values included), dates as ISO strings: `n` of them. */
export function generatedRecords(n: number, seed: number): Record<string, unknown>[] {
  return (campaignTable(n, seed).objects() as Record<string, unknown>[]).map(({ state: _s, ...r }) => ({
    ...r,
    launched_at: (r.launched_at as Date).toISOString(),
  }));
}
