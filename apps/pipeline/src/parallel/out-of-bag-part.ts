import { take, type Matrix, type Task } from '@campaign-ml/core';
import { RandomForestClassifier, RandomForestRegressor, type ForestPart, type TreeRange } from '@campaign-ml/models';
import type { Params } from '@campaign-ml/tuning';
import type { ModelFamily } from '../config';
import type { Family } from '../families';
import { familyOf, type FamilyCatalog } from '../family-catalog';

/** Which trees of which forest a part grows (the fields of a fold job it reads). */
export interface OutOfBagPartSpec {
  family: ModelFamily;
  catalog?: FamilyCatalog;
  task: Task;
  params: Params;
  seed: number;
  part: TreeRange;
  /** Weights of all training rows; the part fits with its rows' weights. */
  sampleWeight?: Float64Array;
}

/**
 * The parts one forest is grown in: two halves of its trees, one per worker thread (or two jobs on
 * the queue). Fixed, not the pool's size, so the merged out-of-bag sums are the same wherever the
 * halves run.
 */
export function forestHalves(nEstimators: number): TreeRange[] {
  if (nEstimators < 2) return [{ start: 0, end: nEstimators }];
  const mid = Math.ceil(nEstimators / 2);
  return [
    { start: 0, end: mid },
    { start: mid, end: nEstimators },
  ];
}

/**
 * The family's estimator for `params`, as a forest that keeps its out-of-bag sums; undefined when
 * the family is not a bootstrapped random forest (nothing is left out of bag then).
 */
export function outOfBagEstimator(
  fam: Family,
  task: Task,
  params: Params,
  seed: number,
): RandomForestClassifier | RandomForestRegressor | undefined {
  const est = fam.create(task, params, seed);
  if (est instanceof RandomForestClassifier && est.params.bootstrap)
    return new RandomForestClassifier({ ...est.params, oobScore: true });
  if (est instanceof RandomForestRegressor && est.params.bootstrap)
    return new RandomForestRegressor({ ...est.params, oobScore: true });
  return undefined;
}

/**
 * Grow trees [part.start, part.end) of the family's forest on the training rows `rows` (with their
 * sample weights), keeping the out-of-bag sums of those trees per row of `rows`. A tuning trial's
 * part sends back only the sums (rows x outputs numbers); a kept model's parts send their trees
 * too, for fromParts to join.
 */
export function fitForestPart(spec: OutOfBagPartSpec, rows: Uint32Array, X: Matrix, y: Float64Array): ForestPart {
  const fam = familyOf(spec.catalog ?? 'table', spec.family);
  const est = outOfBagEstimator(fam, spec.task, spec.params, spec.seed);
  if (!est) throw new Error(`internal: ${spec.family} is not a bootstrapped forest: no out-of-bag part`);
  let all = rows.length === X.rows;
  for (let i = 0; all && i < rows.length; i++) all = rows[i] === i;
  const Xp = all ? X : take(X, rows);
  const yp = all ? y : Float64Array.from(rows, (r) => y[r]);
  const w = spec.sampleWeight;
  const sampleWeight = w && !all ? Float64Array.from(rows, (r) => w[r]) : w;
  return est.fitPart(Xp, yp, spec.part, { sampleWeight });
}
