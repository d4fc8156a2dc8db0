import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { computeReference, createBundleDocument, type BundleDocument } from '@campaign-ml/bundle';
import { writeBundle } from '@campaign-ml/bundle/node';
import { ConfigError, InputError, isClassifier } from '@campaign-ml/core';
import { ColumnPipeline } from '@campaign-ml/features';
import {
  importLightGBMModel,
  importXGBoostModel,
  type FittedTreeClassifier,
  type FittedTreeRegressor,
} from '@campaign-ml/models';
import { checkColumnsExist, parseConfig, type PipelineConfig } from '../config';
import { Progress } from '../progress';
import { provenance } from '../provenance';
import { inferTrainingSchema, servedSchema, typeFeatures } from '../train/infer-schema';
import { loadData, prepareTarget, typeTarget } from '../train/read-data';

/** The `bundle` command's flags (see main.ts). */
export interface BundleFlags {
  xgboost?: string;
  lightgbm?: string;
  data?: string;
  target?: string;
  out?: string;
  positive?: string;
  threshold?: number;
  name?: string;
  quiet?: boolean;
}

export interface ImportedBundle {
  document: BundleDocument;
  /** Rows of the sample the schema and reference distributions come from. */
  rows: number;
}

/**
 * Wrap a model trained elsewhere (XGBoost `save_model` JSON, LightGBM text) into a servable bundle:
 * the schema inferred from a sample of its training data the way training infers it, a feature
 * pipeline that passes the model's feature columns through as numbers (no imputation; missing
 * stays NaN, which the trees route; booleans 0/1), the target's classes from the sample (ordered
 * as training orders them: sorted, the positive class second for binary), and the sample's
 * reference distributions for drift checks.
 */
