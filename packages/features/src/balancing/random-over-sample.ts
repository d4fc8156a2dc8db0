import { type Matrix, createRng, take } from '@campaign-ml/core';
import { type Resampled, classCounts } from './class-counts';

export interface SamplingOptions {
  /** Seed for core's RNG (default 0). */
  seed?: number;
}

/**
 * Random over-sampling for training only: every smaller class gets rows drawn with replacement
 * until it matches the largest class. The original rows come first, in order.
 */
export function randomOverSample(X: Matrix, y: ArrayLike<number>, opts: SamplingOptions = {}): Resampled {
  const { labels, classes, counts } = classCounts(y, X.rows);
  const rng = createRng(opts.seed ?? 0);
  const max = Math.max(...counts);
  const byClass = membersByClass(labels, classes);
  const extra: number[] = [];
  for (let k = 0; k < classes; k++) {
    const m = byClass[k];
    for (let t = counts[k]; t < max && m.length > 0; t++) extra.push(m[rng.int(m.length)]);
  }
  const indices = new Int32Array(X.rows + extra.length);
  for (let i = 0; i < X.rows; i++) indices[i] = i;
  indices.set(extra, X.rows);
  return { X: take(X, indices), y: pick(labels, indices), indices };
}

export function membersByClass(labels: Int32Array, classes: number): number[][] {
  const out: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) out[labels[i]].push(i);
  return out;
}

export function pick(labels: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = labels[indices[i]];
  return out;
}
