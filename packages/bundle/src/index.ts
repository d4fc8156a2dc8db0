export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  Bundle,
  type BundleTarget,
  type BundleProvenance,
  type BundleDocument,
  type GroupThresholds,
  type Prediction,
  type PredictOptions,
} from './bundle';
export {
  computeReference,
  type NumericReference,
  type CategoricalReference,
  type ColumnReference,
  type Reference,
  type PerformanceReference,
} from './reference';
export { backgroundSample } from './background-sample';
export { createBundleDocument, type BundleContent, type BundleIdentity } from './create-bundle-document';
