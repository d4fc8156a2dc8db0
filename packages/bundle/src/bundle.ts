import type { ColumnTable } from 'arquero';
import {
  InputError,
  SchemaError,
  SerializationError,
  isClassifier,
  load,
  type FittedModel,
  type Serialized,
  type Task,
} from '@campaign-ml/core';
import { FittedColumnPipeline } from '@campaign-ml/features';
import { compileRecordValidator, type RecordValidator, type Schema } from '@campaign-ml/schema';
import '@campaign-ml/models'; // registers the model loaders used by load()
import type { Reference } from './reference';

export const BUNDLE_FORMAT = 'campaign-ml/bundle';
export const BUNDLE_VERSION = 1;

export interface BundleTarget {
  column: string;
  /** Label names by class index (classification); null for regression. */
  classes: string[] | null;
  /** Binary: the label counted as positive (class index 1). */
  positiveClass?: string;
}

export interface BundleProvenance {
  dataSha256: string;
  rows: number;
  config: unknown;
  packageVersions: Record<string, string>;
  gitSha?: string;
}

/** The bundle as JSON: what `pipeline:train` writes and the API loads. Loading it runs no code. */
export interface BundleDocument {
  format: typeof BUNDLE_FORMAT;
  version: number;
  /** A unique id for this bundle (changes with every training run). */
  id: string;
  createdAt: string;
  task: Task;
  target: BundleTarget;
  /** The raw input columns a record may carry; `required` ones must be present. */
  schema: Schema;
  features: Serialized;
  model: { name: string; fitted: Serialized; threshold?: number; groupThresholds?: GroupThresholds };
  metrics: Record<string, unknown>;
  reference?: Reference;
  /**
   * What explanations need: a seeded sample of training rows (raw input values, dates as ISO
   * strings) that SHAP's interventional and model-agnostic explainers take absent columns from.
   * Bundles without it explain against one typical record built from `reference`.
   */
  explain?: { background: Record<string, unknown>[] };
  provenance: BundleProvenance;
}

/**
 * Binary: a threshold per group of one input column (fairness mitigation), replacing `threshold`.
 * A numeric column is grouped by `bins` (bin i holds edges[i-1] <= v < edges[i], labelled
 * labels[i], as @campaign-ml/fairness's fitBins); a categorical one by its value. A record needs
 * the column, and its group must be one of `thresholds`.
 */
export interface GroupThresholds {
  column: string;
  bins?: { edges: number[]; labels: string[] };
  thresholds: Record<string, number>;
}

export interface Prediction {
  /** Predicted label name (classification) or value (regression). */
  label: string | number;
  /** Class probabilities by label name (classification). */
  probabilities?: Record<string, number>;
  /** Binary: the threshold applied to the positive class probability. */
  threshold?: number;
}

export interface PredictOptions {
  /** 'reject' (default): an unseen category is a problem; 'unseen': it is scored as an unknown category. */
  unknownCategories?: 'reject' | 'unseen';
}

/**
 * A loaded, validated bundle that scores tables and raw records. Immutable. Browser-safe: it
 * imports no `node:` module and no file, database or spreadsheet driver (file reading and atomic
 * writing live in `@campaign-ml/bundle/node`).
 */
export class Bundle {
  readonly features: FittedColumnPipeline;
  readonly model: FittedModel;
  readonly threshold?: number;
  /** Binary with fairness thresholds: the threshold of each group of one input column. */
  readonly groupThresholds?: GroupThresholds;
  private readonly validators: Record<'reject' | 'unseen', RecordValidator>;

  private constructor(readonly document: BundleDocument) {
    this.features = loadPart<FittedColumnPipeline>(document.features, 'features');
    if (!(this.features instanceof FittedColumnPipeline)) {
      throw new SerializationError('INVALID_BUNDLE', 'bundle "features" is not a fitted ColumnPipeline', {
        column: 'features',
      });
    }
    this.model = loadPart<FittedModel>(document.model?.fitted, 'model.fitted');
    const classification = document.task !== 'regression';
    if (classification !== isClassifier(this.model)) {
      throw new SerializationError(
        'INVALID_BUNDLE',
        `bundle task is ${document.task} but its model is a ${classification ? 'regressor' : 'classifier'}`,
        {
          column: 'task',
        },
      );
    }
    if (
      classification &&
      (!Array.isArray(document.target.classes) ||
        document.target.classes.length !== (this.model as { classes: number }).classes)
    ) {
      throw new SerializationError(
        'INVALID_BUNDLE',
        'bundle target.classes does not match the number of classes of its model',
        { column: 'target.classes' },
      );
    }
    this.threshold = document.task === 'binary' ? (document.model.threshold ?? 0.5) : undefined;
    this.groupThresholds = checkGroupThresholds(document);
    const required = this.requiredColumns;
    this.validators = {
      reject: compileRecordValidator(document.schema, { required, unknownCategories: 'reject' }),
      unseen: compileRecordValidator(document.schema, { required, unknownCategories: 'unseen' }),
    };
    Object.freeze(this);
  }

