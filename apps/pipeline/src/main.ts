#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { AbortError, CampaignMlError, SchemaError } from '@campaign-ml/core';
import { runBundle } from './commands/bundle';
import { runDrift } from './commands/drift';
import { runEvaluate } from './commands/evaluate';
import { runExplain } from './commands/explain';
import { runPredict } from './commands/predict';
import { runPartitionedPredict } from './commands/predict-partitioned';
import { formatSchemaError } from './cli-errors';
import { runTrain } from './commands/train';
import { runWeeklyFeatures } from './commands/weekly-features';
import { runWorker } from './commands/worker';
import { MODEL_FAMILIES } from './config';

// The CLI: commander wired to the four commands, each in the file of commands/ named after it,
// and the exit code an error gives.

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
  return n;
};

const prob = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number between 0 and 1, got "${v}"`);
  return n;
};

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const choice = (name: string, allowed: readonly string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v;
};

/** A command that ends with an exit code of its own (drift: 3 when the data drifted) sets it here. */
export interface ExitCode {
  code: number;
}

export function program(exit: ExitCode = { code: 0 }): Command {
  const cli = new Command('campaign-ml')
    .description('Train, evaluate and score campaign-success models.')
    .showHelpAfterError();
  cli
    .command('train', { isDefault: true })
    .description(
      'Train on a table (the embedded Kickstarter-like sample when no data is given) and write bundle.json, report.html and metrics.json',
    )
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
    .option('--no-out-of-bag', 'score random forests by k-fold CV fits rather than out of bag (tuning.outOfBag: false)')
    .option('--publish <file>', 'also copy bundle.json here atomically (the path a running API watches)')
    .option(
      '--trial-batch <n>',
      'tuning trials sampled at a time, each batch from the trials finished before it (default 1); the study depends on it, not on the workers',
      int('--trial-batch'),
    )
    .option(
      '--queue <url>',
      'redis://host:6379: coordinate a distributed run; `pipeline worker --queue <url>` processes fit the folds (same result as a local run)',
    )
    .option('--queue-prefix <prefix>', 'with --queue: the BullMQ key prefix the workers use too', 'campaign-ml')
    .option(
      '--queue-data <dir>',
      'with --queue: where training sets go by reference (path + SHA-256); workers must see it at the same path (default <out>/.queue-data)',
    )
    .option('-q, --quiet', 'no progress output')
    .option('--json', 'print the run folder and metrics as JSON on stdout (implies --quiet)')
    .action(runTrain);
  cli
    .command('worker')
    .description(
      'Take fold fits (from `train --queue`) and scoring parts (from `predict --partitions --queue`) off a Redis queue until stopped (Ctrl-C or SIGTERM finishes the current job first). ' +
        'Each job runs in a sandboxed child process; a worker that dies leaves its job to the others.',
    )
    .requiredOption('--queue <url>', 'redis://host:6379')
    .option('--queue-prefix <prefix>', 'the BullMQ key prefix of the coordinator', 'campaign-ml')
    .option('--concurrency <n>', 'jobs at once per queue, each in its own process', int('--concurrency'), 1)
    .option('--lock-ms <n>', "a job's lock; a dead worker's job is taken again after it", int('--lock-ms'), 30_000)
    .option('--stalled-ms <n>', 'how often to look for jobs of dead workers', int('--stalled-ms'), 30_000)
    .option('-q, --quiet', 'no line per job')
    .action(runWorker);
  cli
    .command('predict')
    .description(
      'Score a CSV/TSV/XLSX/JSON/NDJSON/Parquet file or a database table/query with a bundle, a chunk at a time; rows that fail validation go to a rejects file (or table) with the reason. ' +
        'CSV/TSV files and databases are streamed (memory bounded by --chunk-rows); XLSX, JSON, NDJSON and Parquet files are read whole, then scored in chunks. ' +
        'Outputs appear only when the run succeeds: an error or Ctrl-C leaves no partial file or table.',
    )
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'the rows to score (raw campaign fields, as in training)')
    .option(
      '--db <url>',
      'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path',
    )
    .option('--table <name>', 'with --db: the table to score')
    .option('--query <select>', 'with --db: a SELECT whose rows to score (give it an ORDER BY for a stable row order)')
    .option('--out <file>', 'predictions CSV (default predictions.csv unless --out-table is given)')
    .option(
      '--out-table <name>',
      'write the predictions to this table (row, id columns, prediction, class probabilities)',
    )
    .option('--out-db <url>', 'database for --out-table and --rejects-table (default: the --db read from)')
    .option(
      '--if-exists <policy>',
      'when --out-table/--rejects-table exists: fail | replace | append',
      choice('--if-exists', ['fail', 'replace', 'append']),
      'fail',
    )
    .option('--rejects <file>', 'rejected rows with their reasons', 'rejects.csv')
    .option('--rejects-table <name>', 'write rejected rows to this table instead of the --rejects file')
    .option('--chunk-rows <n>', 'rows read, validated and scored at a time', int('--chunk-rows'), 10_000)
    .option(
      '--unknown-categories <policy>',
      'reject | unseen',
      choice('--unknown-categories', ['reject', 'unseen']),
      'reject',
    )
    .option(
      '--out-of-range <policy>',
      'a value far outside the training range: warn (score it, say so in the warnings column) | reject',
      choice('--out-of-range', ['warn', 'reject']),
      'warn',
    )
    .option(
      '--partitions <n>',
      'split the input file into n parts scored as separate jobs, each written atomically; running the same command again resumes, skipping finished parts',
      int('--partitions'),
    )
    .option(
      '--part <i>',
      'with --partitions: score only part i (0-based; a Kubernetes Indexed Job pod passes its completion index) and do not join; the same command without --part then joins the parts',
      int('--part'),
    )
    .option('--queue <url>', 'with --partitions: redis://host:6379, one job per part for `pipeline worker`s')
    .option('--queue-prefix <prefix>', 'with --queue: the BullMQ key prefix the workers use too', 'campaign-ml')
    .option('-q, --quiet', 'no progress output')
    .action((o) =>
      o.partitions !== undefined || o.queue || o.part !== undefined ? runPartitionedPredict(o) : runPredict(o),
    );
  cli
    .command('evaluate')
    .description(
      'Re-evaluate a bundle on labelled data (a file, or a database table/query, read whole) and write metrics.json and report.html',
    )
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'labelled rows (with the target column)')
    .option(
      '--db <url>',
      'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path',
    )
    .option('--table <name>', 'with --db: the table')
    .option('--query <select>', 'with --db: a SELECT giving the rows')
    .option('--out <dir>', 'where metrics.json and report.html go', 'evaluation')
    .option('-q, --quiet', 'no progress output')
    .action(runEvaluate);
  cli
    .command('weekly-features')
    .description(
      "The engagement forecast's weekly feature table from a daily panel (CSV or Parquet) to Parquet: " +
        'by DuckDB out of core (the file is streamed; sorts and windows spill to disk past --memory-limit), ' +
        'or in memory',
    )
    .requiredOption('--data <file>', 'the daily panel: CSV or Parquet')
    .requiredOption('--entity <column>', 'one series per value (e.g. profile_id)')
    .requiredOption('--time <column>', 'the day of each row')
    .requiredOption('--target <column>', 'the column to forecast')
    .option('--horizons <days>', 'days ahead, multiples of 7', '7,14,21,28')
    .option('--lags <weeks>', 'lags 1..k of every weekly column', '4')
    .option('--rolling <weeks>', 'rolling-mean windows in weeks', '4')
    .option('--engine <engine>', 'duckdb (out of core) or memory', 'duckdb')
    .option('--memory-limit <size>', "DuckDB's memory limit", '1GB')
    .option('--threads <n>', 'DuckDB threads (default: all cores)')
    .option('--out <file>', 'the Parquet file to write', 'weekly-features.parquet')
    .option('--json', 'print rows, seconds and peak memory as JSON')
    .option('-q, --quiet', 'no progress output')
    .action(runWeeklyFeatures);
  cli
    .command('bundle')
    .description(
      'Wrap a model trained elsewhere (XGBoost save_model JSON or LightGBM text) into a servable bundle.json: ' +
        "the schema and reference distributions come from a sample of the model's training data, the features " +
        "are the model's columns passed through as numbers",
    )
    .option('--xgboost <file>', 'an XGBoost model saved with Booster.save_model("model.json")')
    .option('--lightgbm <file>', 'a LightGBM text model (Booster.save_model("model.txt"))')
    .option('--data <file>', "a sample of the model's training data (CSV/TSV/XLSX/JSON/NDJSON/Parquet) with the target")
    .option('--target <column>', 'the target column of the sample')
    .option('--positive <label>', "binary: the label the model's class 1 stands for (inferred as training does)")
    .option('--threshold <p>', 'binary: decision threshold on P(positive) (default 0.5)', prob('--threshold'))
    .option('--name <name>', 'the first part of the bundle id')
    .option('--out <file>', 'where to write the bundle', 'bundle.json')
    .option('-q, --quiet', 'no progress output')
    .action(runBundle);
  cli
    .command('explain')
    .description(
      'Explain a bundle on a table (a file, or a database table/query): permutation importance (when the data has the outcome), partial dependence with its high regions, and one target-group sentence per top column; writes explain.json and a self-contained explain.html',
    )
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'the rows to explain (raw campaign fields, with the outcome column for importance)')
    .option(
      '--db <url>',
      'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path',
    )
    .option('--table <name>', 'with --db: the table')
    .option('--query <select>', 'with --db: a SELECT giving the rows')
    .option('--target <column>', "the outcome column (default: the bundle's target, when the data has it)")
    .option('--top <k>', 'columns to explain', int('--top'), 5)
    .option(
      '--max-rows <n>',
      'rows the importance and the curves use (a seeded sample beyond)',
      int('--max-rows'),
      1000,
    )
    .option('--seed <n>', 'seed of the samples and shuffles', int('--seed'), 0)
    .option('--out <dir>', 'where explain.json and explain.html go', 'explain')
    .option(
      '--record <file>',
      'a JSON file with one raw record (or an array): adds "This record": prediction, SHAP per column, LIME, what to change',
    )
    .option(
      '--actionable <a,b>',
      "with --record: columns the what-to-change advice may change (default: the training config's explain.actionable)",
      list,
    )
    .option(
      '--fixed <a,b>',
      "with --record: columns the advice never changes (default: the training config's explain.fixed)",
      list,
    )
    .option(
      '--target-probability <p>',
      'with --record: the positive-class probability the advice reaches',
      prob('--target-probability'),
      0.5,
    )
    .option('-q, --quiet', 'no progress output')
    .action(runExplain);
  cli
    .command('drift')
    .description(
      "Compare new rows (a file, or a database table/query) with the bundle's reference distributions: every input column, the predictions, and the outcome when the rows carry it. " +
        'Writes drift.json and a self-contained drift.html (no rows embedded); exits 0 without drift, 3 with drift (any column, the prediction, the dataset, or a metric estimated without labels outside its bounds), 2 on bad input.',
    )
    .requiredOption('--bundle <file>', 'bundle.json written by train')
    .option('--data <file>', 'the new rows (raw campaign fields, as in training)')
    .option(
      '--db <url>',
      'or read them from a database: postgres://user@host:5432/db, sqlite:path/to.db or a SQLite file path',
    )
    .option('--table <name>', 'with --db: the table')
    .option('--query <select>', 'with --db: a SELECT giving the rows')
    .option('--out <dir>', 'where drift.json and drift.html go', 'drift')
    .option(
      '--mode <mode>',
      "robust (bins frozen from the bundle, effect size AND p-value) | evidently (Evidently's defaults; needs --reference)",
      choice('--mode', ['robust', 'evidently']),
      'robust',
    )
    .option('--reference <file>', 'the training rows: needed by --mode evidently and --learned-thresholds')
    .option(
      '--performance-reference <file>',
      "labelled rows held out from training (e.g. the test part): the performance estimate's (CBPE) calibration check and bounds (default: --reference when it has the outcome column)",
    )
    .option('--no-performance', 'no performance estimate without labels (CBPE; binary bundles only)')
    .option('--window-rows <n>', 'also compare consecutive blocks of n rows', int('--window-rows'))
    .option(
      '--window-period <period>',
      'also compare calendar periods of --time-column (UTC)',
      choice('--window-period', ['day', 'week', 'month', 'quarter', 'year']),
    )
    .option('--time-column <column>', 'with --window-period: the time of each row')
    .option(
      '--no-prediction',
      'compare the input columns only: do not score the rows (no prediction drift, no metrics on labels)',
    )
    .option('--learned-thresholds', 'per-window PSI thresholds learned from --reference windows (mean + 3 sd)')
    .option('--alert-webhook <url>', 'on drift, POST a Slack-compatible JSON message { text, blocks } here')
    .option(
      '--on-drift <action>',
      "retrain: train a challenger with the bundle's own config on the new labelled rows and publish it only if it beats the current model on held-out rows",
      choice('--on-drift', ['retrain']),
    )
    .option(
      '--publish <file>',
      'with --on-drift retrain: where a better challenger is written (default: over --bundle)',
    )
    .option(
      '--holdout <share>',
      'with --on-drift retrain: share of the new rows held out for the comparison',
      prob('--holdout'),
      0.3,
    )
    .option(
      '--tracking-uri <uri>',
      'with --on-drift retrain: where the runs are recorded (default mlruns beside --out)',
    )
    .option('-q, --quiet', 'no progress output')
    .action(async (o) => {
      exit.code = await runDrift(o);
    });
  return cli;
}

export async function main(argv = process.argv): Promise<number> {
  const exit: ExitCode = { code: 0 };
  try {
    await program(exit).parseAsync(argv);
    return exit.code;
  } catch (e) {
    if (e instanceof AbortError) {
      process.stderr.write('Interrupted; nothing was written.\n');
      return 130;
    }
    if (e instanceof SchemaError) {
      process.stderr.write(formatSchemaError(e));
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
