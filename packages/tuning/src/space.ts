import { ConfigError } from '@campaign-ml/core';

/** When a parameter only exists for some values of another (e.g. `l1Ratio` only for elastic net). */
export type Condition = Record<string, ReadonlyArray<string | number | boolean>>;

export interface IntDistribution {
  type: 'int';
  low: number;
  high: number;
  step: number;
  log: boolean;
  when?: Condition;
}

export interface FloatDistribution {
  type: 'float';
  low: number;
  high: number;
  log: boolean;
  when?: Condition;
}

export interface CategoricalDistribution {
  type: 'categorical';
  choices: ReadonlyArray<string | number | boolean>;
  when?: Condition;
}

export type Distribution = IntDistribution | FloatDistribution | CategoricalDistribution;
export type SearchSpace = Record<string, Distribution>;
export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

function checkRange(kind: string, low: number, high: number, log: boolean): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new ConfigError('INVALID_SPACE', `${kind}(${low}, ${high}): low must be <= high and both finite`, {
      value: [low, high],
    });
  }
  if (log && low <= 0)
    throw new ConfigError('INVALID_SPACE', `${kind}(${low}, ${high}, log): a log scale needs low > 0`, { value: low });
}

/** An integer in [low, high] (inclusive), on a multiple of `step` from low, optionally log-uniform. */
export function int(
  low: number,
  high: number,
  opts: { step?: number; log?: boolean; when?: Condition } = {},
): IntDistribution {
  const step = opts.step ?? 1;
  checkRange('int', low, high, !!opts.log);
  if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step) || step < 1) {
    throw new ConfigError('INVALID_SPACE', `int(${low}, ${high}, step ${step}) needs integer bounds and a step >= 1`);
  }
  if (opts.log && step !== 1) throw new ConfigError('INVALID_SPACE', 'int with log: true must have step 1');
  return { type: 'int', low, high, step, log: !!opts.log, when: opts.when };
}

/** A float in [low, high], uniform or log-uniform. */
export function float(low: number, high: number, opts: { log?: boolean; when?: Condition } = {}): FloatDistribution {
  checkRange('float', low, high, !!opts.log);
  return { type: 'float', low, high, log: !!opts.log, when: opts.when };
}

/** A float in [low, high], log-uniform (learning rates, regularization strengths). */
export function logFloat(low: number, high: number, opts: { when?: Condition } = {}): FloatDistribution {
  return float(low, high, { ...opts, log: true });
}

export function categorical<T extends ParamValue>(
  choices: readonly T[],
  opts: { when?: Condition } = {},
): CategoricalDistribution {
  if (choices.length === 0) throw new ConfigError('INVALID_SPACE', 'categorical() needs at least one choice');
  return { type: 'categorical', choices: [...choices], when: opts.when };
}

/** Is the parameter active given the values already chosen? */
export function isActive(dist: Distribution, params: Params): boolean {
  if (!dist.when) return true;
  return Object.entries(dist.when).every(([k, allowed]) => k in params && allowed.includes(params[k]));
}

/**
 * Parameters in an order where every condition's parent comes before its children; throws on a
 * condition naming an unknown parameter or a cycle.
 */
export function orderedParams(space: SearchSpace): string[] {
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    if (visiting.has(name))
      throw new ConfigError('INVALID_SPACE', `conditions form a cycle through "${name}"`, { column: name });
    visiting.add(name);
    for (const parent of Object.keys(space[name].when ?? {})) {
      if (!(parent in space)) {
        throw new ConfigError('INVALID_SPACE', `"${name}" depends on "${parent}", which is not in the search space`, {
          column: name,
          value: parent,
        });
      }
      visit(parent);
    }
    visiting.delete(name);
    done.add(name);
    out.push(name);
  };
  for (const name of Object.keys(space)) visit(name);
  return out;
}

/** Map a numeric value into the sampler's internal scale (log for log distributions). */
export function toInternal(dist: IntDistribution | FloatDistribution, v: number): number {
  return dist.log ? Math.log(v) : v;
}

/** Back from the internal scale, rounded to the grid for ints and clipped to the bounds. */
export function fromInternal(dist: IntDistribution | FloatDistribution, x: number): number {
  let v = dist.log ? Math.exp(x) : x;
  if (dist.type === 'int') v = dist.low + Math.round((v - dist.low) / dist.step) * dist.step;
  return Math.min(dist.high, Math.max(dist.low, v));
}

export function internalBounds(dist: IntDistribution | FloatDistribution): [number, number] {
  // Ints widen by half a step so the end values are as likely as the inner ones.
  const half = dist.type === 'int' && !dist.log ? dist.step / 2 : 0;
  const lo =
    dist.type === 'int' && dist.log ? Math.log(Math.max(dist.low - 0.5, 1e-12)) : toInternal(dist, dist.low) - half;
  const hi = dist.type === 'int' && dist.log ? Math.log(dist.high + 0.5) : toInternal(dist, dist.high) + half;
  return [lo, hi];
}
