import { ConfigError, type Rng } from '@campaign-ml/core';
import { logSumExp, normalCdf } from './math';
import type { Direction } from './pruner';
import {
  fromInternal,
  internalBounds,
  isActive,
  orderedParams,
  toInternal,
  type CategoricalDistribution,
  type Distribution,
  type FloatDistribution,
  type IntDistribution,
  type Params,
  type ParamValue,
  type SearchSpace,
} from './space';
import type { FrozenTrial } from './trial';

export interface SampleContext {
  space: SearchSpace;
  trials: readonly FrozenTrial[];
  direction: Direction;
  trialNumber: number;
  rng: Rng;
}

export interface Sampler {
  readonly name: string;
  sample(ctx: SampleContext): Params;
}

function sampleIndependent(dist: Distribution, rng: Rng): ParamValue {
  if (dist.type === 'categorical') return dist.choices[rng.int(dist.choices.length)];
  const [lo, hi] = internalBounds(dist);
  return fromInternal(dist, rng.uniform(lo, hi));
}

/** Fill every active parameter in dependency order with `pick`. */
function sampleSpace(
  space: SearchSpace,
  pick: (name: string, dist: Distribution, sofar: Params) => ParamValue,
): Params {
  const params: Params = {};
  for (const name of orderedParams(space)) {
    const dist = space[name];
    if (isActive(dist, params)) params[name] = pick(name, dist, params);
  }
  return params;
}

/** Independent uniform (or log-uniform) sampling. */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  sample(ctx: SampleContext): Params {
    return sampleSpace(ctx.space, (_n, dist) => sampleIndependent(dist, ctx.rng));
  }
}

/**
 * Exhaustive grid. Numeric distributions need explicit values (`grid`) or are cut into
 * `pointsPerAxis` evenly spaced points (log-spaced for log distributions). Trials walk the grid in
 * a seeded random order and wrap around when more trials than points are asked for.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  private order?: Params[];

  constructor(private readonly options: { grid?: Record<string, ParamValue[]>; pointsPerAxis?: number } = {}) {}

  gridFor(space: SearchSpace): Params[] {
    const names = orderedParams(space);
    let combos: Params[] = [{}];
    for (const name of names) {
      const dist = space[name];
      const values = this.options.grid?.[name] ?? axisValues(dist, this.options.pointsPerAxis ?? 5);
      const next: Params[] = [];
      for (const c of combos) {
        if (!isActive(dist, c)) next.push(c);
        else for (const v of values) next.push({ ...c, [name]: v });
      }
      combos = next;
    }
    return combos;
  }

  sample(ctx: SampleContext): Params {
    if (!this.order) this.order = ctx.rng.shuffle(this.gridFor(ctx.space));
    return { ...this.order[ctx.trialNumber % this.order.length] };
  }
}

function axisValues(dist: Distribution, points: number): ParamValue[] {
  if (dist.type === 'categorical') return [...dist.choices];
  const out = new Set<number>();
  const a = toInternal(dist, dist.low);
  const b = toInternal(dist, dist.high);
  for (let i = 0; i < points; i++) out.add(fromInternal(dist, points === 1 ? a : a + ((b - a) * i) / (points - 1)));
  return [...out];
}

export interface TpeOptions {
  /** Random trials before TPE takes over (Optuna: 10). */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per parameter; the best l/g ratio wins (Optuna: 24). */
  nEiCandidates?: number;
  /** Weight of the prior component in each Parzen estimator (Optuna: 1). */
  priorWeight?: number;
}

