export { type Resampled } from './class-counts';
export { computeClassWeight, sampleWeightFromClassWeight } from './compute-class-weight';
export { randomOverSample, type SamplingOptions } from './random-over-sample';
export { randomUnderSample } from './random-under-sample';
export { smote, type SmoteOptions } from './smote';
export { adasyn, adasynPlan, type AdasynOptions, type AdasynClassPlan } from './adasyn';
