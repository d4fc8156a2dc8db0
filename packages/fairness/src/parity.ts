import { metricFrame, type GapMethod } from './metric-frame';
import { falsePositiveRate, selectionRate, truePositiveRate } from './rates';
import type { SensitiveFeatures } from './sensitive-groups';

export interface ParityOptions {
  /** Group labels per row, or an object of such arrays (their intersections are the groups). */
  sensitive: SensitiveFeatures;
  sampleWeight?: ArrayLike<number>;
  /** 'betweenGroups' (default): max − min (or min / max); 'toOverall': against the overall rate. */
  method?: GapMethod;
  /** Groups with fewer rows are left out (NaN), as in metricFrame (default 1). */
  minGroupSize?: number;
}

function frame(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, o: ParityOptions) {
  return metricFrame({
    metrics: { selectionRate, truePositiveRate, falsePositiveRate },
    yTrue,
    yPred,
    sensitive: o.sensitive,
    sampleWeight: o.sampleWeight,
    minGroupSize: o.minGroupSize,
  });
}

/** Largest gap in selection rate P(ŷ = 1) between groups (0 is parity). */
export function demographicParityDifference(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): number {
  return frame(yTrue, yPred, options).difference('selectionRate', options.method);
}

/** Smallest over largest selection rate (1 is parity). */
export function demographicParityRatio(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): number {
  return frame(yTrue, yPred, options).ratio('selectionRate', options.method);
}

/**
 * The worse of the true-positive-rate and false-positive-rate gaps (0 is equalized odds). A group
 * without positives (negatives) is left out of the TPR (FPR) gap, never counted as a rate of 0.
 */
export function equalizedOddsDifference(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): number {
  const f = frame(yTrue, yPred, options);
  return nanMax(f.difference('truePositiveRate', options.method), f.difference('falsePositiveRate', options.method));
}

/** The smaller of the TPR and FPR ratios (1 is equalized odds). */
export function equalizedOddsRatio(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: ParityOptions): number {
  const f = frame(yTrue, yPred, options);
  return nanMin(f.ratio('truePositiveRate', options.method), f.ratio('falsePositiveRate', options.method));
}

/** Largest gap in true positive rate (recall) between groups (0 is equal opportunity). */
export function equalOpportunityDifference(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): number {
  return frame(yTrue, yPred, options).difference('truePositiveRate', options.method);
}

/** Smallest over largest true positive rate. */
export function equalOpportunityRatio(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): number {
  return frame(yTrue, yPred, options).ratio('truePositiveRate', options.method);
}

export interface FourFifthsResult {
  /** Lowest over highest selection rate (the disparate impact ratio). */
  ratio: number;
  /** True when the ratio is at least 0.8 (EEOC 29 CFR 1607.4(D)). */
  passes: boolean;
  /** The group with the highest selection rate, and the groups below four fifths of it. */
  reference: string;
  flagged: string[];
  selectionRates: Record<string, number>;
}

/** The four-fifths rule: every group's selection rate is at least 80% of the highest group's. */
export function fourFifthsRule(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ParityOptions,
): FourFifthsResult {
  const f = frame(yTrue, yPred, options);
  const rates = Object.fromEntries(f.groups.map((g) => [g.name, f.byGroup[g.name].selectionRate]));
  const max = f.groupMax('selectionRate');
  const reference = f.groups.find((g) => rates[g.name] === max)?.name ?? '';
  const flagged = f.groups.filter((g) => rates[g.name] < 0.8 * max).map((g) => g.name);
  const ratio = f.ratio('selectionRate');
  return { ratio, passes: flagged.length === 0, reference, flagged, selectionRates: rates };
}

function nanMax(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
}

function nanMin(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b);
}
