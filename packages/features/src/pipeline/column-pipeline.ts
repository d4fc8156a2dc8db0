import { featureSources } from './feature-sources';
import {
  ConfigError,
  InputError,
  createMatrix,
  expectKind,
  load,
  registerLoader,
  sameNames,
  throwIfAborted,
} from '@campaign-ml/core';
import type { FittedMatrixTransformer, Matrix, MatrixTransformer, RunOptions, Serialized } from '@campaign-ml/core';
import type { Schema } from '@campaign-ml/schema';
import { resolveSelector, schemaFromTable } from './column-selector';
import type { ColumnSelector } from './column-selector';
import { numericColumn, requireColumns } from './table-columns';
import { isFittedTableStep, isTableStep } from './table-step';
import type { FittedPipelineStep, FittedTableStep, PipelineStep, Table } from './table-step';

/** A group of a ColumnPipeline: the columns it takes and the chain of steps applied to them. */
export interface ColumnGroup {
  /** Shown in errors and the fitted JSON; defaults to `group<i>`. */
  name?: string;
  select: ColumnSelector;
  /** Table steps first, then Matrix steps (the group's table becomes a Matrix between them). None = passthrough. */
  steps?: readonly PipelineStep[];
  /** Prepended to this group's feature names (to tell apart two groups that produce the same name). */
  prefix?: string;
  /** Let this group's output keep NaN (missing); defaults to the pipeline's `allowMissing`. */
  allowMissing?: boolean;
}

/** A column to drop: its name, or a finding such as a leakage report's `{ column }`. */
export type DropItem = string | { readonly column: string };
export type DropList = readonly DropItem[] | { readonly findings: readonly DropItem[] };

export interface ColumnPipelineOptions {
  groups: readonly ColumnGroup[];
  /** Column types and roles for selectors by type/role; read off the values when absent. */
  schema?: Schema;
  /** Columns not taken by any group: dropped (default) or passed through as numbers. */
  remainder?: 'drop' | 'passthrough';
  /** Columns no group and no remainder ever takes (leakage findings, identifiers, ...). */
  drop?: DropList;
  /** The target column, never used as a feature (the schema's `target` role is excluded too). */
  target?: string;
  /** Matrix steps applied to the joined Matrix of all groups (PCA, selectors, scalers). */
  steps?: readonly MatrixTransformer[];
  /**
   * Allow NaN (missing) in the output. Default false: fit and transform throw an InputError naming
   * the feature and row when a missing value survives the steps (add an imputer, or set this for
   * models that handle missing values natively, such as the tree models).
   */
  allowMissing?: boolean;
}

const NON_FEATURE_ROLES = new Set(['target', 'id', 'ignore', 'group', 'weight']);

function dropNames(list: DropList | undefined): string[] {
  if (!list) return [];
  const items = Array.isArray(list)
    ? (list as readonly DropItem[])
    : (list as { findings: readonly DropItem[] }).findings;
  return items.map((d) => (typeof d === 'string' ? d : d.column));
}

/**
 * scikit-learn's ColumnTransformer + Pipeline for arquero tables: groups pick columns (by name,
 * type, role or pattern) and run a chain of steps; the outputs are joined into one core Matrix
 * with readable feature names (`category=Music`, `launched_at→deadline_days`, `goal`), then
 * optional Matrix steps run on it.
 *
 * ```ts
 * const pipe = new ColumnPipeline({ groups: [
 *   { select: { types: ['category'] }, steps: [new OneHotEncoder({ minFrequency: 10 })] },
 *   { select: ['goal'], steps: [new SimpleImputer({ strategy: 'median' }), new StandardScaler()] },
 * ] }).drop(['pledged']);
 * const { pipeline, X } = pipe.fitTransform(train, y); // X: training Matrix (out-of-fold target encodings)
 * const Xtest = pipeline.transform(test);
 * ```
 */
export class ColumnPipeline {
  readonly params: Readonly<ColumnPipelineOptions>;

  constructor(options: ColumnPipelineOptions) {
    if (!options || !Array.isArray(options.groups)) {
      throw new ConfigError(
        'INVALID_PIPELINE',
        'ColumnPipeline needs { groups: [...] } (an empty list is allowed with remainder: "passthrough")',
      );
    }
    this.params = Object.freeze({ ...options });
  }

  /** A new pipeline that also drops these columns (names, or findings like `{ column }`). */
  drop(columns: DropList): ColumnPipeline {
    const names = [...dropNames(this.params.drop), ...dropNames(columns)];
    return new ColumnPipeline({ ...this.params, drop: names });
  }

