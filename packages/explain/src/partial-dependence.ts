import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, createRng } from '@campaign-ml/core';
import { columnKind, type ColumnKind } from './column-kind';
import { curveClass, scoreWidth, type ExplainableModel } from './explainable-model';
import { gridFor, type Grid, type GridOptions, type GridValue } from './grid';
import { stackBlocks, takeRows, type ColumnValues } from './repeat-rows';

export interface PartialDependenceOptions extends GridOptions {
  /** 'average' (default): the PDP; 'individual': also each row's ICE curve; 'both': the same as 'individual'. */
  kind?: 'average' | 'individual' | 'both';
  /** Centred ICE: every curve (and the average) minus its value at the first grid point. Default false. */
  centered?: boolean;
  /** Rows the curves average over: a seeded sample when the table has more. Default 1,000; Infinity for all. */
  maxRows?: number;
  /** Seed of the row sample (default 0). */
  seed?: number;
  /** Multiclass: the class of `average`/`individual`, a label or index (default: the positive class, else class 0). */
  class?: string | number;
  /** Most rows scored in one call (grid points × sampled rows are stacked up to it). Default 50,000. */
  chunkRows?: number;
}

/** A partial-dependence curve of one column, in probability space for a classifier. */
export interface PartialDependence {
  column: string;
  kind: ColumnKind;
  /** Grid points (datetimes as epoch milliseconds). */
  grid: GridValue[];
  gridSource: Grid['source'];
  /** Mean prediction over the rows with the column set to each grid point: P(positive) for a binary
   *  classifier, P(`class`) for a multiclass one, the value for a regressor. */
  average: number[];
  /** ICE: one curve per sampled row (rows × grid), with kind 'individual' or 'both'. */
  individual?: number[][];
  /** Multiclass: the average curve of every class (classes × grid). */
  byClass?: number[][];
  /** The class the curves show (label name), for a classifier. */
  class?: string;
  centered: boolean;
  /** Rows averaged over. */
  rows: number;
}

/**
 * Partial dependence (and ICE) of a model's prediction on one input column, by brute force as
 * scikit-learn's `partial_dependence(method='brute')`: for every grid point, every sampled row is
 * scored with the column set to that point, and the scores are averaged. The sampled rows are
 * copied once per grid point into one stacked table, `chunkRows` rows at a time, so each chunk
 * costs one `scoreTable` call.
 *
 * ```ts
 * const pd = partialDependence(bundle, table, 'Income', { kind: 'both', maxRows: 500 });
 * pd.grid; pd.average; pd.individual;
 * ```
 */
export function partialDependence(
  model: ExplainableModel,
  table: ColumnTable,
  column: string,
  options: PartialDependenceOptions = {},
): PartialDependence {
  const kindOpt = options.kind ?? 'average';
  if (!['average', 'individual', 'both'].includes(kindOpt))
    throw new ConfigError('INVALID_OPTION', `kind must be 'average', 'individual' or 'both', got "${kindOpt}"`, {
      column: 'kind',
      value: kindOpt,
      expected: "'average' | 'individual' | 'both'",
    });
  checkColumn(model, table, column);
  const kind = columnKind(model, table, column);
  const grid = gridFor(column, kind, table.array(column) as ColumnValues, options, categoryOrder(model, column));
  const sample = sampleRows(model, table, options.maxRows ?? 1000, options.seed ?? 0);
  const m = sample.numRows();
  const k = scoreWidth(model);
  const cls = checkedClass(model, options.class);
  const G = grid.values.length;
  const wantIce = kindOpt !== 'average';
  const sums = new Float64Array(G * k);
  const ice = wantIce ? Array.from({ length: m }, () => new Array<number>(G)) : undefined;
  forEachChunk(
    model,
    sample,
    [column],
    grid.values.map((g) => [toCell(kind, g)]),
    options.chunkRows,
    (g, scores, off) => {
      for (let r = 0; r < m; r++) {
        const base = (off + r) * k;
        for (let c = 0; c < k; c++) sums[g * k + c] += scores[base + c];
        if (ice) ice[r][g] = scores[base + cls];
      }
    },
  );
  const curve = (c: number) => Array.from({ length: G }, (_, g) => sums[g * k + c] / m);
  let average = curve(cls);
  const centered = Boolean(options.centered);
  if (centered) {
    const a0 = average[0];
    average = average.map((v) => v - a0);
    if (ice) for (const row of ice) for (let g = G - 1; g >= 0; g--) row[g] -= row[0];
  }
  return {
    column,
    kind,
    grid: grid.values,
    gridSource: grid.source,
    average,
    ...(ice ? { individual: ice } : {}),
    ...(model.task === 'multiclass' ? { byClass: Array.from({ length: k }, (_, c) => curve(c)) } : {}),
    ...(model.classes && model.task !== 'regression' ? { class: model.classes[cls] } : {}),
    centered,
    rows: m,
  };
}