export async function bundleImportedModel(flags: BundleFlags, progress: Progress): Promise<ImportedBundle> {
  if (Boolean(flags.xgboost) === Boolean(flags.lightgbm)) {
    throw new ConfigError(
      'INVALID_ARGUMENT',
      'give the model as exactly one of --xgboost model.json or --lightgbm model.txt',
      {
        column: flags.xgboost ? '--lightgbm' : '--xgboost',
      },
    );
  }
  for (const [flag, v] of [
    ['--data', flags.data],
    ['--target', flags.target],
  ] as const) {
    if (!v) throw new ConfigError('INVALID_ARGUMENT', `${flag} is required`, { column: flag });
  }
  const from = flags.xgboost ? 'xgboost' : 'lightgbm';
  const modelFile = (flags.xgboost ?? flags.lightgbm)!;
  progress.stage('import model');
  let text: string;
  try {
    text = await fs.readFile(modelFile, 'utf8');
  } catch (e) {
    throw new InputError(
      'FILE_NOT_FOUND',
      `cannot read ${modelFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      {
        value: modelFile,
      },
    );
  }
  const model: FittedTreeClassifier | FittedTreeRegressor =
    from === 'xgboost' ? importXGBoostModel(text) : importLightGBMModel(text);
  const classifier = isClassifier(model);
  const nClasses = classifier ? (model as FittedTreeClassifier).classes : 0;
  const task = !classifier ? 'regression' : nClasses === 2 ? 'binary' : 'multiclass';

  progress.stage('read sample');
  const features = model.columns;
  const base: Record<string, unknown> = {
    data: path.resolve(flags.data!),
    target: flags.target,
    task,
    ...(flags.positive !== undefined ? { positive: flags.positive } : {}),
  };
  const cfg0 = parseConfig(base, 'flags');
  const data = await loadData(cfg0, { asText: true });
  checkColumnsExist(cfg0, data.table.columnNames());
  const have = new Set(data.table.columnNames());
  for (const f of features) {
    if (!have.has(f)) {
      throw new InputError(
        'MISSING_COLUMN',
        `the model reads feature "${f}", which ${path.basename(flags.data!)} has no column for; the sample needs every feature the model was trained on (${features.join(', ')})`,
        { column: f, expected: 'a column of the sample' },
      );
    }
    if (f === flags.target) {
      throw new InputError('INVALID_ARGUMENT', `"${f}" is both the target and a feature of the model`, { column: f });
    }
  }
  const prepared = prepareTarget(typeTarget(data.table, cfg0), cfg0);
  if (classifier && prepared.classes!.length !== nClasses) {
    throw new InputError(
      'CLASS_MISMATCH',
      `the model predicts ${nClasses} classes but "${flags.target}" has ${prepared.classes!.length} labels in the sample (${prepared.classes!.join(', ')}); the sample must show every class`,
      { column: flags.target, value: prepared.classes!.length, expected: `${nClasses} labels` },
    );
  }

  // The schema as training infers it, with the model's features read as numbers: a feature the
  // inference took for an identifier, a category or text is typed as a number (its values must be
  // numbers then, or typing names the row), and every one of them is a feature.
  progress.stage('schema');
  const first = inferTrainingSchema(prepared.table, cfg0);
  const types: Record<string, string> = {};
  const roles: Record<string, string> = {};
  for (const f of features) {
    const t = first.columns.find((c) => c.name === f)!.type;
    if (t !== 'number' && t !== 'integer' && t !== 'boolean') types[f] = 'number';
    roles[f] = 'feature';
  }
  const cfg: PipelineConfig = parseConfig({ ...base, features: { types, roles } }, 'flags');
  const schema = inferTrainingSchema(prepared.table, cfg);
  const table = typeFeatures(prepared.table, schema);

  progress.stage('features + reference');
  const pipeline = new ColumnPipeline({
    schema,
    remainder: 'drop',
    allowMissing: true,
    groups: [{ name: 'model', select: [...features] }],
  }).fit(table);
  const X = pipeline.transform(table);
  const scores = classifier ? (model as FittedTreeClassifier).predictProba(X) : model.predict(X);
  const reference = classifier ? summaryScores(scores, nClasses) : scores;
  const bundleSchema = servedSchema(schema, pipeline, flags.target);
  const threshold = task === 'binary' ? (flags.threshold ?? 0.5) : undefined;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) {
    throw new ConfigError('INVALID_ARGUMENT', `--threshold must be between 0 and 1, got ${threshold}`, {
      column: '--threshold',
      value: threshold,
    });
  }
  const modelSha256 = createHash('sha256').update(text).digest('hex');
  const document = createBundleDocument(
    {
      task,
      target: {
        column: flags.target!,
        classes: prepared.classes,
        ...(prepared.positiveClass ? { positiveClass: prepared.positiveClass } : {}),
      },
      schema: bundleSchema,
      features: pipeline.toJSON(),
      model: { name: from, fitted: model.toJSON(), ...(threshold !== undefined ? { threshold } : {}) },
      metrics: {
        imported: {
          from,
          file: path.basename(modelFile),
          sha256: modelSha256,
          objective: model.params.objective,
          trees: model.nTrees,
          features: [...features],
        },
      },
      reference: computeReference(table, bundleSchema, reference),
      provenance: await provenance(data.sha256, table.numRows(), cfg),
    },
    { name: flags.name ?? `${from}-import` },
  );
  progress.end();
  return { document, rows: table.numRows() };
}

/** P(positive) for binary, the largest class probability for multiclass (as training's reference). */
function summaryScores(p: Float64Array, k: number): Float64Array {
  const n = p.length / k;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    if (k === 2) out[r] = p[2 * r + 1];
    else {
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, p[r * k + c]);
      out[r] = m;
    }
  }
  return out;
}

/** `campaign-ml bundle`: import the model, write the bundle, print where it is. */
export async function runBundle(flags: BundleFlags): Promise<void> {
  const progress = Progress.forStream(process.stderr, Boolean(flags.quiet));
  const { document, rows } = await bundleImportedModel(flags, progress);
  const out = path.resolve(flags.out ?? 'bundle.json');
  await writeBundle(out, document);
  const imported = document.metrics.imported as { from: string; trees: number; features: string[] };
  const labels = document.target.classes ? ` (${document.target.classes.join(' / ')})` : '';
  console.log(
    `Wrote ${out}: ${imported.from} model, ${imported.trees} trees, ${imported.features.length} features, ` +
      `task ${document.task}${labels}; schema and reference from ${rows} sample rows`,
  );
}