  /** Fit every group on the table (y: one label per row, needed by target encoding). */
  fit(table: Table, y?: ArrayLike<number>, opts: RunOptions = {}): FittedColumnPipeline {
    return this.fitTransform(table, y, opts).pipeline;
  }

  /**
   * Fit and return the training Matrix too. Use this X to train models: target encodings in it
   * are out of fold, whereas `pipeline.transform(train)` would use the full-data encoding.
   */
  fitTransform(
    table: Table,
    y?: ArrayLike<number>,
    opts: RunOptions = {},
  ): { pipeline: FittedColumnPipeline; X: Matrix } {
    const p = this.params;
    const schema = p.schema ?? schemaFromTable(table);
    const excluded = new Set(dropNames(p.drop));
    if (p.target) excluded.add(p.target);
    for (const c of schema.columns) if (c.role === 'target') excluded.add(c.name);
    const allowAll = p.allowMissing ?? false;
    const taken = new Set<string>();
    const groups: FittedGroup[] = [];
    const parts: Matrix[] = [];
    p.groups.forEach((g, gi) => {
      throwIfAborted(opts.signal);
      const name = g.name ?? `group${gi}`;
      const columns = resolveSelector(g.select, table, schema, excluded, name);
      columns.forEach((c) => taken.add(c));
      const { fitted, X } = fitGroup(table, columns, g.steps ?? [], y, opts, name, g.prefix ?? '');
      const allowMissing = g.allowMissing ?? allowAll;
      if (!allowMissing) checkNoMissing(X, name);
      groups.push({ name, columns, steps: fitted, prefix: g.prefix ?? '', allowMissing });
      parts.push(X);
      opts.onProgress?.({ stage: 'features', done: gi + 1, total: p.groups.length });
    });
    if (p.remainder === 'passthrough') {
      const byName = new Map(schema.columns.map((c) => [c.name, c] as const));
      const rest = table.columnNames().filter((c) => {
        const role = byName.get(c)?.role ?? 'feature';
        return !taken.has(c) && !excluded.has(c) && !NON_FEATURE_ROLES.has(role);
      });
      if (rest.length > 0) {
        const { fitted, X } = fitGroup(table, rest, [], y, opts, 'remainder', '');
        if (!allowAll) checkNoMissing(X, 'remainder');
        groups.push({ name: 'remainder', columns: rest, steps: fitted, prefix: '', allowMissing: allowAll });
        parts.push(X);
      }
    }
    let X = joinColumns(parts, table.numRows());
    const steps: FittedMatrixTransformer[] = [];
    for (const step of p.steps ?? []) {
      throwIfAborted(opts.signal);
      const f = step.fit(X, y, opts);
      X = f.transform(X);
      steps.push(f);
    }
    if (!allowAll && steps.length > 0) checkNoMissing(X, 'pipeline steps');
    const inputColumns = [...new Set(groups.flatMap((g) => g.columns))];
    return { pipeline: new FittedColumnPipeline(inputColumns, groups, steps, allowAll, X.columns), X };
  }
}

interface FittedGroup {
  name: string;
  columns: string[];
  steps: FittedPipelineStep[];
  prefix: string;
  allowMissing: boolean;
}

function fitGroup(
  table: Table,
  columns: string[],
  steps: readonly PipelineStep[],
  y: ArrayLike<number> | undefined,
  opts: RunOptions,
  name: string,
  prefix: string,
): { fitted: FittedPipelineStep[]; X: Matrix } {
  let cur: Table = table.select(columns);
  let X: Matrix | undefined;
  const fitted: FittedPipelineStep[] = [];
  for (const step of steps) {
    throwIfAborted(opts.signal);
    if (isTableStep(step)) {
      if (X) {
        throw new ConfigError(
          'STEP_ORDER',
          `group "${name}": a table step (${step.constructor.name}) comes after a Matrix step; put table steps (encoders, imputers, date features) first`,
        );
      }
      if (step.fitTransform) {
        const r = step.fitTransform(cur, y, opts);
        fitted.push(r.fitted);
        cur = r.output;
      } else {
        const f = step.fit(cur, y, opts);
        fitted.push(f);
        cur = f.transform(cur);
      }
    } else {
      if (!X) X = tableToMatrix(cur, table.numRows());
      const f = step.fit(X, y, opts);
      fitted.push(f);
      X = f.transform(X);
    }
  }
  if (!X) X = tableToMatrix(cur, table.numRows());
  return { fitted, X: prefix ? rename(X, prefix) : X };
}