/**
 * Tree-structured Parzen Estimator, univariate, after Optuna's TPESampler defaults: trials are
 * split into the best gamma(n) = min(ceil(0.1 n), 25) ("below") and the rest; for each parameter
 * a Parzen estimator l(x) is fitted on the good values and g(x) on the others, candidates are drawn
 * from l and the one maximizing log l(x) - log g(x) is chosen. Conditional parameters only look at
 * trials where they were active. Pruned trials count as worse than every completed one.
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  private readonly random = new RandomSampler();

  constructor(private readonly options: TpeOptions = {}) {}

  sample(ctx: SampleContext): Params {
    const ranked = rankTrials(ctx.trials, ctx.direction);
    const completed = ranked.filter((t) => t.state === 'complete').length;
    if (completed < (this.options.nStartupTrials ?? 10)) return this.random.sample(ctx);
    const nBelow = Math.min(Math.ceil(0.1 * completed), 25);
    const below = ranked.slice(0, nBelow);
    const above = ranked.slice(nBelow);
    return sampleSpace(ctx.space, (name, dist) => {
      const good = below.filter((t) => name in t.params);
      const bad = above.filter((t) => name in t.params);
      if (good.length === 0 || bad.length === 0) return sampleIndependent(dist, ctx.rng);
      return dist.type === 'categorical'
        ? this.sampleCategorical(dist, name, good, bad, ctx.rng)
        : this.sampleNumeric(dist, name, good, bad, ctx.rng);
    });
  }

  private sampleNumeric(
    dist: IntDistribution | FloatDistribution,
    name: string,
    good: FrozenTrial[],
    bad: FrozenTrial[],
    rng: Rng,
  ): number {
    const [lo, hi] = internalBounds(dist);
    const prior = this.options.priorWeight ?? 1;
    const l = parzen(
      good.map((t) => toInternal(dist, t.params[name] as number)),
      lo,
      hi,
      prior,
    );
    const g = parzen(
      bad.map((t) => toInternal(dist, t.params[name] as number)),
      lo,
      hi,
      prior,
    );
    let best = NaN;
    let bestScore = -Infinity;
    for (let i = 0; i < (this.options.nEiCandidates ?? 24); i++) {
      const x = l.sample(rng);
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return fromInternal(dist, best);
  }

  private sampleCategorical(
    dist: CategoricalDistribution,
    name: string,
    good: FrozenTrial[],
    bad: FrozenTrial[],
    rng: Rng,
  ): ParamValue {
    const prior = this.options.priorWeight ?? 1;
    const k = dist.choices.length;
    const probs = (trials: FrozenTrial[]) => {
      const w = new Float64Array(k).fill(prior / k);
      for (const t of trials) {
        const i = dist.choices.indexOf(t.params[name]);
        if (i >= 0) w[i] += 1;
      }
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((v) => v / s);
    };
    const pl = probs(good);
    const pg = probs(bad);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < (this.options.nEiCandidates ?? 24); c++) {
      let u = rng.random();
      let i = 0;
      while (i < k - 1 && u >= pl[i]) u -= pl[i++];
      const score = Math.log(pl[i]) - Math.log(pg[i]);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return dist.choices[best];
  }
}

/** Completed trials best first, then pruned ones (deeper pruning first), failed ones dropped. */
function rankTrials(trials: readonly FrozenTrial[], direction: Direction): FrozenTrial[] {
  const sign = direction === 'maximize' ? -1 : 1;
  const complete = trials
    .filter((t) => t.state === 'complete' && Number.isFinite(t.value))
    .sort((a, b) => sign * (a.value - b.value));
  const pruned = trials
    .filter((t) => t.state === 'pruned')
    .sort((a, b) => b.intermediate.length - a.intermediate.length);
  return [...complete, ...pruned];
}

/** A mixture of truncated normals on [lo, hi], one per observation plus a wide prior. */
function parzen(obs: number[], lo: number, hi: number, priorWeight: number) {
  const range = hi - lo;
  const mus = [...obs, (lo + hi) / 2];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sigmas = new Array<number>(mus.length);
  const minSigma = range / Math.min(100, 1 + mus.length);
  order.forEach((idx, pos) => {
    const left = pos > 0 ? mus[idx] - mus[order[pos - 1]] : mus[idx] - lo;
    const right = pos < order.length - 1 ? mus[order[pos + 1]] - mus[idx] : hi - mus[idx];
    sigmas[idx] = Math.min(range, Math.max(minSigma, left, right));
  });
  sigmas[mus.length - 1] = range; // the prior
  const weights = [...obs.map(() => 1), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  const logW = weights.map((w) => Math.log(w / total));
  const logZ = mus.map((m, i) => Math.log(Math.max(1e-300, normalCdf(hi, m, sigmas[i]) - normalCdf(lo, m, sigmas[i]))));
  return {
    sample(rng: Rng): number {
      let u = rng.random() * total;
      let i = 0;
      while (i < weights.length - 1 && u >= weights[i]) u -= weights[i++];
      for (let tries = 0; tries < 100; tries++) {
        const x = rng.normal(mus[i], sigmas[i]);
        if (x >= lo && x <= hi) return x;
      }
      return Math.min(hi, Math.max(lo, mus[i]));
    },
    logPdf(x: number): number {
      return logSumExp(
        mus.map((m, i) => {
          const z = (x - m) / sigmas[i];
          return logW[i] - 0.5 * z * z - Math.log(sigmas[i] * Math.sqrt(2 * Math.PI)) - logZ[i];
        }),
      );
    },
  };
}

export function createSampler(name: 'random' | 'grid' | 'tpe', options: Record<string, unknown> = {}): Sampler {
  switch (name) {
    case 'random':
      return new RandomSampler();
    case 'grid':
      return new GridSampler(options);
    case 'tpe':
      return new TpeSampler(options);
    default:
      throw new ConfigError('UNKNOWN_SAMPLER', `unknown sampler "${String(name)}"`, {
        value: name,
        expected: 'random, grid or tpe',
      });
  }
}
