#!/usr/bin/env node
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AbortError, CampaignMlError, SchemaError } from '@campaign-ml/core';
import { MODEL_FAMILIES, parseConfig, readConfigFile, type PipelineConfig, type PipelineConfigInput } from './config';
import { trackRun } from './train/track-run';
import { cleanStaging, publishBundle, writeRun } from './train/write-run';
import { evaluateBundle } from './evaluate-bundle';
import { Progress } from './progress';
import { scoreFile } from './score';
import { fmt } from './format';
import { train } from './train/train';

/** The embedded sample: what `npx nx run pipeline:train` trains on with no arguments. */
export const SAMPLE_DATA = path.resolve(__dirname, '../../../data/kickstarter-sample.csv');
export const SAMPLE_CONFIG: PipelineConfigInput = {
  name: 'kickstarter-sample',
  data: SAMPLE_DATA,
  target: 'state',
  positive: 'successful',
  excludeLabels: ['canceled', 'live'],
};

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  return n;
};

const choice = (name: string, allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v;
};

interface PredictFlags {
  bundle: string;
  data?: string;
  db?: string;
  table?: string;
  query?: string;
  out?: string;
  outTable?: string;
  outDb?: string;
  ifExists: 'fail' | 'replace' | 'append';
  rejects: string;
  rejectsTable?: string;
  chunkRows: number;
  unknownCategories: 'reject' | 'unseen';
  quiet?: boolean;
}

