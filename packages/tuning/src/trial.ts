import { CampaignMlError } from '@campaign-ml/core';
import type { Params } from './space';

export type TrialState = 'complete' | 'pruned' | 'failed';

/** A finished trial, as kept in the study's trial log. */
export interface FrozenTrial {
  number: number;
  params: Params;
  /** The objective's value; for pruned trials the last reported intermediate value. */
  value: number;
  state: TrialState;
  /** Intermediate values reported by step (e.g. CV score after each fold). */
  intermediate: Array<[step: number, value: number]>;
  durationMs: number;
  error?: string;
}

/** Thrown by an objective (usually via `trial.shouldPrune()`) to stop a hopeless trial early. */
export class TrialPruned extends CampaignMlError {
  constructor(step: number) {
    super('TRIAL_PRUNED', `trial pruned at step ${step}`, { value: step });
  }
}

/** What an objective sees while it runs: its params and a channel for intermediate values. */
export interface Trial {
  readonly number: number;
  readonly params: Params;
  /** Report an intermediate value (e.g. the running mean after a fold). */
  report(value: number, step: number): void;
  /** True when the pruner judges this trial hopeless at its last reported step. */
  shouldPrune(): boolean;
}
