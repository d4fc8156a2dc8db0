import { InputError } from './errors';
import type { Rng } from './rng';

/**
 * Row-index splits shared by every package: ingest applies them to tables, models' cross-validation
 * and tuning to matrices. All are deterministic for a given RNG state.
 */

export interface Fold {
  train: Uint32Array;
  test: Uint32Array;
}

function checkFolds(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2)
    throw new InputError('INVALID_FOLDS', `folds must be an integer >= 2, got ${k}`, { value: k });
  if (k > n)
    throw new InputError('INVALID_FOLDS', `cannot make ${k} folds from ${n} rows`, { value: k, expected: `<= ${n}` });
}

function foldsFromAssignment(assign: Int32Array, k: number): Fold[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < assign.length; i++) sizes[assign[i]]++;
  return Array.from({ length: k }, (_, f) => {
    const test = new Uint32Array(sizes[f]);
    const train = new Uint32Array(assign.length - sizes[f]);
    let a = 0;
    let b = 0;
    for (let i = 0; i < assign.length; i++) {
      if (assign[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    return { train, test };
  });
}

/** Plain k-fold over n rows, shuffled by rng (or in order when rng is omitted). */
export function kFold(n: number, k: number, rng?: Rng): Fold[] {
  checkFolds(k, n);
  const order = rng ? rng.permutation(n) : Uint32Array.from({ length: n }, (_, i) => i);
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) assign[order[i]] = Math.floor((i * k) / n);
  return foldsFromAssignment(assign, k);
}

/** Group labels y (any values) into index lists per distinct value, in first-seen order. */
function groupIndices(y: ArrayLike<unknown>): number[][] {
  const groups = new Map<unknown, number[]>();
  for (let i = 0; i < y.length; i++) {
    const key = y[i];
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.values()];
}

/**
 * Stratified k-fold: every fold keeps the class proportions of y (as scikit-learn's
 * StratifiedKFold with shuffle). Each class is shuffled and dealt round-robin, continuing
 * from fold to fold across classes so fold sizes differ by at most one.
 */
export function stratifiedKFold(y: ArrayLike<unknown>, k: number, rng?: Rng): Fold[] {
  checkFolds(k, y.length);
  const assign = new Int32Array(y.length);
  let next = 0;
  for (const members of groupIndices(y)) {
    if (rng) rng.shuffle(members);
    for (const i of members) {
      assign[i] = next;
      next = (next + 1) % k;
    }
  }
  return foldsFromAssignment(assign, k);
}

/**
 * Group k-fold: rows of one group never straddle train and test. Groups are placed largest
 * first into the currently smallest fold (as scikit-learn's GroupKFold); rng breaks ties by
 * shuffling groups of equal size.
 */
export function groupKFold(groups: ArrayLike<unknown>, k: number, rng?: Rng): Fold[] {
  const members = groupIndices(groups);
  if (members.length < k) {
    throw new InputError('INVALID_FOLDS', `group k-fold needs at least ${k} groups, found ${members.length}`, {
      value: members.length,
    });
  }
  if (rng) rng.shuffle(members);
  const order = members.map((m, i) => ({ m, i })).sort((a, b) => b.m.length - a.m.length || a.i - b.i);
  const load = new Float64Array(k);
  const assign = new Int32Array(groups.length);
  for (const { m } of order) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f] < load[best]) best = f;
    for (const i of m) assign[i] = best;
    load[best] += m.length;
  }
  return foldsFromAssignment(assign, k);
}

/**
 * One train/test split of n rows. With `stratify`, each class contributes round(testSize * count)
 * rows to the test part (at least one when the class has two or more rows).
 */
export function trainTestSplitIndices(
  n: number,
  opts: { testSize: number; rng: Rng; stratify?: ArrayLike<unknown> },
): Fold {
  const { testSize, rng, stratify } = opts;
  if (!(testSize > 0 && testSize < 1)) {
    throw new InputError('INVALID_TEST_SIZE', `testSize must be between 0 and 1 (exclusive), got ${testSize}`, {
      value: testSize,
    });
  }
  if (stratify && stratify.length !== n) {
    throw new InputError('LENGTH_MISMATCH', `stratify has ${stratify.length} values for ${n} rows`);
  }
  const isTest = new Uint8Array(n);
  const groups = stratify ? groupIndices(stratify) : [Array.from({ length: n }, (_, i) => i)];
  for (const members of groups) {
    rng.shuffle(members);
    let take = Math.round(members.length * testSize);
    if (stratify && take === 0 && members.length >= 2) take = 1;
    if (take >= members.length && members.length > 1) take = members.length - 1;
    for (let j = 0; j < take; j++) isTest[members[j]] = 1;
  }
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) assign[i] = isTest[i] ? 0 : 1;
  const [test, train] = foldsFromAssignment(assign, 2).map((f) => f.test);
  return { train, test };
}
