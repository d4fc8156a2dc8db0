import * as path from 'node:path';
import { parseConfig, readConfigFile, type PipelineConfig, type PipelineConfigInput } from '../config';
import { fmt, headline } from '../format';
import { Progress } from '../progress';
import { trackRun } from '../train/track-run';
import { train } from '../train/train';
import { cleanStaging, publishBundle, writeRun } from '../train/write-run';
import { withInterrupt } from './with-interrupt';

/** The embedded sample: what `npx nx run pipeline:train` trains on with no arguments. */
export const SAMPLE_DATA = path.resolve(__dirname, '../../../../data/kickstarter-sample.csv');
export const SAMPLE_CONFIG: PipelineConfigInput = {
  name: 'kickstarter-sample',
  data: SAMPLE_DATA,
  target: 'state',
  positive: 'successful',
  excludeLabels: ['canceled', 'live'],
};

/** The `train` command's flags (see main.ts). */
export interface TrainFlags {
  config?: string;
  data?: string;
  target?: string;
  task?: string;
  positive?: string;
  excludeLabels?: string;
  out?: string;
  trials?: number;
  seed?: number;
  models?: string;
  quiet?: boolean;
  json?: boolean;
  tracking?: boolean;
  ensemble?: boolean;
  publish?: string;
  /** redis://host:port: coordinate a distributed run (folds on `pipeline worker`s). */
  queue?: string;
  queuePrefix?: string;
  /** Where training sets go by reference for the workers (default <out>/.queue-data). */
  queueData?: string;
  trialBatch?: number;
  /** false (--no-out-of-bag): random forests are scored by k-fold CV like the other families. */
  outOfBag?: boolean;
}

/** Config from --config (YAML) with flags on top, or from flags, or the embedded sample. */
export async function configFromFlags(f: TrainFlags): Promise<PipelineConfig> {
  const base: Record<string, unknown> = f.config
    ? { ...(await readConfigFile(f.config)) }
    : f.data || f.target
      ? {}
      : { ...SAMPLE_CONFIG };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) base[key] = v;
  };
  set('data', f.data && path.resolve(f.data));
  set('target', f.target);
  set('task', f.task);
  set('positive', f.positive);
  set(
    'excludeLabels',
    f.excludeLabels
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  set('out', f.out);
  set('seed', f.seed);
  set(
    'models',
    f.models?.split(',').map((s) => s.trim()),
  );
  if (f.trials !== undefined) base.tuning = { ...(base.tuning as object), trials: f.trials };
  if (f.trialBatch !== undefined) base.tuning = { ...(base.tuning as object), batch: f.trialBatch };
  if (f.outOfBag === false) base.tuning = { ...(base.tuning as object), outOfBag: false };
  if (f.tracking === false) base.tracking = { ...(base.tracking as object), enabled: false };
  if (f.ensemble === false) base.ensemble = { ...(base.ensemble as object), enabled: false };
  return parseConfig(base, f.config ?? 'flags');
}

/**
 * `campaign-ml train`: the training flow (train/train.ts), then the run written (write-run.ts),
 * tracked (track-run.ts) and, with --publish, copied where an API watches; then a summary.
 */
export async function runTrain(flags: TrainFlags): Promise<void> {
  const cfg = await configFromFlags(flags);
  const progress = Progress.forStream(process.stderr, Boolean(flags.quiet || flags.json));
  await cleanStaging(cfg.out);
  await withInterrupt('no artifacts will be written for this run', async (signal) => {
    const started = performance.now();
    const queue = flags.queue
      ? {
          url: flags.queue,
          prefix: flags.queuePrefix,
          dataDir: path.resolve(flags.queueData ?? path.join(cfg.out, '.queue-data')),
        }
      : undefined;
    const result = await train(cfg, progress, signal, { queue });
    const runDir = await writeRun(result, cfg);
    const trackedAt = await trackRun(result, cfg, runDir);
    if (flags.publish) await publishBundle(path.join(runDir, 'bundle.json'), flags.publish);
    const m = result.metrics;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ runDir, metrics: m }, null, 2)}\n`);
      return;
    }
    const rel = path.relative(process.cwd(), runDir) || '.';
    console.log(`\nBest model: ${m.best.model} — test ${headline(m.best.test)}`);
    const base = m.majorityBaseline;
    if (base) {
      const verdict = base.beaten ? 'above it' : 'NOT above it: judge the model by ROC AUC or balanced accuracy';
      console.log(
        `Majority-class baseline (always "${base.class}"): accuracy ${fmt(base.accuracy)}; the model is ${verdict}`,
      );
    }
    if (m.task === 'multiclass')
      console.log('Multiclass precision, recall and F1 are macro averages (per class in metrics.json).');
    console.log(`Finished in ${((performance.now() - started) / 1000).toFixed(1)} s. Results in ${rel}/`);
    console.log(`  report.html   open it in a browser: metrics, ROC/PR curves, confusion matrix, importance`);
    console.log(`  bundle.json   serve it: MODEL_PATH=${path.join(rel, 'bundle.json')} npx nx run api:serve`);
    console.log(`  metrics.json  the same figures for machines`);
    if (trackedAt) console.log(`  tracked in ${trackedAt} (mlflow ui --backend-store-uri ${trackedAt})`);
  });
}
