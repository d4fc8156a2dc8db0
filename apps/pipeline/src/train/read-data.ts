import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ColumnTable } from 'arquero';
import { ConfigError, InputError, type Task } from '@campaign-ml/core';
import { readDatabase, readTableWithInfo, type ReadWarning } from '@campaign-ml/ingest';
import { coerceToSchema, inferSchema, missingPredicate, type ColumnType } from '@campaign-ml/schema';
import { checkColumnsExist, missingTokensOf, type PipelineConfig } from '../config';
import { choosePositiveClass, type PositiveChoice } from './positive-class';
import type { Progress } from '../progress';

export interface LoadedData {
  table: ColumnTable;
  sha256: string;
  source: string;
  warnings: ReadWarning[];
}

/**
 * Read the configured source (file or database) and fingerprint it for provenance. `asText`
 * reads every file column as written, to be typed by a schema (`typeTarget`, `typeFeatures`).
 */
export async function loadData(cfg: PipelineConfig, options: { asText?: boolean } = {}): Promise<LoadedData> {
  const d = typeof cfg.data === 'string' ? { path: cfg.data } : cfg.data;
  if (d.database) {
    if (!d.table && !d.query)
      throw new ConfigError('INVALID_CONFIG', 'data: a database source needs data.table or data.query', {
        column: 'data',
      });
    const table = await readDatabase({ url: d.database, table: d.table, query: d.query });
    const sha256 = createHash('sha256')
      .update(`${d.database}\n${d.table ?? d.query}\n${table.numRows()}`)
      .digest('hex');
    return {
      table,
      sha256,
      source: `${d.database.replace(/\/\/[^@/]*@/, '//***@')} ${d.table ?? 'query'}`,
      warnings: [],
    };
  }
  if (!d.path)
    throw new ConfigError('INVALID_CONFIG', 'data: give a file path (data: file.csv) or data.database', {
      column: 'data',
    });
  const [read, sha256] = await Promise.all([
    readTableWithInfo(d.path, {
      format: d.format,
      sheet: d.sheet,
      delimiter: d.delimiter,
      decimal: d.decimal,
      asText: options.asText,
    }),
    fileSha256(d.path),
  ]);
  return { table: read.table, sha256, source: d.path, warnings: read.warnings };
}

/** SHA-256 of a file, streamed. */
export function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * The target typed by the grammar only when it is numeric (a regression target, or numeric codes
 * of classes); labels written as words keep their spelling ("Yes" stays "Yes", not true).
 */
export function typeTarget(table: ColumnTable, cfg: PipelineConfig): ColumnTable {
  const forced = (cfg.features.types as Record<string, ColumnType> | undefined)?.[cfg.target];
  const missingTokens = missingTokensOf(cfg);
  const types = forced ? { [cfg.target]: forced } : undefined;
  const [col] = inferSchema(table.select(cfg.target), { types, missingTokens }).columns;
  if (col.type !== 'number' && col.type !== 'integer') return table;
  return coerceToSchema(table, { rows: table.numRows(), columns: [col] }, { missingTokens });
}

export interface PreparedTarget {
  /** The table without excluded-label rows and rows with a missing target. */
  table: ColumnTable;
  task: Task;
  /** Label names by class index (positive class at index 1 for binary); null for regression. */
  classes: string[] | null;
  positiveClass?: string;
  /** The positive label as the column holds it (1, true, "successful"), for code that compares raw values. */
  positiveValue?: unknown;
  /** Binary: how the positive label was chosen, and the sentence the run prints about it. */
  positiveChoice?: PositiveChoice;
  /** Class index (classification) or value (regression) per row of `table`. */
  y: Float64Array;
  droppedMissing: number;
  droppedExcluded: number;
}