function rename(X: Matrix, prefix: string): Matrix {
  return createMatrix(
    X.rows,
    X.cols,
    X.data,
    X.columns.map((c) => prefix + c),
  );
}

/** Every column of the table as numbers (booleans 0/1, null -> NaN); an InputError names any non-numeric value. */
/** See FittedColumnPipeline.sharedPrefix. */
function sharedStepPrefixes(groups: readonly FittedGroup[]): Int32Array[] {
  const ids = new Map<string, number>();
  const uses: number[] = [];
  const keyed = groups.map((g) => {
    const out = new Int32Array(g.steps.length);
    let key = JSON.stringify(g.columns);
    for (let k = 0; k < g.steps.length; k++) {
      key += '\u0000' + JSON.stringify(g.steps[k].toJSON());
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = uses.push(0) - 1));
      uses[id]++;
      out[k] = id;
    }
    return out;
  });
  for (const out of keyed) for (let k = 0; k < out.length; k++) if (uses[out[k]] < 2) out[k] = -1;
  return keyed;
}

export function tableToMatrix(table: Table, rows?: number): Matrix {
  const names = table.columnNames();
  const n = names.length === 0 && rows !== undefined ? rows : table.numRows();
  const data = new Float64Array(n * names.length);
  names.forEach((name, c) => data.set(numericColumn(table, name), c * n));
  return createMatrix(n, names.length, data, names);
}

function joinColumns(parts: readonly Matrix[], rows: number): Matrix {
  const names: string[] = [];
  const seen = new Set<string>();
  let cols = 0;
  for (const p of parts) {
    for (const c of p.columns) {
      if (seen.has(c)) {
        throw new ConfigError(
          'DUPLICATE_FEATURE',
          `two groups produce a feature named "${c}"; give one of them a prefix (group option "prefix") or select the column once`,
          { column: c },
        );
      }
      seen.add(c);
      names.push(c);
    }
    cols += p.cols;
  }
  const data = new Float64Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    if (p.rows !== rows) throw rowMismatch(p.rows, rows);
    data.set(p.data, off);
    off += p.data.length;
  }
  return createMatrix(rows, cols, data, names);
}

function checkNoMissing(X: Matrix, where: string): void {
  const { data, rows } = X;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== data[i]) {
      const c = Math.floor(i / rows);
      const r = i - c * rows;
      throw new InputError(
        'MISSING_AFTER_PIPELINE',
        `feature "${X.columns[c]}" (${where}) is missing at row ${r + 1} after the pipeline's steps; add an imputer to its group, or set allowMissing: true if the model handles missing values`,
        { row: r + 1, column: X.columns[c], value: null, expected: 'a number (no missing values)' },
      );
    }
  }
}

/** NaN check of consecutive columns of `rows` values (a Matrix's data, or one column), named by `names`. */
function checkBlockNoMissing(data: Float64Array, rows: number, names: readonly string[], where: string): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== data[i]) {
      const c = Math.floor(i / rows);
      checkNoMissing(createMatrix(rows, 1, data.subarray(c * rows, (c + 1) * rows), [names[c]]), where);
    }
  }
}

function rowMismatch(got: number, rows: number): InputError {
  return new InputError(
    'ROW_MISMATCH',
    `a step returned ${got} rows for a table of ${rows}; steps must keep every row`,
  );
}

/**
 * Per fitted pipeline, the output names of its last transform: each group's step output names
 * (raw) and their prefixed form, and all of them in order. Fitted steps name their outputs the
 * same way every call (mostly the very same array), so a served pipeline builds the ~200 prefixed
 * names once instead of per request, and the Matrix it returns carries the same frozen names array
 * every time (which the ensemble's column lookup then recognizes at once).
 */
interface OutputNames {
  raw: (readonly string[] | undefined)[];
  prefixed: (readonly string[] | undefined)[];
  all: readonly string[] | undefined;
}
const OUTPUT_NAMES = new WeakMap<FittedColumnPipeline, OutputNames>();

function outputNames(p: FittedColumnPipeline, groups: number): OutputNames {
  let c = OUTPUT_NAMES.get(p);
  if (!c) {
    c = { raw: new Array(groups), prefixed: new Array(groups), all: undefined };
    OUTPUT_NAMES.set(p, c);
  }
  return c;
}