  /** Check and load a bundle document (an object or JSON text). */
  static fromJSON(doc: BundleDocument | string): Bundle {
    let obj: unknown = doc;
    if (typeof doc === 'string') {
      try {
        obj = JSON.parse(doc);
      } catch (e) {
        throw new SerializationError('INVALID_BUNDLE', `bundle is not valid JSON: ${(e as Error).message}`);
      }
    }
    const d = obj as BundleDocument;
    if (!d || typeof d !== 'object' || d.format !== BUNDLE_FORMAT) {
      throw new SerializationError('INVALID_BUNDLE', `not a campaign-ml bundle (format should be "${BUNDLE_FORMAT}")`, {
        column: 'format',
        value: d?.format,
      });
    }
    if (typeof d.version !== 'number' || d.version > BUNDLE_VERSION) {
      throw new SerializationError(
        'UNSUPPORTED_VERSION',
        `bundle version ${String(d.version)} is newer than this release reads (${BUNDLE_VERSION}); upgrade campaign-ml`,
        {
          column: 'version',
          value: d.version,
        },
      );
    }
    for (const field of ['task', 'target', 'schema', 'features', 'model'] as const) {
      if (d[field] === undefined)
        throw new SerializationError('INVALID_BUNDLE', `bundle has no "${field}"`, { column: field });
    }
    return new Bundle(d);
  }

  get task(): Task {
    return this.document.task;
  }

  get classes(): string[] | null {
    return this.document.target.classes;
  }

  /** Input columns a record must carry (the ones the feature pipeline reads). */
  get requiredColumns(): readonly string[] {
    const column = this.document.model.groupThresholds?.column;
    const inputs = this.features.inputColumns;
    return column === undefined || inputs.includes(column) ? inputs : [...inputs, column];
  }

  toJSON(): BundleDocument {
    return this.document;
  }

  /**
   * The compiled validator that types raw values for this bundle (records or table rows), with
   * the pipeline's input columns required. The API and batch scoring use it too.
   */
  validator(unknownCategories: 'reject' | 'unseen' = 'reject'): RecordValidator {
    return this.validators[unknownCategories];
  }

  /**
   * Turn raw records (JSON objects with the training table's fields) into a table with the
   * schema's types. Collects every problem (missing required fields, extra fields, wrong types,
   * unknown categories) with the record index as row, and throws one SchemaError for all of them.
   */
  recordsToTable(records: readonly Record<string, unknown>[], options: PredictOptions = {}): ColumnTable {
    const { table, problems } = this.validator(options.unknownCategories).records(records);
    if (problems.length) throw new SchemaError(problems, 'The records do not match the model input');
    return table;
  }

  /** Raw model output for a table: probabilities (rows × classes, row-major) or values. */
  scoreTable(table: ColumnTable): Float64Array {
    const X = this.features.transform(table);
    return isClassifier(this.model) ? this.model.predictProba(X) : this.model.predict(X);
  }

  /** Predictions for a table already in the schema's types. */
  predictTable(table: ColumnTable): Prediction[] {
    return this.format(this.scoreTable(table), table.numRows(), table);
  }

  /** Validate raw records, then predict each. */
  predictRecords(records: readonly Record<string, unknown>[], options: PredictOptions = {}): Prediction[] {
    if (records.length === 0) throw new InputError('EMPTY_INPUT', 'no records to predict');
    return this.predictTable(this.recordsToTable(records, options));
  }

