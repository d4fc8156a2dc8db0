export { accuracyScore, type AccuracyOptions } from './accuracy-score';
export { balancedAccuracyScore, type BalancedAccuracyOptions } from './balanced-accuracy-score';
export {
  precisionScore,
  recallScore,
  sensitivityScore,
  specificityScore,
  f1Score,
  fbetaScore,
  precisionRecallFscoreSupport,
  type Average,
  type LabelMetricOptions,
  type FbetaOptions,
  type PerLabelScores,
} from './precision-recall-fscore';
export { matthewsCorrcoef } from './matthews-corrcoef';
export { confusionMatrix, type ConfusionMatrix, type ConfusionMatrixOptions } from './confusion-matrix';
export { rocCurve, type RocCurve, type RocCurveOptions, type CurveOptions } from './roc-curve';
export { rocAucScore, type RocAucOptions, type RankingOptions } from './roc-auc-score';
export { precisionRecallCurve, type PrecisionRecallCurve } from './precision-recall-curve';
export { averagePrecisionScore } from './average-precision-score';
export { logLoss, type LogLossOptions } from './log-loss';
export { brierScoreLoss } from './brier-score-loss';
export { calibrationCurve, type CalibrationCurve, type CalibrationCurveOptions } from './calibration-curve';
export {
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  r2Score,
  type RegressionMetricOptions,
} from './regression-metrics';
export { classificationReport, type ClassificationReport, type ReportRow } from './classification-report';
