import type { ModelFamily } from './config';
import { FAMILIES, type Family } from './families';
import { FORECAST_FAMILIES } from './forecast/forecast-families';

/**
 * Which definitions a family name refers to: the table pipeline's families, or the forecast's
 * regression versions (other defaults and search spaces). A fold job carries the catalog and the
 * name, so a worker thread rebuilds exactly the estimator the main thread would.
 */
export type FamilyCatalog = 'table' | 'forecast';

export function familyOf(catalog: FamilyCatalog, name: ModelFamily): Family {
  const family = catalog === 'forecast' ? FORECAST_FAMILIES[name] : FAMILIES[name];
  if (!family) throw new Error(`internal: the ${catalog} catalog has no ${name} family`);
  return family;
}