  /**
   * Class index per row from scores, applying the binary threshold, or with group thresholds the
   * threshold of each row's group, read from `table` (the rows the scores are of).
   */
  labelIndices(scores: Float64Array, rows: number, table?: ColumnTable): Int32Array {
    const k = this.classes?.length ?? 0;
    const cuts = k === 2 ? this.rowThresholds(rows, table) : undefined;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      if (k === 2) out[r] = scores[r * 2 + 1] >= (cuts ? cuts[r] : (this.threshold ?? 0.5)) ? 1 : 0;
      else {
        let best = 0;
        for (let c = 1; c < k; c++) if (scores[r * k + c] > scores[r * k + best]) best = c;
        out[r] = best;
      }
    }
    return out;
  }

  /**
   * Each row's threshold from its group (undefined without group thresholds). A row without the
   * column's value, or of a group the thresholds do not know, is an InputError naming the row.
   */
  rowThresholds(rows: number, table?: ColumnTable): Float64Array | undefined {
    const g = this.groupThresholds;
    if (!g) return undefined;
    if (!table || !table.columnNames().includes(g.column)) {
      throw new InputError(
        'MISSING_SENSITIVE_COLUMN',
        `this model applies a threshold per group of "${g.column}", so every record needs "${g.column}"`,
        { column: g.column, expected: `a value of "${g.column}"` },
      );
    }
    const values = table.array(g.column) as ArrayLike<unknown>;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      let group: string | undefined;
      if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) {
        group = g.bins ? (typeof v === 'number' ? g.bins.labels[binOf(v, g.bins.edges)] : undefined) : String(v);
      }
      const t = group === undefined ? undefined : g.thresholds[group];
      if (t === undefined) {
        throw new InputError(
          group === undefined ? 'MISSING_SENSITIVE_VALUE' : 'UNKNOWN_GROUP',
          group === undefined
            ? `row ${r}: "${g.column}" is missing, and this model's threshold depends on it`
            : `row ${r}: "${g.column}" is ${JSON.stringify(group)}, a group the fairness thresholds do not know`,
          { row: r, column: g.column, value: v, expected: `one of ${Object.keys(g.thresholds).join(', ')}` },
        );
      }
      out[r] = t;
    }
    return out;
  }

  private format(scores: Float64Array, rows: number, table?: ColumnTable): Prediction[] {
    const classes = this.classes;
    if (!classes) return Array.from(scores, (v) => ({ label: v }));
    const k = classes.length;
    const cuts = k === 2 ? this.rowThresholds(rows, table) : undefined;
    const idx = this.labelIndices(scores, rows, table);
    const out: Prediction[] = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const probabilities: Record<string, number> = {};
      for (let c = 0; c < k; c++) probabilities[classes[c]] = scores[r * k + c];
      const threshold = cuts ? cuts[r] : this.threshold;
      out[r] = {
        label: classes[idx[r]],
        probabilities,
        ...(threshold !== undefined ? { threshold } : {}),
      };
    }
    return out;
  }
}

/** Index of v's bin: the number of edges <= v (the rule of @campaign-ml/fairness's applyBins). */
function binOf(v: number, edges: readonly number[]): number {
  let i = 0;
  while (i < edges.length && edges[i] <= v) i++;
  return i;
}

/** The document's group thresholds, checked: binary only, a schema column, numbers, bins that match. */
function checkGroupThresholds(doc: BundleDocument): GroupThresholds | undefined {
  const g = doc.model.groupThresholds;
  if (g === undefined) return undefined;
  const bad = (why: string) =>
    new SerializationError('INVALID_BUNDLE', `bundle model.groupThresholds ${why}`, {
      column: 'model.groupThresholds',
    });
  if (doc.task !== 'binary') throw bad('needs a binary task');
  if (!g || typeof g.column !== 'string' || !doc.schema.columns.some((c) => c.name === g.column)) {
    throw bad(`names column ${JSON.stringify(g?.column)}, which is not in the bundle schema`);
  }
  const ts = Object.values(g.thresholds ?? {});
  if (ts.length === 0 || ts.some((t) => typeof t !== 'number' || !Number.isFinite(t))) {
    throw bad('must map each group to a finite threshold');
  }
  if (
    g.bins &&
    (g.bins.labels?.length !== (g.bins.edges?.length ?? -1) + 1 || g.bins.edges.some((e) => !Number.isFinite(e)))
  ) {
    throw bad('bins need finite edges and one more label than edges');
  }
  return g;
}

function loadPart<T>(json: unknown, field: string): T {
  try {
    return load<T>(json as Serialized);
  } catch (e) {
    throw new SerializationError('INVALID_BUNDLE', `bundle "${field}" cannot be loaded: ${(e as Error).message}`, {
      column: field,
    });
  }
}