/** Drop rows the config excludes, decide the task, and map labels to class indices. */
export function prepareTarget(table: ColumnTable, cfg: PipelineConfig): PreparedTarget {
  const raw = table.array(cfg.target) as ArrayLike<unknown>;
  const isMissing = missingPredicate(missingTokensOf(cfg));
  const exclude = new Set(cfg.excludeLabels);
  const keep: number[] = [];
  let droppedMissing = 0;
  let droppedExcluded = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (isMissing(v)) droppedMissing++;
    else if (exclude.has(labelOf(v))) droppedExcluded++;
    else keep.push(i);
  }
  if (keep.length === 0)
    throw new InputError('NO_ROWS', `no rows left after dropping missing "${cfg.target}" and excluded labels`, {
      column: cfg.target,
    });
  const values = keep.map((i) => raw[i]);
  const kept = keep.length === raw.length ? table : table.reify(keep as unknown as never);
  const distinct = [...new Set(values.map(labelOf))];
  const numeric = values.every((v) => typeof v === 'number');
  const task: Task =
    cfg.task ??
    (numeric && !(distinct.length <= 10 && values.every((v) => Number.isInteger(v)))
      ? 'regression'
      : distinct.length === 2
        ? 'binary'
        : 'multiclass');

  if (task === 'regression') {
    if (!numeric) {
      const bad = values.findIndex((v) => typeof v !== 'number');
      throw new InputError(
        'NON_NUMERIC_TARGET',
        `task is regression but "${cfg.target}" holds ${JSON.stringify(values[bad])} (row ${keep[bad] + 1})`,
        {
          column: cfg.target,
          row: keep[bad] + 1,
          value: values[bad],
          expected: 'a number',
        },
      );
    }
    return {
      table: kept,
      task,
      classes: null,
      y: Float64Array.from(values as number[]),
      droppedMissing,
      droppedExcluded,
    };
  }
  if (distinct.length < 2)
    throw new InputError('SINGLE_CLASS', `"${cfg.target}" has a single class (${distinct[0]}); nothing to learn`, {
      column: cfg.target,
    });
  if (task === 'binary' && distinct.length !== 2) {
    throw new ConfigError(
      'NOT_BINARY',
      `task is binary but "${cfg.target}" has ${distinct.length} labels (${distinct.slice(0, 6).join(', ')}); use excludeLabels or task: multiclass`,
      {
        column: cfg.target,
        value: distinct.length,
      },
    );
  }
  let classes = [...distinct].sort(naturalCompare);
  let positiveClass: string | undefined;
  let positiveChoice: PositiveChoice | undefined;
  if (task === 'binary') {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(labelOf(v), (counts.get(labelOf(v)) ?? 0) + 1);
    positiveChoice = choosePositiveClass(classes, counts, cfg.positive);
    positiveClass = positiveChoice.label;
    if (!classes.includes(positiveClass)) {
      throw new ConfigError(
        'UNKNOWN_POSITIVE',
        `positive: "${positiveClass}" is not a label of "${cfg.target}" (labels: ${classes.join(', ')})`,
        {
          column: 'positive',
          value: positiveClass,
        },
      );
    }
    classes = [classes.find((c) => c !== positiveClass)!, positiveClass];
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Float64Array.from(values, (v) => index.get(labelOf(v))!);
  const positiveValue = positiveClass === undefined ? undefined : values.find((v) => labelOf(v) === positiveClass);
  return {
    table: kept,
    task,
    classes,
    positiveClass,
    positiveValue,
    positiveChoice,
    y,
    droppedMissing,
    droppedExcluded,
  };
}

export function labelOf(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}

function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface TrainingData {
  data: LoadedData;
  prepared: PreparedTarget;
}

/** The read stage: the configured data, and its target checked and mapped to class indices or values. */
export async function readData(cfg: PipelineConfig, progress: Progress): Promise<TrainingData> {
  // Files are read as text and typed by the schema stage, by the grammar batch scoring and the
  // API use: a value is typed the same way at training and at scoring.
  const data = await loadData(cfg, { asText: true });
  checkColumnsExist(cfg, data.table.columnNames());
  const prepared = prepareTarget(typeTarget(data.table, cfg), cfg);
  const { table, task, classes } = prepared;
  const labels = classes ? ` (${classes.join(' / ')})` : '';
  progress.info(`${table.numRows()} rows x ${table.numCols()} columns from ${data.source}; task ${task}${labels}`);
  if (prepared.positiveChoice && prepared.positiveChoice.rule !== 'config')
    progress.info(prepared.positiveChoice.message);
  return { data, prepared };
}
