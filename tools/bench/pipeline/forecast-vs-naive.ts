/**
 * The engagement forecast against the naive last-value forecast, horizon by horizon: which option
 * serves (chosen by time-ordered CV), its test RMSE ratio to naive, and every option's CV / test RMSE.
 *
 *   npx tsx tools/bench/pipeline/forecast-vs-naive.ts [config.yaml]   (default: examples/engagement.yaml)
 */
import * as path from 'node:path';
import { readConfigFile } from '../../../apps/pipeline/src/config';
import { Progress } from '../../../apps/pipeline/src/progress';
import { trainForecast, type ForecastMetricsDocument } from '../../../apps/pipeline/src/forecast';

const root = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? path.join(root, 'apps/pipeline/examples/engagement.yaml'));
  const r = await trainForecast(await readConfigFile(file), new Progress('quiet'));
  const m = r.metrics as ForecastMetricsDocument;
  for (const [days, h] of Object.entries(m.horizons)) {
    console.log(`${days} d: serves ${h.best.model}, test RMSE ${h.rmseVsNaive.toFixed(3)}x naive`);
    for (const [name, t] of Object.entries(h.test)) {
      const cv = h.cvRmse?.[name];
      console.log(
        `   ${name.padEnd(18)} CV ${cv?.toFixed(0)}  test RMSE ${t.rmse.toFixed(0)}  MAE ${t.mae.toFixed(0)}  MASE ${t.mase?.toFixed(3)}`,
      );
    }
  }
}

void main();
