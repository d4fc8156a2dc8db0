/** What the fairness stage reports (metrics.json `fairness`, the report section): types only. */
import type { Bins, Interval } from '@campaign-ml/fairness';
import type { PipelineConfig } from '../config';

export type FairnessConfig = NonNullable<PipelineConfig['fairness']>;

/** One side (before or after mitigation) of the audit on the test part. */
export interface FairnessAudit {
  demographicParityDifference: number;
  demographicParityRatio: number;
  equalizedOddsDifference: number;
  equalOpportunityDifference: number;
  accuracy: number;
  selectionRate: number;
  /** Bootstrap intervals of the gaps (resampling within groups), when bootstrap > 0. */
  intervals?: {
    demographicParityDifference: Interval;
    truePositiveRateDifference: Interval;
    falsePositiveRateDifference: Interval;
  };
  byGroup: Array<{
    group: string;
    rows: number;
    positives: number;
    selectionRate: number;
    truePositiveRate: number | null;
    falsePositiveRate: number | null;
    accuracy: number;
    selectionRateInterval?: Interval;
  }>;
  warnings: string[];
}

/** What metrics.json `fairness` holds. */
export interface FairnessSummary {
  sensitive: string[];
  mitigation: FairnessConfig['mitigation'];
  constraint: FairnessConfig['constraint'];
  objective: FairnessConfig['objective'];
  bins?: Record<string, Bins>;
  before: FairnessAudit;
  after: FairnessAudit;
  /** After − before, on the test part. */
  accuracyCost: number;
  thresholds?: Record<string, number>;
}
