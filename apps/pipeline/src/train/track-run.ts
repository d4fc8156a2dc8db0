import * as path from 'node:path';
import { createTracker } from '@campaign-ml/tracking';
import type { PipelineConfig } from '../config';
import type { TrainResult } from './train-result';

/** Record the run in MLflow's layout (./mlruns or MLFLOW_TRACKING_URI). */
export async function trackRun(result: TrainResult, cfg: PipelineConfig, runDir: string): Promise<string | undefined> {
  if (!cfg.tracking.enabled) return undefined;
  const beside = path.join(path.dirname(path.resolve(cfg.out)), 'mlruns');
  const tracker = createTracker(cfg.tracking.uri ?? process.env.MLFLOW_TRACKING_URI ?? beside);
  const m = result.metrics;
  const run = await tracker.startRun({
    experiment: cfg.tracking.experiment,
    runName: path.basename(runDir),
    tags: { task: m.task, target: m.target, 'best.model': m.best.model },
  });
  try {
    const best = prefixed('best.', m.best.params);
    await run.logParams({ task: m.task, target: m.target, seed: cfg.seed, 'best.model': m.best.model, ...best });
    await run.logMetrics(prefixedNumbers('test_', m.best.test));
    await run.logMetric(`cv_${m.primaryMetric}`, m.best.cv.mean);
    for (const model of m.models) {
      for (const t of model.tuned?.trials ?? []) {
        if (typeof t.value !== 'number' || !Number.isFinite(t.value)) continue;
        await run.logMetric(`${model.model}.trial_${m.primaryMetric}`, t.value, Number(t.number));
      }
    }
    for (const f of ['bundle.json', 'metrics.json', 'report.html']) await run.logArtifact(path.join(runDir, f));
    await run.end('FINISHED');
  } catch (e) {
    await run.end('FAILED').catch(() => undefined);
    throw e;
  }
  return tracker.uri;
}

function prefixed(prefix: string, o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}${k}`, v]));
}

function prefixedNumbers(prefix: string, o: Record<string, number>): Record<string, number> {
  const finite = Object.entries(o).filter(([, v]) => Number.isFinite(v));
  return Object.fromEntries(finite.map(([k, v]) => [`${prefix}${k}`, v]));
}
