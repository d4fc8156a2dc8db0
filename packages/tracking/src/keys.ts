import { InputError } from '@campaign-ml/core';

/** MLflow's rule for param, metric and tag names: letters, digits, `_ - . space /`, no `..`, not absolute. */
const KEY_PATTERN = /^[\w\-. /]+$/;

export function checkKey(kind: 'param' | 'metric' | 'tag', key: string): string {
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > 250 ||
    !KEY_PATTERN.test(key) ||
    key.includes('..') ||
    key.startsWith('/')
  ) {
    throw new InputError(
      'INVALID_KEY',
      `${kind} name ${JSON.stringify(key)} is not valid for MLflow: use letters, digits, "_", "-", ".", " " or "/" (at most 250 characters, no "..")`,
      { column: String(key), expected: 'a name matching [A-Za-z0-9_\\-. /]+' },
    );
  }
  return key;
}

/** Params are strings of at most 6000 characters (MLflow 2.x). */
export function paramValue(key: string, value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) throw new InputError('INVALID_PARAM', `param "${key}" has no value`, { column: key });
  if (text.length > 6000) {
    throw new InputError(
      'INVALID_PARAM',
      `param "${key}" is ${text.length} characters; MLflow accepts at most 6000 (log it as an artifact)`,
      {
        column: key,
        value: text.length,
      },
    );
  }
  return text;
}

export function metricValue(key: string, value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InputError('INVALID_METRIC', `metric "${key}" must be a number, got ${String(value)}`, {
      column: key,
      value,
    });
  }
  return value;
}
