export { importXGBoostModel } from './xgboost';
export { importLightGBMModel } from './lightgbm';
