import { ConfigError, InputError } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';

/** How a tree grows: level by level (XGBoost `depthwise`) or best leaf first (LightGBM, XGBoost `lossguide`). */
export type GrowPolicy = 'depthwise' | 'lossguide';

/** Features a split may look at: a count, a fraction of all features, or a rule of thumb. */
export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

interface NumberRule {
  min?: number;
  max?: number;
  /** min itself is not allowed. */
  minExclusive?: boolean;
  integer?: boolean;
}

/** Throws a ConfigError naming the parameter, its value and the accepted range. */
export function checkNumber(owner: string, name: string, value: number, rule: NumberRule): number {
  const { min, max, minExclusive, integer } = rule;
  const bad =
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && (minExclusive ? value <= min : value < min)) ||
    (max !== undefined && value > max);
  if (bad) {
    const range = `${integer ? 'an integer' : 'a number'}${min !== undefined ? ` ${minExclusive ? '>' : '>='} ${min}` : ''}${
      max !== undefined ? ` and <= ${max}` : ''
    }`;
    throw new ConfigError('INVALID_PARAM', `${owner}: ${name} is ${String(value)}; expected ${range}`, {
      column: name,
      value,
      expected: range,
    });
  }
  return value;
}

/** maxDepth: null (or 0) means unlimited. */
export function resolveMaxDepth(owner: string, value: number | null | undefined): number {
  if (value === null || value === undefined || value === 0) return 0x7fffffff;
  return checkNumber(owner, 'maxDepth', value, { min: 1, integer: true });
}

/** maxLeaves: null (or 0) means unlimited. */
export function resolveMaxLeaves(owner: string, value: number | null | undefined): number {
  if (value === null || value === undefined || value === 0) return 0x7fffffff;
  return checkNumber(owner, 'maxLeaves', value, { min: 2, integer: true });
}

export function resolveMaxFeatures(owner: string, value: MaxFeatures | null | undefined, nFeatures: number): number {
  if (value === null || value === undefined || value === 'all') return nFeatures;
  if (value === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (typeof value === 'number' && value > 0 && value <= 1 && !Number.isInteger(value)) {
    return Math.max(1, Math.floor(value * nFeatures));
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return Math.min(value, nFeatures);
  throw new ConfigError(
    'INVALID_PARAM',
    `${owner}: maxFeatures is ${String(value)}; expected 'sqrt', 'log2', 'all', a fraction in (0, 1) or a count >= 1`,
    {
      column: 'maxFeatures',
      value,
      expected: "'sqrt' | 'log2' | 'all' | number",
    },
  );
}

/** Categorical features given by index or by name, resolved to sorted column indices. */
export function resolveCategorical(X: Matrix, features: ReadonlyArray<number | string> | undefined): Int32Array {
  const out = new Set<number>();
  for (const f of features ?? []) {
    const i = typeof f === 'number' ? f : X.columns.indexOf(f);
    if (!Number.isInteger(i) || i < 0 || i >= X.cols) {
      throw new InputError(
        'UNKNOWN_COLUMN',
        `categoricalFeatures names ${JSON.stringify(f)}, which is not a column of X (${X.cols} columns)`,
        {
          column: String(f),
          value: f,
          expected: `a column index 0..${X.cols - 1} or one of the column names`,
        },
      );
    }
    out.add(i);
  }
  return Int32Array.from([...out].sort((a, b) => a - b));
}
