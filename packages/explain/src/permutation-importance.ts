import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, createRng } from '@campaign-ml/core';
import { scoreWidth, type ExplainableModel } from './explainable-model';
import { resolveLoss, type LossFunction, type LossName } from './losses';
import { stackBlocks, takeRows, type ColumnValues, sameKind } from './repeat-rows';
import { targetValues } from './target-values';

export interface PermutationImportanceOptions {
  /**
   * Known outcomes: class indices 0..k−1 (classifier) or values (regressor), one per table row.
   * Default: the table's target column (the bundle's `target.column`), labels mapped to indices.
   */
  y?: ArrayLike<number>;
  /**
   * Lower-is-better loss: '1-auc' (classifier default; multiclass: 1 − macro one-vs-rest AUC),
   * 'rmse' (regressor default), 'cross-entropy', or a function (yTrue, scores, classes) => number.
   */
  loss?: LossName | LossFunction;
  /** Rounds (dalex's B), each on a fresh sample of rows. Default 10. */
  nRepeats?: number;
  /** Rows per round, drawn without replacement (dalex's N). Default 1,000; Infinity for every row. */
  maxRows?: number;
  /** Columns to permute one at a time. Default: every input column of the model. */
  columns?: readonly string[];
  /** Columns that move together, by group name (`{ spending: ['MntWines', 'MntMeat'] }`); replaces `columns`. */
  groups?: Readonly<Record<string, readonly string[]>>;
  /** Seed of core's RNG (default 0): the same seed gives the same result. */
  seed?: number;
  /** Most rows scored in one call (permuted copies of the sample are stacked up to it). Default 50,000. */
  chunkRows?: number;
}

/** One column (or group): the loss with its values permuted, and how much worse than the full model. */
export interface ColumnImportance {
  /** The column, or the group's name. */
  name: string;
  columns: string[];
  /** Mean loss over the rounds with these columns permuted (dalex's "dropout loss"). */
  mean: number;
  /** mean − fullModel: how much the loss grows without the column (the importance; 0 = unused). */
  difference: number;
  /** mean / fullModel. */
  ratio: number;
  /** Spread over the rounds of the per-round difference (permuted loss − that round's full-model loss). */
  std: number;
  min: number;
  max: number;
  /** The per-round differences. */
  rounds: number[];
}

export interface PermutationImportanceResult {
  /** The loss's name ('1-auc', 'rmse', 'cross-entropy' or the function's name). */
  loss: string;
  nRepeats: number;
  /** Rows in each round's sample. */
  rows: number;
  seed: number;
  /** Mean loss of the model on the samples as they are. */
  fullModel: number;
  /** Mean loss with the outcomes permuted instead (a model that knows nothing). */
  baseline: number;
  fullModelRounds: number[];
  baselineRounds: number[];
  /** Most important first (largest difference; ties keep the input order). */
  columns: ColumnImportance[];
}

/**
 * Permutation importance of a model's raw input columns, with the semantics of dalex's
 * `model_parts`: in each of `nRepeats` rounds a fresh sample of at most `maxRows` rows is drawn
 * without replacement; the loss is measured on it as it is (full model), with the outcomes
 * permuted (baseline), and with each column (or group of columns) permuted in turn. Results are
 * means over the rounds; `difference` = permuted − full ("dropout loss" minus the full model's).
 * Every permuted copy of a round's sample is scored in as few `scoreTable` calls as `chunkRows`
 * allows. Deterministic for a seed.
 *
 * ```ts
 * const imp = permutationImportance(bundle, test, { nRepeats: 10, seed: 1 });
 * imp.columns[0]; // { name: 'Income', difference: 0.081, std: 0.012, ... }
 * ```
 */
