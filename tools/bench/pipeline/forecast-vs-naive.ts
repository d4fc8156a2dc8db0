/**
 * The engagement forecast against the naive last-value forecast, horizon by horizon: which option
 * serves (chosen by time-ordered CV), its test RMSE ratio to naive, and every option's mean CV
 * RMSE and test RMSE / MAE / MASE. Runs the pipeline CLI on a config (a temporary out directory).
 *
 *   npx tsx tools/bench/pipeline/forecast-vs-naive.ts [config.yaml]   (default: examples/engagement.yaml)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Horizon {
  best: { model: string };
  rmseVsNaive: number;
  cvRmse: Record<string, number>;
  test: Record<string, Record<string, number>>;
}

const root = path.resolve(__dirname, '../../..');
const config = path.resolve(process.argv[2] ?? path.join(root, 'apps/pipeline/examples/engagement.yaml'));
const out = mkdtempSync(path.join(os.tmpdir(), 'bench-forecast-'));
try {
  const stdout = execFileSync(
    path.join(root, 'node_modules/.bin/tsx'),
    [
      path.join(root, 'apps/pipeline/src/main.ts'),
      'train',
      '--config',
      config,
      '--out',
      out,
      '--no-tracking',
      '--json',
    ],
    { cwd: root, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  ).toString();
  const { metrics } = JSON.parse(stdout) as { metrics: { horizons: Record<string, Horizon> } };
  for (const [days, h] of Object.entries(metrics.horizons)) {
    console.log(`${days} d: serves ${h.best.model}, test RMSE ${h.rmseVsNaive.toFixed(3)}x naive`);
    for (const [name, t] of Object.entries(h.test)) {
      const cv = h.cvRmse[name];
      console.log(
        `   ${name.padEnd(18)} CV ${cv.toFixed(0)}  test RMSE ${t.rmse.toFixed(0)}  MAE ${t.mae.toFixed(0)}  MASE ${t.mase.toFixed(3)}`,
      );
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