const KIND = 'features/ColumnPipeline';

/** A fitted ColumnPipeline: `transform(table)` gives the Matrix with `featureNamesOut` columns. */
export class FittedColumnPipeline {
  /** Input columns the pipeline reads (transform fails with an InputError naming any that are absent). */
  readonly inputColumns: readonly string[];
  readonly featureNamesOut: readonly string[];
  readonly allowMissing: boolean;
  private readonly groups: readonly FittedGroup[];
  private readonly steps: readonly FittedMatrixTransformer[];
  /**
   * Per group, per step k: an id that another group shares when it applies the same fitted steps
   * 0..k (equal JSON) to the same columns, or -1 when no other group does. The default ensemble's
   * union of two recipes (tree and linear) encodes dates, categories and target encodings twice
   * with identical fitted steps; transform computes each shared prefix once per call.
   */
  private readonly sharedPrefix: readonly Int32Array[];

  constructor(
    inputColumns: readonly string[],
    groups: readonly FittedGroup[],
    steps: readonly FittedMatrixTransformer[],
    allowMissing: boolean,
    featureNamesOut: readonly string[],
  ) {
    this.inputColumns = Object.freeze([...inputColumns]);
    this.groups = Object.freeze(
      groups.map((g) => Object.freeze({ ...g, columns: [...g.columns], steps: [...g.steps] })),
    );
    this.steps = Object.freeze([...steps]);
    this.allowMissing = allowMissing;
    this.featureNamesOut = Object.freeze([...featureNamesOut]);
    this.sharedPrefix = Object.freeze(sharedStepPrefixes(this.groups));
    Object.freeze(this);
  }

