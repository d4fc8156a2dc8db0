export { psi, type PsiOptions } from './stats/psi';
export { ks2Samp, KS_MAX_EXACT_N, type Ks2SampOptions, type Ks2SampResult } from './stats/ks-2samp';
export { chiSquare, type ChiSquareResult } from './stats/chi-square';
export { chi2Contingency, type Chi2ContingencyOptions, type Chi2ContingencyResult } from './stats/chi2-contingency';
export { zTestProportions, type ZTestResult } from './stats/z-test-proportions';
export { jensenShannon } from './stats/jensen-shannon';
export { hellingerDistance } from './stats/hellinger-distance';
export { wassersteinDistance, wassersteinDistanceNormed } from './stats/wasserstein-distance';
export {
  driftReport,
  type DriftOptions,
  type DriftReport,
  type ColumnDrift,
  type TargetReport,
  type WindowReport,
} from './drift-report';
export type { RobustThresholds } from './robust-test';
export type { EvidentlyTestName } from './evidently-test';
export type { WindowOptions } from './windows';
export { driftHtml } from './drift-html';
export { BinnedWindow, type BinnedWindowOptions, type WindowColumn, type WindowCounts } from './binned-window';
export type { BinCounts } from './binned-column-drift';
export { liveDriftReport, type LiveDriftOptions, type LiveDriftReport } from './live-drift-report';
export {
  estimatePerformance,
  summarizePerformanceReference,
  expectedFromCounts,
  expectedConfusion,
  expectedRocAuc,
  PERFORMANCE_METRICS,
  CALIBRATION_RULE,
  type PerformanceEstimate,
  type PerformanceReferenceSummary,
  type ExpectedSums,
  type PerformanceEstimateOptions,
  type PerformanceNotEstimated,
  type PerformanceReport,
  type PerformanceWindow,
  type PerformanceMetric,
  type PerformanceValues,
  type CalibrationCheck,
  type Confusion,
} from './performance-estimate';