export function permutationImportance(
  model: ExplainableModel,
  table: ColumnTable,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const nRepeats = options.nRepeats ?? 10;
  const maxRows = options.maxRows ?? 1000;
  const seed = options.seed ?? 0;
  const chunkRows = options.chunkRows ?? 50_000;
  positiveInteger('nRepeats', nRepeats);
  if (!(maxRows === Infinity || (Number.isInteger(maxRows) && maxRows >= 2)))
    throw new ConfigError('INVALID_OPTION', `maxRows must be an integer ≥ 2 or Infinity, got ${maxRows}`, {
      column: 'maxRows',
      value: maxRows,
      expected: 'an integer ≥ 2',
    });
  positiveInteger('chunkRows', chunkRows);
  const y = targetValues(model, table, options.y);
  if (!y)
    throw new InputError(
      'MISSING_TARGET',
      `permutation importance needs the known outcomes: give options.y or a table with the target column${
        model.document ? ` "${model.document.target.column}"` : ''
      }`,
      { column: model.document?.target.column ?? 'y', expected: 'outcomes for every row' },
    );
  const inputs = model.features.inputColumns;
  const sets = importanceSets(inputs, table, options);
  const { fn: loss, name: lossName } = resolveLoss(model.task, options.loss);
  const k = scoreWidth(model);
  const n = table.numRows();
  const m = Math.min(n, maxRows);
  if (m < 2)
    throw new InputError('TOO_FEW_ROWS', `permutation importance needs at least 2 rows, the table has ${n}`, {
      value: n,
      expected: 'at least 2 rows',
    });
  const rng = createRng(seed);
  const fullRounds: number[] = [];
  const baselineRounds: number[] = [];
  const permuted = sets.map(() => new Float64Array(nRepeats));
  for (let round = 0; round < nRepeats; round++) {
    const idx = rng.sampleIndices(n, m);
    const sample = takeRows(table, inputs, idx);
    const ys = Float64Array.from(idx, (i) => y[i]);
    const scores = model.scoreTable(sample);
    fullRounds.push(loss(ys, scores, k));
    const order = rng.permutation(m);
    baselineRounds.push(
      loss(
        Float64Array.from(order, (i) => ys[i]),
        scores,
        k,
      ),
    );
    const orders = sets.map(() => rng.permutation(m));
    const perChunk = Math.max(1, Math.floor(chunkRows / m));
    for (let first = 0; first < sets.length; first += perChunk) {
      const blocks = Math.min(perChunk, sets.length - first);
      const stacked = stackBlocks(sample, inputs, blocks, (column, source) =>
        permutedColumn(column, source, sets, orders, first, blocks),
      );
      const all = model.scoreTable(stacked);
      for (let b = 0; b < blocks; b++)
        permuted[first + b][round] = loss(ys, all.subarray(b * m * k, (b + 1) * m * k), k);
    }
  }
  const fullModel = mean(fullRounds);
  const columns: ColumnImportance[] = sets.map((set, s) => {
    const losses = permuted[s];
    const rounds = Array.from(losses, (v, r) => v - fullRounds[r]);
    const lossMean = mean(losses);
    const d = mean(rounds);
    let ss = 0;
    for (const v of rounds) ss += (v - d) ** 2;
    return {
      name: set.name,
      columns: [...set.columns],
      mean: lossMean,
      difference: lossMean - fullModel,
      ratio: lossMean / fullModel,
      std: Math.sqrt(ss / rounds.length),
      min: Math.min(...rounds),
      max: Math.max(...rounds),
      rounds,
    };
  });
  const order = columns.map((_, i) => i).sort((a, b) => columns[b].difference - columns[a].difference || a - b);
  return {
    loss: lossName,
    nRepeats,
    rows: m,
    seed,
    fullModel,
    baseline: mean(baselineRounds),
    fullModelRounds: fullRounds,
    baselineRounds,
    columns: order.map((i) => columns[i]),
  };
}

interface ImportanceSet {
  name: string;
  columns: readonly string[];
}

/** The columns or groups to permute, checked against the model's inputs and the table. */
function importanceSets(
  inputs: readonly string[],
  table: ColumnTable,
  options: PermutationImportanceOptions,
): ImportanceSet[] {
  const names = new Set(table.columnNames());
  for (const c of inputs)
    if (!names.has(c))
      throw new InputError('MISSING_COLUMN', `the table has no column "${c}", which the model reads`, {
        column: c,
        expected: 'every input column of the model',
      });
  const known = new Set(inputs);
  const check = (column: string, where: string) => {
    if (!known.has(column))
      throw new ConfigError(
        'UNKNOWN_COLUMN',
        `${where} names "${column}", which is not an input column of the model (${inputs.join(', ')})`,
        { column, expected: 'an input column of the model' },
      );
  };
  if (options.groups) {
    const sets = Object.entries(options.groups).map(([name, columns]) => {
      if (!Array.isArray(columns) || columns.length === 0)
        throw new ConfigError('INVALID_OPTION', `group "${name}" must list at least one column`, {
          column: `groups.${name}`,
          value: columns,
          expected: 'a non-empty list of input columns',
        });
      for (const c of columns) check(c, `group "${name}"`);
      return { name, columns };
    });
    if (sets.length === 0)
      throw new ConfigError('INVALID_OPTION', 'groups is empty', { column: 'groups', expected: 'at least one group' });
    return sets;
  }
  const columns = options.columns ?? inputs;
  for (const c of columns) check(c, 'columns');
  return columns.map((c) => ({ name: c, columns: [c] }));
}

/**
 * The stacked values of `column` for blocks first..first+blocks−1: block b permuted by
 * `orders[first + b]` when set first + b holds the column, else the sample's values. Undefined
 * when no set of this chunk moves the column (stackBlocks repeats it then).
 */
function permutedColumn(
  column: string,
  source: ColumnValues,
  sets: readonly ImportanceSet[],
  orders: readonly Uint32Array[],
  first: number,
  blocks: number,
): ColumnValues | undefined {
  let moved = false;
  for (let b = 0; b < blocks && !moved; b++) moved = sets[first + b].columns.includes(column);
  if (!moved) return undefined;
  const m = source.length;
  const out = sameKind(source, m * blocks);
  for (let b = 0; b < blocks; b++) {
    const off = b * m;
    if (sets[first + b].columns.includes(column)) {
      const order = orders[first + b];
      for (let r = 0; r < m; r++) out[off + r] = source[order[r]];
    } else for (let r = 0; r < m; r++) out[off + r] = source[r];
  }
  return out;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function positiveInteger(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1))
    throw new ConfigError('INVALID_OPTION', `${name} must be a positive integer, got ${v}`, {
      column: name,
      value: v,
      expected: 'a positive integer',
    });
}
