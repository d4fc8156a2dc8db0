import { ConfigError, InputError, createRng, groupKFold, kFold, stratifiedKFold, type Fold } from '@campaign-ml/core';

export interface FoldOptions {
  /** Number of folds (default 5), or ready-made folds (e.g. shared with a tuner). */
  folds?: number | readonly Fold[];
  /** Seed for shuffling rows before they are dealt into folds (default 0). */
  seed?: number;
  /** Shuffle before dealing (default true); false keeps row order (contiguous folds). */
  shuffle?: boolean;
  /** Keep class proportions in every fold; default true for classification, ignored with groups. */
  stratified?: boolean;
  /** Group of each row: a group's rows are never split between train and test. */
  groups?: ArrayLike<unknown>;
}

/** Check user-supplied folds: indices in range, train and test disjoint, test non-empty. */
function checkGivenFolds(folds: readonly Fold[], n: number): Fold[] {
  if (folds.length < 1)
    throw new ConfigError('INVALID_FOLDS', 'folds is an empty list; pass a number >= 2 or at least one fold', {
      value: 0,
    });
  const mark = new Int32Array(n);
  folds.forEach((f, i) => {
    if (!f || !f.train || !f.test || f.test.length === 0 || f.train.length === 0) {
      throw new ConfigError('INVALID_FOLDS', `fold ${i} needs non-empty train and test index arrays`, { value: i });
    }
    const stamp = i + 1;
    for (let j = 0; j < f.test.length; j++) {
      const r = f.test[j];
      if (!(Number.isInteger(r) && r >= 0 && r < n)) {
        throw new InputError('ROW_OUT_OF_RANGE', `fold ${i}: test row ${r} is out of range 0..${n - 1}`, {
          row: r,
          value: r,
        });
      }
      mark[r] = stamp;
    }
    for (let j = 0; j < f.train.length; j++) {
      const r = f.train[j];
      if (!(Number.isInteger(r) && r >= 0 && r < n)) {
        throw new InputError('ROW_OUT_OF_RANGE', `fold ${i}: train row ${r} is out of range 0..${n - 1}`, {
          row: r,
          value: r,
        });
      }
      if (mark[r] === stamp) {
        throw new InputError('TRAIN_TEST_OVERLAP', `fold ${i}: row ${r} is in both the training and the test part`, {
          row: r,
        });
      }
    }
  });
  return folds.map((f) => ({ train: Uint32Array.from(f.train), test: Uint32Array.from(f.test) }));
}

/** The folds for cross-validation: given, grouped, stratified or plain k-fold (core's splitters). */
export function makeFolds(y: ArrayLike<number>, options: FoldOptions, classification: boolean): Fold[] {
  const n = y.length;
  const { folds = 5, groups } = options;
  if (typeof folds !== 'number') return checkGivenFolds(folds, n);
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ConfigError('INVALID_FOLDS', `folds must be an integer >= 2 (or a list of folds), got ${String(folds)}`, {
      value: folds,
      expected: 'an integer >= 2',
    });
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed))
    throw new ConfigError('INVALID_OPTION', `seed must be a finite number, got ${seed}`, { value: seed });
  const rng = options.shuffle === false ? undefined : createRng(seed);
  if (groups) {
    if (options.stratified === true) {
      throw new ConfigError(
        'INVALID_OPTION',
        'stratified and groups cannot be combined; drop one (groups keep each group in one fold)',
        {
          value: 'stratified + groups',
        },
      );
    }
    if (groups.length !== n) {
      throw new InputError('LENGTH_MISMATCH', `groups has ${groups.length} values but there are ${n} rows`, {
        value: groups.length,
        expected: `${n} values`,
      });
    }
    return groupKFold(groups, folds, rng);
  }
  if (options.stratified ?? classification) return stratifiedKFold(y, folds, rng);
  return kFold(n, folds, rng);
}
