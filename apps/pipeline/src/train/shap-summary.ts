import type { ColumnTable } from 'arquero';
import { createRng, type FittedModel, type Task } from '@campaign-ml/core';
import { modelShap, type ShapSpace } from '@campaign-ml/explain';
import type { FittedColumnPipeline } from '@campaign-ml/features';
import { takeRows } from '@campaign-ml/ingest';

/** SHAP values of the kept model on a sample of test rows, per input column: the report's and metrics.json's. */
export interface ShapSummary {
  space: ShapSpace;
  method: string;
  /** Test rows explained. */
  rows: number;
  /** Mean |SHAP| per input column, largest first (summed over classes for multiclass). */
  meanAbs: Array<{ column: string; meanAbs: number }>;
  /** Beeswarm points of the top columns (binary and regression): SHAP value and the value's rank in 0..1. */
  points: Array<{ column: string; shap: number; rank: number; jitter: number }>;
  /** Dependence plots of the top three columns: the record's value against its SHAP value. */
  dependence: Array<{ column: string; numeric: boolean; points: Array<{ value: number | string; shap: number }> }>;
}

export interface ShapSummaryOptions {
  task: Task;
  seed: number;
  /** Test rows explained (a seeded sample; default 200, fewer for very large forests: see rowBudget). */
  maxRows?: number;
  /** Training rows in the background (default 50). */
  backgroundRows?: number;
  topColumns?: number;
}

/**
 * Explain the kept model on test rows with @campaign-ml/explain (exact TreeSHAP / linear SHAP,
 * the ensemble through its members, the permutation explainer otherwise), against a background
 * of training rows, in probability space for classifiers.
 */
export function shapSummary(
  model: FittedModel,
  pipeline: FittedColumnPipeline,
  train: ColumnTable,
  test: ColumnTable,
  opts: ShapSummaryOptions,
): ShapSummary {
  const rng = createRng(opts.seed);
  const sample = (t: ColumnTable, k: number) =>
    t.numRows() > k
      ? takeRows(
          t,
          Array.from(rng.sampleIndices(t.numRows(), k)).sort((a, b) => a - b),
        )
      : t;
  const rows = sample(test, opts.maxRows ?? rowBudget(model));
  const columns = [...pipeline.inputColumns];
  const space: ShapSpace = opts.task === 'regression' ? 'margin' : 'probability';
  const X = pipeline.transform(rows);
  const shap = modelShap(model, X, space, {
    columns,
    sources: pipeline.featureSources(),
    background: pipeline.transform(sample(train, opts.backgroundRows ?? 50)),
    seed: opts.seed,
    // Models with no exact method (the MLP): two antithetic orders of the columns per row.
    maxEvals: 2 * (2 * columns.length + 1),
  });
  const n = rows.numRows();
  const C = columns.length;
  const K = shap.outputs;
  const meanAbs = columns.map((column, c) => {
    let s = 0;
    for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) s += Math.abs(shap.values[(r * C + c) * K + k]);
    return { column, meanAbs: s / n };
  });
  meanAbs.sort((a, b) => b.meanAbs - a.meanAbs);
  const top = meanAbs.slice(0, opts.topColumns ?? 10).filter((m) => m.meanAbs > 0);
  const points: ShapSummary['points'] = [];
  const dependence: ShapSummary['dependence'] = [];
  if (K === 1) {
    for (const [i, { column }] of top.entries()) {
      const c = columns.indexOf(column);
      const raw = Array.from(rows.array(column) as ArrayLike<unknown>);
      const numeric = raw.every(
        (v) => v === null || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date,
      );
      const ranks = rankOf(raw.map(numberOf));
      for (let r = 0; r < n; r++) {
        points.push({ column, shap: shap.values[r * C + c], rank: ranks[r], jitter: rng.random() - 0.5 });
      }
      if (i < 3) {
        const pts: Array<{ value: number | string; shap: number }> = [];
        for (let r = 0; r < n; r++) {
          const v = raw[r];
          if (v === null || v === undefined) continue;
          pts.push({ value: numeric ? numberOf(v) : String(v), shap: shap.values[r * C + c] });
        }
        dependence.push({ column, numeric, points: pts });
      }
    }
  }
  return { space, method: shap.method, rows: n, meanAbs, points, dependence };
}

function numberOf(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : NaN;
}

/** Each value's rank among the finite ones, in 0..1 (0.5 for missing and non-numeric values). */
function rankOf(values: number[]): number[] {
  const idx = values.map((v, i) => ({ v, i })).filter(({ v }) => Number.isFinite(v));
  idx.sort((a, b) => a.v - b.v);
  const out = values.map(() => 0.5);
  const m = idx.length;
  idx.forEach(({ i }, j) => (out[i] = m > 1 ? j / (m - 1) : 0.5));
  return out;
}

/** Tree nodes an exact path-dependent explanation visits per row (every node of every tree). */
function treeNodes(model: FittedModel): number {
  const m = model as { ensemble?: { feature: Int32Array }; members?: ReadonlyArray<{ model: FittedModel }> };
  if (m.members) return m.members.reduce((s, x) => s + treeNodes(x.model), 0);
  return m.ensemble ? m.ensemble.feature.length : 0;
}

/**
 * 200 rows, or fewer when the trees are very large: path-dependent TreeSHAP visits every node for
 * every row (the default Kickstarter forest has 626,000 nodes: ~0.4 s a row here), so the rows
 * are cut to keep about 20 million node visits, never below 30.
 */
function rowBudget(model: FittedModel): number {
  const nodes = treeNodes(model);
  return nodes <= 100_000 ? 200 : Math.max(30, Math.floor(2e7 / nodes));
}
