import { type Matrix, createRng, take } from '@campaign-ml/core';
import { type Resampled, classCounts } from './class-counts';
import { type SamplingOptions, membersByClass, pick } from './random-over-sample';

/**
 * Random under-sampling for training only: every larger class keeps a random subset (without
 * replacement) the size of the smallest present class. Kept rows stay in their original order.
 */
export function randomUnderSample(X: Matrix, y: ArrayLike<number>, opts: SamplingOptions = {}): Resampled {
  const { labels, classes, counts } = classCounts(y, X.rows);
  const rng = createRng(opts.seed ?? 0);
  let min = Infinity;
  for (let k = 0; k < classes; k++) if (counts[k] > 0 && counts[k] < min) min = counts[k];
  const keep = new Uint8Array(X.rows);
  const byClass = membersByClass(labels, classes);
  for (const m of byClass) {
    if (m.length === 0) continue;
    const chosen = rng.sampleIndices(m.length, min);
    for (let i = 0; i < chosen.length; i++) keep[m[chosen[i]]] = 1;
  }
  const idx: number[] = [];
  for (let i = 0; i < X.rows; i++) if (keep[i]) idx.push(i);
  const indices = Int32Array.from(idx);
  return { X: take(X, indices), y: pick(labels, indices), indices };
}