/** Run `work` with an AbortSignal that Ctrl-C fires (the work then removes what it started writing). */
async function withInterrupt<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  // Ctrl-C can arrive twice (the terminal signals the whole process group, and tsx relays it to
  // its child): stay subscribed so that a second one does not kill the process before cleanup.
  const onSigint = () => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\nStopping: ${what}.\n`);
    controller.abort(new AbortError('interrupted by Ctrl-C'));
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

interface TrainFlags {
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
}

/** Config from --config (YAML) with flags on top, or from flags, or the embedded sample. */
export async function configFromFlags(f: TrainFlags): Promise<PipelineConfig> {
  const base: Record<string, unknown> = f.config ? { ...(await readConfigFile(f.config)) } : f.data || f.target ? {} : { ...SAMPLE_CONFIG };
  const set = (key: string, v: unknown) => {
    if (v !== undefined) base[key] = v;
  };
  set('data', f.data && path.resolve(f.data));
  set('target', f.target);
  set('task', f.task);
  set('positive', f.positive);
  set('excludeLabels', f.excludeLabels?.split(',').map((s) => s.trim()).filter(Boolean));
  set('out', f.out);
  set('seed', f.seed);
  set('models', f.models?.split(',').map((s) => s.trim()));
  if (f.trials !== undefined) base.tuning = { ...(base.tuning as object), trials: f.trials };
  if (f.tracking === false) base.tracking = { ...(base.tracking as object), enabled: false };
  if (f.ensemble === false) base.ensemble = { ...(base.ensemble as object), enabled: false };
  return parseConfig(base, f.config ?? 'flags');
}

async function runTrain(flags: TrainFlags): Promise<void> {
  const cfg = await configFromFlags(flags);
  const progress = Progress.forStream(process.stderr, Boolean(flags.quiet || flags.json));
  await cleanStaging(cfg.out);
  await withInterrupt('no artifacts will be written for this run', async (signal) => {
    const started = performance.now();
    const result = await train(cfg, progress, signal);
    const runDir = await writeRun(result, cfg);
    const trackedAt = await trackRun(result, cfg, runDir);
    if (flags.publish) await publishBundle(path.join(runDir, 'bundle.json'), flags.publish);
    const m = result.metrics;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ runDir, metrics: m }, null, 2)}\n`);
      return;
    }
    const test = m.best.test;
    const rel = path.relative(process.cwd(), runDir) || '.';
    console.log(`\nBest model: ${m.best.model} — test ${Object.entries(test).filter(([k]) => ['rocAuc', 'f1Score', 'accuracy', 'rmse', 'r2'].includes(k)).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
    console.log(`Finished in ${((performance.now() - started) / 1000).toFixed(1)} s. Results in ${rel}/`);
    console.log(`  report.html   open it in a browser: metrics, ROC/PR curves, confusion matrix, importance`);
    console.log(`  bundle.json   serve it: MODEL_PATH=${path.join(rel, 'bundle.json')} npx nx run api:serve`);
    console.log(`  metrics.json  the same figures for machines`);
    if (trackedAt) console.log(`  tracked in ${trackedAt} (mlflow ui --backend-store-uri ${trackedAt})`);
  });
}

export function program(): Command {
  const cli = new Command('campaign-ml').description('Train, evaluate and score campaign-success models.').showHelpAfterError();
  cli
    .command('train', { isDefault: true })
    .description('Train on a table (the embedded Kickstarter-like sample when no data is given) and write bundle.json, report.html and metrics.json')
    .option('-c, --config <file>', 'pipeline config (YAML); flags override it')
    .option('--data <file>', 'a CSV/TSV/XLSX/JSON/NDJSON/Parquet file')
    .option('--target <column>', 'the column to predict')
    .option('--task <task>', 'binary | multiclass | regression (inferred when omitted)')
    .option('--positive <label>', 'binary: the label that counts as success')
    .option('--exclude-labels <a,b>', 'drop rows whose target is one of these labels')
    .option('--out <dir>', 'where run folders go (default runs)')
    .option('--trials <n>', 'tuning trials per model family (default 20; 0 = baselines only)', int('--trials'))
    .option('--seed <n>', 'seed for splits, folds, models and tuning (default 42)', int('--seed'))
    .option('--models <list>', `model families, comma-separated (${MODEL_FAMILIES.join(', ')})`)
    .option('--no-tracking', 'do not record the run in mlruns/')
    .option('--no-ensemble', 'do not try a weighted ensemble of the model families')
    .option('--publish <file>', 'also copy bundle.json here atomically (the path a running API watches)')
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'print the run folder and metrics as JSON on stdout (implies --quiet)')
    .action(runTrain);
  cli
    .command('predict')
    .description(
      'Score a CSV/TSV/XLSX/JSON/NDJSON/Parquet file or a database table/query with a bundle, a chunk at a time; rows that fail validation go to a rejects file (or table) with the reason. ' +
        'CSV/TSV files and databases are streamed (memory bounded by --chunk-rows); XLSX, JSON, NDJSON and Parquet files are read whole, then scored in chunks. ' +
        'Outputs appear only when the run succeeds: an error or Ctrl-C leaves no partial file or table.',
    )
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'the rows to score (raw campaign fields, as in training)')
    .option('--db <url>', 'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path')
    .option('--table <name>', 'with --db: the table to score')
    .option('--query <select>', 'with --db: a SELECT whose rows to score (give it an ORDER BY for a stable row order)')
    .option('--out <file>', 'predictions CSV (default predictions.csv unless --out-table is given)')
    .option('--out-table <name>', 'write the predictions to this table (row, id columns, prediction, class probabilities)')
    .option('--out-db <url>', 'database for --out-table and --rejects-table (default: the --db read from)')
    .option('--if-exists <policy>', 'when --out-table/--rejects-table exists: fail | replace | append', choice('--if-exists', ['fail', 'replace', 'append']), 'fail')
    .option('--rejects <file>', 'rejected rows with their reasons', 'rejects.csv')
    .option('--rejects-table <name>', 'write rejected rows to this table instead of the --rejects file')
    .option('--chunk-rows <n>', 'rows read, validated and scored at a time', int('--chunk-rows'), 10_000)
    .option('--unknown-categories <policy>', 'reject | unseen', choice('--unknown-categories', ['reject', 'unseen']), 'reject')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: PredictFlags) => {
      const s = await withInterrupt('no predictions or rejects will be written', (signal) => scoreFile({ ...o, signal }, Progress.forStream(process.stderr, Boolean(o.quiet))));
      console.log(`${s.scored} of ${s.rows} rows scored → ${s.out}${s.rejected ? `; ${s.rejected} rejected → ${s.rejects} (with reasons)` : '; none rejected'}`);
    });
  cli
    .command('evaluate')
    .description('Re-evaluate a bundle on labelled data (a file, or a database table/query, read whole) and write metrics.json and report.html')
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'labelled rows (with the target column)')
    .option('--db <url>', 'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path')
    .option('--table <name>', 'with --db: the table')
    .option('--query <select>', 'with --db: a SELECT giving the rows')
    .option('--out <dir>', 'where metrics.json and report.html go', 'evaluation')
    .option('-q, --quiet', 'no progress output')
    .action(async (o: { bundle: string; data?: string; db?: string; table?: string; query?: string; out: string; quiet?: boolean }) => {
      const { dir, metrics } = await evaluateBundle(o, Progress.forStream(process.stderr, Boolean(o.quiet)));
      const t = metrics.best.test;
      console.log(`${metrics.data.rows} labelled rows: ${Object.entries(t).filter(([k]) => ['rocAuc', 'f1Score', 'accuracy', 'rmse', 'r2'].includes(k)).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}. Report in ${dir}/report.html`);
    });
  return cli;
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof AbortError) {
      process.stderr.write('Interrupted; nothing was written.\n');
      return 130;
    }
    if (e instanceof SchemaError) {
      process.stderr.write(`Error: ${e.message.split(':')[0]}:\n${e.problems.map((p) => `  - ${p.message}`).join('\n')}\n`);
      return 2;
    }
    if (e instanceof CampaignMlError) {
      process.stderr.write(`Error (${e.code}): ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`Unexpected error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
