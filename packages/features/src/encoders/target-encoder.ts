import { ConfigError, createRng, decodeArray, encodeArray, expectKind, kFold, registerLoader } from '@campaign-ml/core';
import type { EncodedArray, RunOptions, Serialized, Task } from '@campaign-ml/core';
import { checkTarget, columnValues, makeTable, newColumn } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { codeColumn, indexOf, lookupCodes } from './category-codes';

export interface TargetEncoderOptions {
  /** `'binary'` (y in {0,1}), `'multiclass'` (y in 0..k-1: one feature per class) or `'regression'`. Default: binary when y is all 0/1, else regression. */
  task?: Task;
  /** m-estimate smoothing: encoding = (sum of y + m * prior) / (count + m). Default 10. */
  smoothing?: number;
  /** Folds for the out-of-fold training encoding. Default 5. */
  folds?: number;
  /** Seed of the fold shuffle. Default 0. */
  seed?: number;
}

/**
 * Smoothed target encoding: each category -> the mean target of its rows, shrunk towards the
 * overall mean (`category.target`; multiclass: `category.target=k` per class k).
 *
 * Fitted OUT OF FOLD for the training rows: `fitTransform(train, y)` (which the ColumnPipeline
 * uses) splits the rows into `folds` shuffled folds with core's `kFold` and encodes each fold
 * with statistics from the other folds, so no training row sees its own target. Folds are not
 * stratified on purpose: their assignment then depends only on the row count and seed, never on
 * y. `transform` on new data uses the encoding from all training rows. Missing is a category;
 * an unseen category gets the prior (overall mean).
 */
export class TargetEncoder implements TableStep<FittedTargetEncoder> {
  readonly input = 'table';
  readonly params: Readonly<TargetEncoderOptions>;

  constructor(options: TargetEncoderOptions = {}) {
    const smoothing = options.smoothing ?? 10;
    if (!(smoothing >= 0))
      throw new ConfigError('INVALID_OPTION', `smoothing must be >= 0, got ${smoothing}`, { value: smoothing });
    this.params = Object.freeze({ smoothing, folds: 5, seed: 0, ...options });
  }

  fit(table: Table, y?: ArrayLike<number>): FittedTargetEncoder {
    const { targets, task } = this.targets(table, y);
    const columns = table.columnNames().map((name) => {
      const { codes, keys } = codeColumn(columnValues(table, name));
      const values = encodeStats(codes, keys.length, targets, task.prior, this.params.smoothing ?? 10, null);
      return { name, categories: keys, values };
    });
    return new FittedTargetEncoder(columns, task.prior, task.labels);
  }

  fitTransform(
    table: Table,
    y?: ArrayLike<number>,
    _opts?: RunOptions,
  ): { fitted: FittedTargetEncoder; output: Table } {
    const fitted = this.fit(table, y);
    const { targets, task } = this.targets(table, y);
    const n = table.numRows();
    const k = task.prior.length;
    const folds = kFold(n, Math.min(this.params.folds ?? 5, n), createRng(this.params.seed ?? 0));
    const out: Float64Array[] = [];
    for (const name of table.columnNames()) {
      const { codes, keys } = codeColumn(columnValues(table, name));
      const cols = Array.from({ length: k }, () => newColumn(n));
      const inTrain = new Uint8Array(n);
      for (const fold of folds) {
        inTrain.fill(0);
        for (let i = 0; i < fold.train.length; i++) inTrain[fold.train[i]] = 1;
        const prior = foldPrior(targets, inTrain, k);
        const values = encodeStats(codes, keys.length, targets, prior, this.params.smoothing ?? 10, inTrain);
        for (let t = 0; t < fold.test.length; t++) {
          const r = fold.test[t];
          const base = codes[r] * k;
          for (let j = 0; j < k; j++) cols[j][r] = values[base + j];
        }
      }
      out.push(...cols);
    }
    return { fitted, output: makeTable(fitted.featureNamesOut, out) };
  }

