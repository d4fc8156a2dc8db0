import { ConfigError } from '@campaign-ml/core';
import type { Bundle } from '@campaign-ml/bundle';

/**
 * The outcome a counterfactual must reach: a class probability of at least `probability` (the
 * positive class, or `class`), a predicted `class` (with the bundle's binary threshold), or a
 * regression value inside `range`.
 */
export type CounterfactualTarget =
  { probability: number; class?: string } | { class: string } | { range: readonly [number, number] };

/** How one scored row fares against the target. */
export interface TargetCheck {
  valid: boolean;
  /** How far from the target (<= 0 when reached; smaller is better). */
  gap: number;
  /** The target class's probability, or the regression value. */
  value: number;
}

export interface TargetEvaluator {
  /** The class whose probability is reported (classifiers), or null. */
  readonly className: string | null;
  check(scores: Float64Array, row: number): TargetCheck;
}

function classIndex(bundle: Bundle, name: string | undefined, field: string): number {
  const classes = bundle.classes!;
  if (name === undefined) {
    if (classes.length === 2) return 1;
    throw new ConfigError('MISSING_OPTION', `${field} is required for a ${classes.length}-class bundle`, {
      column: field,
      expected: `one of: ${classes.join(', ')}`,
    });
  }
  const i = classes.indexOf(name);
  if (i < 0)
    throw new ConfigError('UNKNOWN_CLASS', `${field} ${JSON.stringify(name)} is not a class of this bundle`, {
      column: field,
      value: name,
      expected: `one of: ${classes.join(', ')}`,
    });
  return i;
}

export function targetEvaluator(bundle: Bundle, target: CounterfactualTarget | undefined): TargetEvaluator {
  if (!target || typeof target !== 'object')
    throw new ConfigError('MISSING_OPTION', 'target is required: { probability }, { class } or { range }', {
      column: 'target',
    });
  const regression = bundle.task === 'regression';
  if ('range' in target) {
    const r = target.range;
    if (!regression)
      throw new ConfigError(
        'INVALID_OPTION',
        'target.range applies to regression bundles; use { probability } or { class }',
        {
          column: 'target.range',
        },
      );
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]))
      throw new ConfigError('INVALID_OPTION', 'target.range must be [min, max] with min <= max', {
        column: 'target.range',
        value: r,
      });
    const [lo, hi] = r;
    return {
      className: null,
      check(scores, row) {
        const v = scores[row];
        const gap = v < lo ? lo - v : v > hi ? v - hi : -Math.min(v - lo, hi - v);
        return { valid: v >= lo && v <= hi, gap, value: v };
      },
    };
  }
  if (regression)
    throw new ConfigError('INVALID_OPTION', 'a regression bundle takes target { range: [min, max] }', {
      column: 'target',
    });
  const k = bundle.classes!.length;
  if ('probability' in target) {
    const p = target.probability;
    if (typeof p !== 'number' || !(p > 0 && p <= 1))
      throw new ConfigError(
        'INVALID_OPTION',
        `target.probability must be a number in (0, 1], found ${JSON.stringify(p)}`,
        {
          column: 'target.probability',
          value: p,
        },
      );
    const ci = classIndex(bundle, target.class, 'target.class');
    return {
      className: bundle.classes![ci],
      check(scores, row) {
        const v = scores[row * k + ci];
        return { valid: v >= p, gap: p - v, value: v };
      },
    };
  }
  const ci = classIndex(bundle, (target as { class?: string }).class, 'target.class');
  const threshold = bundle.threshold;
  return {
    className: bundle.classes![ci],
    check(scores, row) {
      const v = scores[row * k + ci];
      if (k === 2 && threshold !== undefined) {
        const p1 = scores[row * 2 + 1];
        // The bundle's labelIndices rule: class 1 when p1 >= threshold.
        return ci === 1
          ? { valid: p1 >= threshold, gap: threshold - p1, value: v }
          : { valid: p1 < threshold, gap: p1 - threshold, value: v };
      }
      let best = -Infinity;
      for (let c = 0; c < k; c++) if (c !== ci && scores[row * k + c] > best) best = scores[row * k + c];
      return { valid: v > best, gap: best - v, value: v };
    },
  };
}