  /** The table's rows as a Matrix (column-major, NaN only when allowMissing). */
  transform(table: Table): Matrix {
    requireColumns(table, this.inputColumns);
    const rows = table.numRows();
    const cache = outputNames(this, this.groups.length);
    // Each group's output: its Matrix, or its numeric columns; copied once into the final buffer.
    const parts: (Matrix | Float64Array[])[] = [];
    let cols = 0;
    let namesHold = cache.all !== undefined;
    // Results of step prefixes other groups share (steps are pure: outputs are never written to).
    const memo = new Map<number, { cur: Table; X: Matrix | undefined }>();
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi];
      const shared = this.sharedPrefix[gi];
      let cur: Table = table;
      let X: Matrix | undefined;
      let k = 0;
      for (let j = g.steps.length - 1; j >= 0; j--) {
        const hit = shared[j] >= 0 ? memo.get(shared[j]) : undefined;
        if (hit) {
          ({ cur, X } = hit);
          k = j + 1;
          break;
        }
      }
      for (; k < g.steps.length; k++) {
        const step = g.steps[k];
        if (isFittedTableStep(step)) cur = step.transform(cur);
        else {
          if (!X) X = tableToMatrix(cur, rows);
          X = step.transform(X);
        }
        if (shared[k] >= 0) memo.set(shared[k], { cur, X });
      }
      // A group without steps passes its columns through, read from the input table.
      const raw = X ? X.columns : g.steps.length === 0 ? g.columns : cur.columnNames();
      let names = cache.prefixed[gi];
      if (names === undefined || !sameNames(cache.raw[gi]!, raw)) {
        names = Object.freeze(raw.map((n) => g.prefix + n));
        cache.raw[gi] = raw;
        cache.prefixed[gi] = names;
        namesHold = false;
      }
      if (X) {
        if (X.rows !== rows) throw rowMismatch(X.rows, rows);
        if (!g.allowMissing) checkBlockNoMissing(X.data, rows, names, g.name);
        parts.push(X);
      } else {
        const columns = raw.map((name) => numericColumn(cur, name));
        for (let c = 0; c < columns.length; c++) {
          if (columns[c].length !== rows) throw rowMismatch(columns[c].length, rows);
          if (!g.allowMissing) checkBlockNoMissing(columns[c], rows, [names[c]], g.name);
        }
        parts.push(columns);
      }
      cols += names.length;
    }
    if (!namesHold || cache.all === undefined) cache.all = Object.freeze(cache.prefixed.flatMap((n) => n!));
    const data = new Float64Array(rows * cols);
    let at = 0;
    for (const p of parts) {
      if (Array.isArray(p)) {
        for (const column of p) {
          data.set(column, at);
          at += rows;
        }
      } else {
        data.set(p.data, at);
        at += p.data.length;
      }
    }
    const names = cache.all;
    let X = createMatrix(rows, cols, data, names);
    for (const s of this.steps) X = s.transform(X);
    if (!this.allowMissing && this.steps.length > 0) checkNoMissing(X, 'pipeline steps');
    return X;
  }

  /**
   * The input columns each of `featureNamesOut` is made from (see feature-sources.ts): one column
   * for most features (`country=US` from `country`), two for a duration or ratio, every column of
   * the group for a feature no name rule places. Explanations use it to sum a column's features.
   */
  featureSources(): string[][] {
    return featureSources(this.featureNamesOut, this.groups, this.inputColumns);
  }

  /** The fitted steps of a group, by name (for inspection). */
  groupSteps(name: string): readonly FittedPipelineStep[] | undefined {
    return this.groups.find((g) => g.name === name)?.steps;
  }

  /**
   * One pipeline whose output is the side-by-side concatenation of several fitted pipelines' outputs
   * (scikit-learn's FeatureUnion), each part's feature names under its own prefix: how an ensemble
   * of models built on different recipes (trees: raw numbers with NaN; linear: imputed and scaled)
   * takes one input matrix. Parts with whole-matrix steps (PCA, ...) cannot be joined.
   *
   * ```ts
   * const both = FittedColumnPipeline.union([{ prefix: 'tree:', pipeline: tree }, { prefix: 'linear:', pipeline: linear }]);
   * both.featureNamesOut; // ['tree:goal', ..., 'linear:goal', ...]
   * ```
   */
  static union(parts: ReadonlyArray<{ prefix: string; pipeline: FittedColumnPipeline }>): FittedColumnPipeline {
    if (parts.length === 0)
      throw new ConfigError('INVALID_OPTION', 'FittedColumnPipeline.union needs at least one part', {
        value: 0,
        expected: 'one or more pipelines',
      });
    const prefixes = new Set<string>();
    const inputs: string[] = [];
    const groups: FittedGroup[] = [];
    const names: string[] = [];
    for (const { prefix, pipeline } of parts) {
      if (prefixes.has(prefix))
        throw new ConfigError('INVALID_OPTION', `FittedColumnPipeline.union: prefix "${prefix}" is used twice`, {
          value: prefix,
          expected: 'a distinct prefix per part',
        });
      prefixes.add(prefix);
      if (pipeline.steps.length > 0) {
        throw new ConfigError(
          'INVALID_OPTION',
          `FittedColumnPipeline.union: part "${prefix}" has whole-matrix steps, which cannot be joined column-wise`,
          {
            value: prefix,
            expected: 'pipelines without whole-matrix steps',
          },
        );
      }
      for (const c of pipeline.inputColumns) if (!inputs.includes(c)) inputs.push(c);
      for (const g of pipeline.groups) {
        // A group checks its own missing values, so a NaN-free part stays NaN-free inside the union.
        groups.push({
          ...g,
          name: prefix + g.name,
          prefix: prefix + g.prefix,
          allowMissing: g.allowMissing && pipeline.allowMissing,
        });
      }
      for (const n of pipeline.featureNamesOut) names.push(prefix + n);
    }
    return new FittedColumnPipeline(
      inputs,
      groups,
      [],
      parts.some((p) => p.pipeline.allowMissing),
      names,
    );
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      inputColumns: [...this.inputColumns],
      featureNamesOut: [...this.featureNamesOut],
      allowMissing: this.allowMissing,
      groups: this.groups.map((g) => ({
        name: g.name,
        columns: g.columns,
        prefix: g.prefix,
        allowMissing: g.allowMissing,
        steps: g.steps.map((s) => s.toJSON()),
      })),
      steps: this.steps.map((s) => s.toJSON()),
    };
  }

  static fromJSON(json: Serialized): FittedColumnPipeline {
    expectKind(json, KIND, 1);
    const groups = (json.groups as Array<Omit<FittedGroup, 'steps'> & { steps: Serialized[] }>).map((g) => ({
      ...g,
      steps: g.steps.map((s) => load<FittedPipelineStep>(s)),
    }));
    const steps = (json.steps as Serialized[]).map((s) => load<FittedMatrixTransformer>(s));
    return new FittedColumnPipeline(
      json.inputColumns as string[],
      groups,
      steps,
      json.allowMissing as boolean,
      json.featureNamesOut as string[],
    );
  }
}

registerLoader(KIND, FittedColumnPipeline.fromJSON);

export type { FittedTableStep };