/** A two-way partial dependence: the mean prediction over a grid of pairs. */
export interface PartialDependence2d {
  columns: [string, string];
  kinds: [ColumnKind, ColumnKind];
  grids: [GridValue[], GridValue[]];
  /** average[i][j]: the mean prediction with the first column at grids[0][i] and the second at grids[1][j]. */
  average: number[][];
  class?: string;
  rows: number;
}

/**
 * Two-way partial dependence of a pair of columns (each on its own grid, as `partialDependence`;
 * `gridResolution` applies to both, default 20 here), averaged over the sampled rows.
 */
export function partialDependence2d(
  model: ExplainableModel,
  table: ColumnTable,
  columns: readonly [string, string],
  options: Omit<PartialDependenceOptions, 'kind' | 'centered'> & {
    /** A grid per column (overrides `grid`). */
    grids?: readonly [GridOptions['grid'], GridOptions['grid']];
  } = {},
): PartialDependence2d {
  const [a, b] = columns;
  if (a === b)
    throw new ConfigError(
      'INVALID_OPTION',
      `a two-way partial dependence needs two different columns, got "${a}" twice`,
      {
        column: a,
      },
    );
  checkColumn(model, table, a);
  checkColumn(model, table, b);
  const gridOpt = (i: 0 | 1): GridOptions => ({
    percentiles: options.percentiles,
    gridResolution: options.gridResolution ?? 20,
    grid: options.grids ? options.grids[i] : options.grid,
  });
  const kinds: [ColumnKind, ColumnKind] = [columnKind(model, table, a), columnKind(model, table, b)];
  const ga = gridFor(a, kinds[0], table.array(a) as ColumnValues, gridOpt(0), categoryOrder(model, a)).values;
  const gb = gridFor(b, kinds[1], table.array(b) as ColumnValues, gridOpt(1), categoryOrder(model, b)).values;
  const sample = sampleRows(model, table, options.maxRows ?? 1000, options.seed ?? 0);
  const m = sample.numRows();
  const k = scoreWidth(model);
  const cls = checkedClass(model, options.class);
  const points: unknown[][] = [];
  for (const va of ga) for (const vb of gb) points.push([toCell(kinds[0], va), toCell(kinds[1], vb)]);
  const average = ga.map(() => new Array<number>(gb.length).fill(0));
  forEachChunk(model, sample, [a, b], points, options.chunkRows, (p, scores, off) => {
    let s = 0;
    for (let r = 0; r < m; r++) s += scores[(off + r) * k + cls];
    average[Math.floor(p / gb.length)][p % gb.length] = s / m;
  });
  return {
    columns: [a, b],
    kinds,
    grids: [ga, gb],
    average,
    ...(model.classes && model.task !== 'regression' ? { class: model.classes[cls] } : {}),
    rows: m,
  };
}

