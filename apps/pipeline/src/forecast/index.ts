export {
  trainForecast,
  resolveCutoff,
  type ForecastMetricsDocument,
  type ForecastModelResult,
  type HorizonSummary,
} from './train-forecast';
export {
  buildWeeklyFeatures,
  defaultAggregate,
  horizonWeeks,
  type WeeklyFeatureSpec,
  type WeeklyFeatures,
  type HorizonTarget,
} from './weekly-features';
export { addLastObserved, type LastObservedOptions } from './last-observed';
export { timeOrderedFolds } from './time-folds';
export { naiveForecast } from './naive-forecast';
export { FORECAST_FAMILIES, forecastFamilies, type ForecastFamily } from './forecast-families';
