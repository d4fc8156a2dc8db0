import { InputError, type Matrix } from '@campaign-ml/core';

/**
 * Sequence input for the recurrent models: `rows` sequences of up to `steps` time steps, each step a
 * vector of `features` numbers (e.g. one row per profile, one step per week, the week's features).
 *
 * Unlike Matrix (column-major), the values are row-major by sequence and then by step: the value of
 * row r, step t, feature f is `data[(r * steps + t) * features + f]`. A recurrent layer walks one
 * sequence step by step, so each step's features sit next to each other.
 *
 * Ragged sequences are padded at the end: row r has `lengths[r]` valid steps (1..steps), steps from
 * `lengths[r]` on are padding and are never read (any value, NaN included, is fine there). Without
 * `lengths` every row has all `steps` steps.
 */
export interface Sequences {
  readonly rows: number;
  readonly steps: number;
  readonly features: number;
  /** One name per feature (what the step vector holds), checked at predict like Matrix columns. */
  readonly featureNames: readonly string[];
  readonly data: Float64Array;
  /** Valid steps per row, 1..steps; absent = every row is full. */
  readonly lengths?: Int32Array;
}

/** Build Sequences, checking shape, names and lengths (values are checked by the models). */
export function createSequences(
  rows: number,
  steps: number,
  features: number,
  data: Float64Array,
  opts: { lengths?: ArrayLike<number>; featureNames?: readonly string[] } = {},
): Sequences {
  for (const [name, v, min] of [
    ['rows', rows, 0],
    ['steps', steps, 1],
    ['features', features, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new InputError('SEQUENCE_SHAPE', `sequences: ${name} must be an integer >= ${min}, got ${v}`, {
        column: name,
        value: v,
        expected: `an integer >= ${min}`,
      });
  }
  if (!(data instanceof Float64Array) || data.length !== rows * steps * features) {
    throw new InputError(
      'SEQUENCE_SHAPE',
      `sequences: data has ${data?.length} values but ${rows} rows x ${steps} steps x ${features} features need ${rows * steps * features} (row-major: row, then step, then feature)`,
      { value: data?.length, expected: `a Float64Array of ${rows * steps * features} values` },
    );
  }
  const featureNames = opts.featureNames ?? Array.from({ length: features }, (_, i) => `x${i}`);
  if (featureNames.length !== features) {
    throw new InputError('SEQUENCE_SHAPE', `sequences: ${featureNames.length} feature names for ${features} features`, {
      value: featureNames.length,
      expected: `${features} names`,
    });
  }
  let lengths: Int32Array | undefined;
  if (opts.lengths) {
    if (opts.lengths.length !== rows) {
      throw new InputError('SEQUENCE_SHAPE', `sequences: ${opts.lengths.length} lengths for ${rows} rows`, {
        value: opts.lengths.length,
        expected: `${rows} lengths`,
      });
    }
    lengths = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const L = opts.lengths[r];
      if (!Number.isInteger(L) || L < 1 || L > steps) {
        throw new InputError(
          'SEQUENCE_LENGTH',
          `sequences: row ${r} has length ${L}; lengths must be integers 1..${steps} (the valid steps at the start of the row)`,
          { row: r, column: 'lengths', value: L, expected: `an integer 1..${steps}` },
        );
      }
      lengths[r] = L;
    }
  }
  return Object.freeze({
    rows,
    steps,
    features,
    featureNames: Object.freeze([...featureNames]),
    data,
    ...(lengths ? { lengths } : {}),
  });
}

/**
 * Build Sequences from nested arrays `rows[r][t][f]`; rows may have different numbers of steps
 * (they are padded with 0 at the end and their lengths recorded).
 */
export function sequencesFromArrays(
  rows: ArrayLike<ArrayLike<ArrayLike<number>>>,
  featureNames?: readonly string[],
): Sequences {
  const n = rows.length;
  let steps = 0;
  let features = featureNames?.length ?? -1;
  let ragged = false;
  for (let r = 0; r < n; r++) {
    const seq = rows[r];
    if (seq.length < 1)
      throw new InputError('SEQUENCE_LENGTH', `sequences: row ${r} has no steps`, { row: r, expected: '>= 1 step' });
    if (r > 0 && seq.length !== steps) ragged = true;
    steps = Math.max(steps, seq.length);
    for (let t = 0; t < seq.length; t++) {
      if (features < 0) features = seq[t].length;
      if (seq[t].length !== features) {
        throw new InputError(
          'SEQUENCE_SHAPE',
          `sequences: row ${r}, step ${t} has ${seq[t].length} features, expected ${features}`,
          { row: r, value: seq[t].length, expected: `${features} features` },
        );
      }
    }
  }
  if (features < 1) features = 1;
  const data = new Float64Array(n * Math.max(1, steps) * features);
  const lengths = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const seq = rows[r];
    lengths[r] = seq.length;
    for (let t = 0; t < seq.length; t++) {
      const o = (r * steps + t) * features;
      for (let f = 0; f < features; f++) data[o + f] = seq[t][f];
    }
  }
  return createSequences(n, Math.max(1, steps), features, data, {
    featureNames,
    ...(ragged ? { lengths } : {}),
  });
}