  /** y as one row-major block of k targets per row (k = 1, or one-hot classes for multiclass). */
  private targets(
    table: Table,
    y: ArrayLike<number> | undefined,
  ): { targets: Float64Array; task: { prior: number[]; labels: string[] } } {
    const yy = checkTarget(y, table.numRows(), 'TargetEncoder');
    let task = this.params.task;
    if (!task) task = yy.every((v) => v === 0 || v === 1) ? 'binary' : 'regression';
    if (task !== 'multiclass') {
      if (task === 'binary') {
        const bad = yy.findIndex((v) => v !== 0 && v !== 1);
        if (bad >= 0)
          throw new ConfigError(
            'INVALID_LABEL',
            `TargetEncoder (binary): label at row ${bad + 1} is ${yy[bad]}; expected 0 or 1`,
            { row: bad + 1, value: yy[bad] },
          );
      }
      let sum = 0;
      for (let i = 0; i < yy.length; i++) sum += yy[i];
      return { targets: yy, task: { prior: [sum / Math.max(yy.length, 1)], labels: [''] } };
    }
    let k = 0;
    for (let i = 0; i < yy.length; i++) {
      if (!Number.isInteger(yy[i]) || yy[i] < 0) {
        throw new ConfigError(
          'INVALID_LABEL',
          `TargetEncoder (multiclass): label at row ${i + 1} is ${yy[i]}; expected a class index 0..k-1`,
          { row: i + 1, value: yy[i] },
        );
      }
      k = Math.max(k, yy[i] + 1);
    }
    const targets = new Float64Array(yy.length * k);
    for (let i = 0; i < yy.length; i++) targets[i * k + yy[i]] = 1;
    const all = new Uint8Array(yy.length).fill(1);
    return {
      targets,
      task: { prior: foldPrior(targets, all, k), labels: Array.from({ length: k }, (_, j) => `=${j}`) },
    };
  }
}

function foldPrior(targets: Float64Array, use: Uint8Array, k: number): number[] {
  const sums = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < use.length; i++) {
    if (!use[i]) continue;
    n++;
    for (let j = 0; j < k; j++) sums[j] += targets[i * k + j];
  }
  return Array.from(sums, (s) => (n > 0 ? s / n : 0));
}

/** Smoothed encodings, row-major [category][k], from the rows with use[i] (all rows when use is null). */
function encodeStats(
  codes: Int32Array,
  cats: number,
  targets: Float64Array,
  prior: readonly number[],
  m: number,
  use: Uint8Array | null,
): Float64Array {
  const k = prior.length;
  const sums = new Float64Array(cats * k);
  const counts = new Float64Array(cats);
  for (let i = 0; i < codes.length; i++) {
    if (use && !use[i]) continue;
    const c = codes[i];
    counts[c]++;
    for (let j = 0; j < k; j++) sums[c * k + j] += targets[i * k + j];
  }
  for (let c = 0; c < cats; c++) {
    for (let j = 0; j < k; j++) {
      const denom = counts[c] + m;
      sums[c * k + j] = denom > 0 ? (sums[c * k + j] + m * prior[j]) / denom : prior[j];
    }
  }
  return sums;
}

const KIND = 'features/TargetEncoder';

interface TargetColumn {
  name: string;
  categories: string[];
  /** Row-major [category][k]. */
  values: Float64Array;
}

export class FittedTargetEncoder implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];
  /** Overall target mean per output (class share for multiclass): the encoding of unseen categories. */
  readonly prior: readonly number[];
  private readonly indexes: readonly Map<string, number>[];

  constructor(
    private readonly columns: readonly TargetColumn[],
    prior: readonly number[],
    private readonly labels: readonly string[],
  ) {
    this.prior = Object.freeze([...prior]);
    this.indexes = columns.map((c) => indexOf(c.categories));
    this.featureNamesIn = Object.freeze(columns.map((c) => c.name));
    this.featureNamesOut = Object.freeze(columns.flatMap((c) => labels.map((l) => `${c.name}.target${l}`)));
    Object.freeze(this);
  }

  transform(table: Table): Table {
    const k = this.prior.length;
    const out: Float64Array[] = [];
    this.columns.forEach((c, ci) => {
      const codes = lookupCodes(columnValues(table, c.name), this.indexes[ci]);
      const n = codes.length;
      for (let j = 0; j < k; j++) {
        const res = newColumn(n);
        const prior = this.prior[j];
        for (let i = 0; i < n; i++) res[i] = codes[i] < 0 ? prior : c.values[codes[i] * k + j];
        out.push(res);
      }
    });
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      prior: [...this.prior],
      labels: [...this.labels],
      columns: this.columns.map((c) => ({ name: c.name, categories: c.categories, values: encodeArray(c.values) })),
    };
  }

  static fromJSON(json: Serialized): FittedTargetEncoder {
    expectKind(json, KIND, 1);
    const columns = (json.columns as { name: string; categories: string[]; values: EncodedArray }[]).map((c) => ({
      name: c.name,
      categories: c.categories,
      values: decodeArray<Float64Array>(c.values, `${c.name}.values`),
    }));
    return new FittedTargetEncoder(columns, json.prior as number[], json.labels as string[]);
  }
}

registerLoader(KIND, FittedTargetEncoder.fromJSON);