/**
 * Score the sample once per point (each point sets `columns` to its values), `chunkRows` rows per
 * `scoreTable` call; `each(point, scores, offset)` sees the chunk's scores with the point's rows
 * starting at row `offset`.
 */
function forEachChunk(
  model: ExplainableModel,
  sample: ColumnTable,
  columns: readonly string[],
  points: readonly (readonly unknown[])[],
  chunkRows: number | undefined,
  each: (point: number, scores: Float64Array, offset: number) => void,
): void {
  const m = sample.numRows();
  const perChunk = Math.max(1, Math.floor((chunkRows ?? 50_000) / m));
  const inputs = model.features.inputColumns;
  for (let first = 0; first < points.length; first += perChunk) {
    const blocks = Math.min(perChunk, points.length - first);
    const stacked = stackBlocks(sample, inputs, blocks, (column, source) => {
      const which = columns.indexOf(column);
      if (which < 0) return undefined;
      const out = asPlain(source, m * blocks);
      for (let b = 0; b < blocks; b++) out.fill(points[first + b][which], b * m, (b + 1) * m);
      return out as unknown as ColumnValues;
    });
    const scores = model.scoreTable(stacked);
    for (let b = 0; b < blocks; b++) each(first + b, scores, b * m);
  }
}

/**
 * An array for a column that will hold grid values: Float64Array for a Float64Array column, else a
 * plain array (an integer typed array would truncate a grid point between two integers).
 */
function asPlain(source: ColumnValues, length: number): { fill(v: unknown, start: number, end: number): unknown } {
  return (source instanceof Float64Array ? new Float64Array(length) : new Array<unknown>(length)) as {
    fill(v: unknown, start: number, end: number): unknown;
  };
}

/** The value a grid point takes in a table cell (datetimes back to Date). */
function toCell(kind: ColumnKind, g: GridValue): unknown {
  return kind === 'datetime' && typeof g === 'number' ? new Date(g) : g;
}

function sampleRows(model: ExplainableModel, table: ColumnTable, maxRows: number, seed: number): ColumnTable {
  if (!(maxRows === Infinity || (Number.isInteger(maxRows) && maxRows >= 1)))
    throw new ConfigError('INVALID_OPTION', `maxRows must be a positive integer or Infinity, got ${maxRows}`, {
      column: 'maxRows',
      value: maxRows,
      expected: 'a positive integer',
    });
  const n = table.numRows();
  if (n === 0) throw new InputError('EMPTY_INPUT', 'the table has no rows to average over', { expected: 'rows' });
  const inputs = model.features.inputColumns;
  const idx =
    n > maxRows ? createRng(seed).sampleIndices(n, maxRows).sort() : Uint32Array.from({ length: n }, (_, i) => i);
  return takeRows(table, inputs, idx);
}

function checkColumn(model: ExplainableModel, table: ColumnTable, column: string): void {
  if (!model.features.inputColumns.includes(column))
    throw new ConfigError(
      'UNKNOWN_COLUMN',
      `"${column}" is not an input column of the model (${model.features.inputColumns.join(', ')})`,
      { column, expected: 'an input column of the model' },
    );
  for (const c of model.features.inputColumns)
    if (!table.columnNames().includes(c))
      throw new InputError('MISSING_COLUMN', `the table has no column "${c}", which the model reads`, {
        column: c,
        expected: 'every input column of the model',
      });
}

function checkedClass(model: ExplainableModel, wanted: string | number | undefined): number {
  const cls = curveClass(model, wanted);
  if (cls < 0)
    throw new ConfigError('UNKNOWN_CLASS', `class ${JSON.stringify(wanted)} is not one of the model's classes`, {
      column: 'class',
      value: wanted,
      expected: (model.classes ?? []).join(', '),
    });
  return cls;
}

function categoryOrder(model: ExplainableModel, column: string): readonly string[] {
  return model.document?.schema.columns.find((c) => c.name === column)?.categories ?? [];
}
