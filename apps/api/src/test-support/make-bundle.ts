import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { createRng } from '@campaign-ml/core';
import { readTable } from '@campaign-ml/ingest';
import { inferSchema, type Schema } from '@campaign-ml/schema';
import { recommendedPipeline } from '@campaign-ml/features';
import { GradientBoostingClassifier } from '@campaign-ml/models';
import { backgroundSample, computeReference, createBundleDocument, type BundleDocument } from '@campaign-ml/bundle';

/**
 * Test and benchmark support: build a small but real bundle document (inferred schema, fitted
 * recipe pipeline, GBDT) from a table with a binary target column.
 */
export function bundleFromTable(
  table: ColumnTable,
  target: string,
  /** reference: keep the training distributions (for the drift window), as the pipeline does. */
  options: { id?: string; nEstimators?: number; drop?: string[]; reference?: boolean } = {},
): BundleDocument {
  const labels = Array.from(table.array(target) as ArrayLike<unknown>, (v) => String(v));
  const classes = [...new Set(labels)].sort();
  if (classes.length !== 2) throw new Error(`target ${target} must have two classes, found ${classes.length}`);
  const y = Int32Array.from(labels, (l) => (l === classes[1] ? 1 : 0));
  const full = inferSchema(table, { target });
  const pipe = recommendedPipeline(full, 'binary', { model: 'tree', drop: options.drop });
  const { pipeline, X } = pipe.fitTransform(table, y);
  const model = new GradientBoostingClassifier({ nEstimators: options.nEstimators ?? 20 }).fit(X, y);
  const inputs = new Set(pipeline.inputColumns);
  const schema: Schema = {
    rows: full.rows,
    columns: full.columns
      .filter((c) => c.role !== 'target')
      .map((c) => ({ ...c, required: inputs.has(c.name) && c.required })),
  };
  return createBundleDocument(
    {
      task: 'binary',
      target: { column: target, classes, positiveClass: classes[1] },
      schema,
      features: pipeline.toJSON(),
      model: { name: 'gbdt', fitted: model.toJSON(), threshold: 0.5 },
      metrics: { rocAuc: 0.9 },
      explain: { background: backgroundSample(table, pipeline.inputColumns, { rows: 50, seed: 1 }) },
      ...(options.reference
        ? {
            reference: computeReference(table, schema, positiveScores(model.predictProba(X), table.numRows())),
          }
        : {}),
      provenance: { dataSha256: '0'.repeat(64), rows: table.numRows(), config: {}, packageVersions: {} },
    },
    { id: options.id ?? 'test-bundle-1', createdAt: new Date(Date.UTC(2024, 0, 1)) },
  );
}

function positiveScores(P: Float64Array, rows: number): Float64Array {
  return Float64Array.from({ length: rows }, (_, i) => P[i * 2 + 1]);
}

/** A tiny synthetic campaign table: number, integer, category, boolean and datetime inputs. */
export function tinyTable(rows = 300, seed = 7): ColumnTable {
  const rng = createRng(seed);
  const goal: number[] = [];
  const backers: number[] = [];
  const country: string[] = [];
  const staff: boolean[] = [];
  const launched: Date[] = [];
  const state: string[] = [];
  const countries = ['US', 'GB', 'DE', 'MX'];
  for (let i = 0; i < rows; i++) {
    const g = Math.round(100 + rng.random() * 10000);
    const b = Math.floor(rng.random() * 50);
    const c = countries[i % countries.length];
    const s = rng.random() < 0.3;
    goal.push(g);
    backers.push(b);
    country.push(c);
    staff.push(s);
    launched.push(new Date(Date.UTC(2018, i % 12, 1 + (i % 27), i % 24)));
    const score = b / 50 - g / 10000 + (s ? 0.4 : 0) + (c === 'US' ? 0.2 : 0) + (rng.random() - 0.5) * 0.4;
    state.push(score > 0.2 ? 'successful' : 'failed');
  }
  return aq.table({ goal, backers_count: backers, country, staff_pick: staff, launched_at: launched, state });
}

/** A valid record for the tiny table's bundle. */
export const TINY_RECORD = {
  goal: 1500,
  backers_count: 12,
  country: 'US',
  staff_pick: true,
  launched_at: '2018-05-25T11:51:47Z',
};

/** The Kickstarter sample (data/kickstarter-sample.csv) as a bundle, leakage columns dropped. */
export async function kickstarterBundle(csv: string, nEstimators = 100): Promise<BundleDocument> {
  const table = await readTable(csv);
  const keep = table.columnNames().filter((n) => !LEAKY.has(n));
  const finished = table
    .select(keep)
    .filter(aq.escape((d: { state: unknown }) => d.state === 'successful' || d.state === 'failed'));
  return bundleFromTable(finished, 'state', { id: 'kickstarter-gbdt', nEstimators });
}

/** Columns that are only known after a campaign ends (or copy its outcome). */
const LEAKY = new Set([
  'pledged',
  'usd_pledged',
  'backers_count',
  'state_changed_at',
  'spotlight',
  'state_changed_at_weekday',
  'state_changed_at_month',
  'state_changed_at_day',
  'state_changed_at_yr',
  'state_changed_at_hr',
]);