/**
 * Sequences from a Matrix of lag columns, e.g. the weekly lag features of a forecast: `steps[t]`
 * names the columns of step t (oldest first), one per feature, in the same feature order each step.
 * Feature names are taken from `featureNames` (default the first step's column names).
 */
export function sequencesFromMatrix(
  X: Matrix,
  steps: readonly (readonly string[])[],
  featureNames?: readonly string[],
): Sequences {
  const T = steps.length;
  const F = T > 0 ? steps[0].length : 0;
  const index = new Map<string, number>();
  X.columns.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  const cols = steps.map((names, t) => {
    if (names.length !== F) {
      throw new InputError(
        'SEQUENCE_SHAPE',
        `sequencesFromMatrix: step ${t} names ${names.length} columns, expected ${F}`,
        {
          value: names.length,
          expected: `${F} columns`,
        },
      );
    }
    return names.map((name) => {
      const c = index.get(name);
      if (c === undefined)
        throw new InputError('UNKNOWN_COLUMN', `sequencesFromMatrix: column "${name}" (step ${t}) is not in X`, {
          column: name,
        });
      return c;
    });
  });
  const n = X.rows;
  const data = new Float64Array(n * T * F);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) {
      const src = cols[t][f] * n;
      for (let r = 0; r < n; r++) data[(r * T + t) * F + f] = X.data[src + r];
    }
  }
  return createSequences(n, T, F, data, { featureNames: featureNames ?? steps[0] });
}

/** Valid steps of row r. */
export function lengthOf(X: Sequences, r: number): number {
  return X.lengths ? X.lengths[r] : X.steps;
}

/**
 * Every value in a valid step is finite: else an InputError naming the row, step and feature.
 * (Padding beyond a row's length is not read and not checked.)
 */
export function checkSequenceValues(X: Sequences, model: string): void {
  const { rows, steps, features, data } = X;
  if (!X.lengths) {
    let s = 0;
    for (let i = 0; i < data.length; i++) s += data[i] * 0;
    if (s === 0) return;
  }
  for (let r = 0; r < rows; r++) {
    const L = lengthOf(X, r);
    for (let t = 0; t < L; t++) {
      const o = (r * steps + t) * features;
      for (let f = 0; f < features; f++) {
        const v = data[o + f];
        if (!Number.isFinite(v)) {
          const what = Number.isNaN(v) ? 'missing (NaN)' : String(v);
          throw new InputError(
            'MISSING_VALUE',
            `${model} cannot use missing or infinite values: feature "${X.featureNames[f]}" is ${what} at row ${r}, step ${t}; impute it, or end the row's length before that step`,
            { row: r, column: X.featureNames[f], value: v, expected: 'a finite number' },
          );
        }
      }
    }
  }
}

/** The sequences' features are the ones the model was fitted on, by count and name. */
export function checkSequenceFeatures(X: Sequences, featureNames: readonly string[], model: string): void {
  if (X.features !== featureNames.length) {
    throw new InputError(
      'COLUMN_MISMATCH',
      `${model} was fitted on ${featureNames.length} features per step but the sequences have ${X.features}`,
      { value: X.features, expected: `${featureNames.length} features` },
    );
  }
  for (let f = 0; f < featureNames.length; f++) {
    if (X.featureNames[f] !== featureNames[f]) {
      throw new InputError(
        'COLUMN_MISMATCH',
        `${model}: feature ${f} is "${X.featureNames[f]}" but the model expects "${featureNames[f]}"`,
        { column: X.featureNames[f], expected: featureNames[f] },
      );
    }
  }
}

/** The sequences at the given rows, in that order. */
export function takeSequences(X: Sequences, idx: ArrayLike<number>): Sequences {
  const span = X.steps * X.features;
  const data = new Float64Array(idx.length * span);
  const lengths = X.lengths ? new Int32Array(idx.length) : undefined;
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    data.set(X.data.subarray(r * span, (r + 1) * span), i * span);
    if (lengths) lengths[i] = X.lengths![r];
  }
  return createSequences(idx.length, X.steps, X.features, data, { lengths, featureNames: X.featureNames });
}
