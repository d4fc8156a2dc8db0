import type { FrozenTrial } from './trial';

export type Direction = 'maximize' | 'minimize';

export interface Pruner {
  shouldPrune(
    intermediate: ReadonlyArray<[number, number]>,
    finished: readonly FrozenTrial[],
    direction: Direction,
  ): boolean;
}

/** Never prunes. */
export class NopPruner implements Pruner {
  shouldPrune(): boolean {
    return false;
  }
}

/**
 * Optuna's MedianPruner: stop a trial when its latest intermediate value is worse than the median
 * of the values other finished trials reported at the same step. Nothing is pruned before
 * `nStartupTrials` trials have completed or before step `nWarmupSteps`.
 */
export class MedianPruner implements Pruner {
  constructor(readonly options: { nStartupTrials?: number; nWarmupSteps?: number } = {}) {}

  shouldPrune(
    intermediate: ReadonlyArray<[number, number]>,
    finished: readonly FrozenTrial[],
    direction: Direction,
  ): boolean {
    if (intermediate.length === 0) return false;
    const [step, value] = intermediate[intermediate.length - 1];
    if (step < (this.options.nWarmupSteps ?? 0)) return false;
    const completed = finished.filter((t) => t.state === 'complete');
    if (completed.length < (this.options.nStartupTrials ?? 5)) return false;
    const others: number[] = [];
    for (const t of finished) {
      const at = t.intermediate.find(([s]) => s === step);
      if (at && Number.isFinite(at[1])) others.push(at[1]);
    }
    if (others.length === 0 || !Number.isFinite(value)) return false;
    others.sort((a, b) => a - b);
    const mid = others.length >> 1;
    const median = others.length % 2 ? others[mid] : (others[mid - 1] + others[mid]) / 2;
    return direction === 'maximize' ? value < median : value > median;
  }
}
