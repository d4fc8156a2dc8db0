import { ConfigError } from '@campaign-ml/core';

/**
 * Parameter checks shared by the linear, neural and baseline estimators: a bad value fails in the
 * constructor with a ConfigError naming the estimator, the parameter and what it accepts.
 */

export function checkNumber(
  owner: string,
  name: string,
  value: number,
  min: number,
  max: number,
  inclusiveMin = true,
): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (inclusiveMin ? value >= min : value > min) && value <= max;
  if (!ok) {
    const range = `${inclusiveMin ? '>=' : '>'} ${min}${max < Infinity ? ` and <= ${max}` : ''}`;
    throw new ConfigError('INVALID_PARAM', `${owner}: ${name} must be a number ${range}, got ${String(value)}`, {
      column: name,
      value,
      expected: `a number ${range}`,
    });
  }
  return value;
}

export function checkInteger(owner: string, name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError('INVALID_PARAM', `${owner}: ${name} must be an integer >= ${min}, got ${String(value)}`, {
      column: name,
      value,
      expected: `an integer >= ${min}`,
    });
  }
  return value;
}

export function checkOneOf<T extends string>(owner: string, name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      'INVALID_PARAM',
      `${owner}: ${name} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`,
      {
        column: name,
        value,
        expected: `one of: ${allowed.join(', ')}`,
      },
    );
  }
  return value;
}
