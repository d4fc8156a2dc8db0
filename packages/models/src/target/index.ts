export {
  TransformedTargetRegressor,
  FittedTransformedTargetRegressor,
  type TransformedTargetRegressorParams,
  type TargetTransform,
} from './transformed-target-regressor';
