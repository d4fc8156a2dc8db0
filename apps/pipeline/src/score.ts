import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { AbortError, ConfigError, SchemaError, type Problem } from '@campaign-ml/core';
import { Bundle } from '@campaign-ml/bundle';
import {
  coerceToSchema,
  countDatabaseRows,
  detectDateFormat,
  openTableWriter,
  readDatabase,
  readDatabaseChunks,
  readTable,
  readTableChunks,
  validate,
  type ColumnKind,
  type ColumnSchema,
  type ColumnType,
  type IfExists,
  type Schema,
  type TableWriter,
} from '@campaign-ml/ingest';
import type { Progress } from './progress';

/** Where the rows come from: a file, or a database table or query. */
export interface InputOptions {
  /** A CSV/TSV (streamed), XLSX/JSON/NDJSON/Parquet (read whole) file. */
  data?: string;
  /** A database: `postgres://...`, `sqlite:path` or a SQLite file path. */
  db?: string;
  /** ...its table... */
  table?: string;
  /** ...or a SELECT query. */
  query?: string;
}

export interface ScoreOptions extends InputOptions {
  bundle: string;
  /** Predictions CSV. Default predictions.csv, unless `outTable` is given. */
  out?: string;
  /** Predictions table (in `outDb`, by default the input `db`). */
  outTable?: string;
  outDb?: string;
  /** When `outTable` / `rejectsTable` exist: fail (default), replace or append. */
  ifExists?: IfExists;
  /** Rejects CSV (default rejects.csv), unless `rejectsTable` is given. */
  rejects?: string;
  rejectsTable?: string;
  /** Rows read, validated and scored at a time (default 10,000): memory is bounded by it. */
  chunkRows?: number;
  unknownCategories?: 'reject' | 'unseen';
  /** Stops between chunks; every output is then removed (nothing partial is left). */
  signal?: AbortSignal;
}

export interface ScoreSummary {
  rows: number;
  scored: number;
  rejected: number;
  /** Where the predictions went (file path or `table in db`). */
  out: string;
  /** Where the rejects went, when there were any. */
  rejects?: string;
}

export type ResolvedInput = { kind: 'file'; path: string } | { kind: 'db'; url: string; table?: string; query?: string };

const hidePassword = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** Check the input flags: exactly one of --data or --db, and with --db exactly one of --table or --query. */
export function resolveInput(o: InputOptions): ResolvedInput {
  if (Boolean(o.data) === Boolean(o.db)) {
    throw new ConfigError('INPUT_SOURCE', o.data ? 'give either --data <file> or --db <url>, not both' : 'no input: give --data <file> or --db <url> with --table <name> or --query "<select>"', {
      expected: '--data <file> | --db <url> --table <name> | --db <url> --query "<select>"',
    });
  }
  if (o.data) {
    if (o.table !== undefined || o.query !== undefined) throw new ConfigError('INPUT_SOURCE', '--table and --query read from a database: give --db <url> instead of --data', { value: o.table ?? o.query });
    return { kind: 'file', path: o.data };
  }
  if ((o.table === undefined) === (o.query === undefined)) {
    throw new ConfigError('INPUT_SOURCE', `--db ${hidePassword(o.db as string)} needs exactly one of --table <name> or --query "<select>"`, { expected: '--table or --query' });
  }
  return { kind: 'db', url: o.db as string, table: o.table, query: o.query };
}

/** A short description of the input for messages and reports (no password). */
export function describeInput(input: ResolvedInput): string {
  if (input.kind === 'file') return input.path;
  return `${input.table !== undefined ? `table ${input.table}` : 'query'} in ${hidePassword(input.url)}`;
}

/** The whole input as one table (evaluate needs every row at once). */
export async function readInput(input: ResolvedInput): Promise<ColumnTable> {
  if (input.kind === 'file') return readTable(input.path);
  return readDatabase({ url: input.url, table: input.table, query: input.query });
}

interface InputChunk {
  table: ColumnTable;
  /** 0-based row of the whole input where the chunk starts. */
  offset: number;
  /** Rows in the whole input, when known; else an estimate from the bytes read, when possible. */
  total?: number;
  estimated?: boolean;
}

/**
 * The input in chunks. Files: the bundle's columns are read as text and typed by the bundle's
 * schema in `makeValidator`, so a column's type never depends on which rows share a chunk.
 */
async function* inputChunks(input: ResolvedInput, bundle: Bundle, chunkRows: number): AsyncGenerator<InputChunk> {
  if (input.kind === 'db') {
    const total = input.table !== undefined ? await countDatabaseRows({ url: input.url, table: input.table }) : undefined;
    for await (const c of readDatabaseChunks({ url: input.url, table: input.table, query: input.query, chunkRows })) yield { table: c.table, offset: c.offset, total };
    return;
  }
  const columnTypes = Object.fromEntries(bundle.document.schema.columns.map((c) => [c.name, 'string' as const]));
  for await (const c of readTableChunks(input.path, { chunkRows, columnTypes })) {
    if (c.rowsTotal !== undefined) yield { table: c.table, offset: c.offset, total: c.rowsTotal };
    else {
      const done = c.offset + c.table.numRows();
      const read = c.bytesRead ?? 0;
      const size = c.bytesTotal ?? 0;
      const total = size > 0 && read > 0 ? (read >= size ? done : Math.max(done + 1, Math.round((done * size) / read))) : undefined;
      yield { table: c.table, offset: c.offset, total, estimated: read < size };
    }
  }
}

export interface ChunkSplit {
  /** Rows that fit the schema, in its types, with their 0-based rows in the whole input. */
  good: { table: ColumnTable; rows: Int32Array };
  /** Rows that do not, with their reasons (1-based rows of the whole input). */
  rejects: { row: number; reasons: string[] }[];
}

/**
 * A validator for consecutive chunks of one input: each chunk is coerced to the bundle's schema and
 * validated; row numbers count from `offset`. A datetime column whose schema has no date format
 * keeps the format found in the first chunk that has date text, so that every chunk reads dates
 * the same way (dd/mm vs mm/dd cannot flip between chunks).
 */
export function makeValidator(bundle: Bundle, unknownCategories: 'reject' | 'unseen'): (table: ColumnTable, offset: number) => ChunkSplit {
  const required = new Set(bundle.requiredColumns);
  const pinned = new Map<string, ColumnSchema['dateFormat']>();
  return (table, offset) => {
    const names = new Set(table.columnNames());
    const columns = bundle.document.schema.columns.filter((c) => names.has(c.name) || required.has(c.name));
    for (const c of columns) {
      if (c.type !== 'datetime' || c.dateFormat || pinned.has(c.name) || !names.has(c.name)) continue;
      const text = (table.array(c.name) as ArrayLike<unknown>) ?? [];
      const strings: string[] = [];
      for (let i = 0; i < text.length; i++) if (typeof text[i] === 'string' && (text[i] as string).trim() !== '') strings.push(text[i] as string);
      if (strings.length) pinned.set(c.name, detectDateFormat(strings) ?? 'iso');
    }
    const schema: Schema = { rows: bundle.document.schema.rows, columns: columns.map((c) => (c.type === 'datetime' && !c.dateFormat && pinned.has(c.name) ? { ...c, dateFormat: pinned.get(c.name) } : c)) };
    return splitChunk(table, schema, unknownCategories, offset);
  };
}

/** Rows that match the schema (coerced to its types) and the rest with their reasons (1-based rows). */
export function splitValid(table: ColumnTable, bundle: Bundle, unknownCategories: 'reject' | 'unseen', offset = 0): ChunkSplit {
  return makeValidator(bundle, unknownCategories)(table, offset);
}

function splitChunk(table: ColumnTable, schema: Schema, unknownCategories: 'reject' | 'unseen', offset: number): ChunkSplit {
  const reasons = new Map<number, string[]>();
  const add = (p: Problem) => {
    if (p.row === undefined) throw new SchemaError([p], 'The data cannot be scored with this bundle');
    const list = reasons.get(p.row) ?? [];
    list.push(p.message.replace(/\(row [\d,]+\)/, `(row ${(p.row + offset).toLocaleString('en-US')})`));
    reasons.set(p.row, list);
  };
  let typed: ColumnTable;
  /** index[i]: the chunk row (0-based) of typed row i. */
  let index = Array.from({ length: table.numRows() }, (_, i) => i);
  const present = table.select(schema.columns.filter((c) => table.columnNames().includes(c.name)).map((c) => c.name));
  try {
    typed = coerceToSchema(present, schema);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    e.problems.forEach(add);
    const bad = new Set(e.problems.map((p) => (p.row as number) - 1));
    const keep = Array.from({ length: present.numRows() }, (_, i) => i).filter((i) => !bad.has(i));
    typed = coerceToSchema(present.reify(keep as never), schema);
    index = keep;
  }
  const result = validate(typed, schema, { checkRange: false, allowExtra: true, allowUnknownCategories: unknownCategories === 'unseen' });
  for (const p of result.problems) add({ ...p, row: p.row === undefined ? undefined : index[p.row - 1] + 1 });
  const goodRows: number[] = [];
  for (let i = 0; i < index.length; i++) if (!reasons.has(index[i] + 1)) goodRows.push(i);
  const good = typed.reify(goodRows as never);
  return {
    good: { table: good, rows: Int32Array.from(goodRows, (i) => index[i] + offset) },
    rejects: [...reasons.entries()].sort((a, b) => a[0] - b[0]).map(([row, r]) => ({ row: row + offset, reasons: r })),
  };
}

/** One output: a CSV written to a temp file renamed at the end, or a database table writer. */
interface Sink {
  write(t: ColumnTable): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  readonly where: string;
}

/** CSV text written chunk by chunk to `<file>.tmp-<random>`, renamed to `file` by commit. */
async function csvSink(file: string): Promise<Sink> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await removeStaleTemps(file);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const handle = await fs.open(tmp, 'wx');
  let header = false;
  let closed = false;
  const close = async () => {
    if (!closed) await handle.close();
    closed = true;
  };
  return {
    where: file,
    async write(t) {
      const cols = t.columnNames();
      const arrays = cols.map((c) => t.array(c) as ArrayLike<unknown>);
      const lines: string[] = header ? [] : [cols.map(csvCell).join(',')];
      header = true;
      for (let r = 0; r < t.numRows(); r++) lines.push(arrays.map((a) => csvCell(a[r])).join(','));
      if (lines.length) await handle.write(`${lines.join('\n')}\n`);
    },
    async commit() {
      await handle.sync();
      await close();
      await fs.rename(tmp, file);
    },
    async abort() {
      await close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
    },
  };
}

/**
 * Remove `<file>.tmp-<pid>-<hex>` left by a run that was killed before it could clean up (SIGKILL,
 * or tsx killing a child that was busy when Ctrl-C came), when that process is gone.
 */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const base = path.basename(file);
  for (const name of await fs.readdir(dir)) {
    if (!name.startsWith(`${base}.tmp-`)) continue;
    const m = /^(\d+)-[0-9a-f]+$/.exec(name.slice(base.length + 5));
    if (!m || processAlive(Number(m[1]))) continue;
    await fs.rm(path.join(dir, name), { force: true });
  }
}

/** Whether process `pid` still runs (signal 0 probes without signalling; EPERM: it runs as someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Date ? v.toISOString() : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function tableSink(url: string, table: string, ifExists: IfExists, columns: { name: string; kind: ColumnKind }[]): Promise<Sink> {
  const w: TableWriter = await openTableWriter({ url, table, ifExists, columns });
  return {
    where: `table ${table} in ${hidePassword(url)}`,
    write: async (t) => {
      await w.write(t);
    },
    commit: async () => {
      await w.commit();
    },
    abort: () => w.abort(),
  };
}

const KIND_OF: Record<ColumnType, ColumnKind> = {
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  datetime: 'datetime',
  category: 'string',
  text: 'string',
  identifier: 'string',
};

/**
 * Batch scoring, one chunk at a time: read `chunkRows` rows (CSV/TSV streamed, databases paged,
 * other formats read whole and sliced), check them against the bundle's schema, score the good
 * ones and append their predictions to the output; rows that fail go to the rejects output with
 * their reasons and their row number in the whole input. Nothing is dropped silently: scored +
 * rejected = rows. Outputs appear only when every chunk succeeded; a failure or an abort (the
 * signal) removes them.
 */
export async function scoreFile(opts: ScoreOptions, progress: Progress): Promise<ScoreSummary> {
  const input = resolveInput(opts);
  const outDb = opts.outDb ?? opts.db;
  if ((opts.outTable || opts.rejectsTable) && !outDb) {
    throw new ConfigError('OUTPUT_DATABASE', `--${opts.outTable ? 'out-table' : 'rejects-table'} needs a database: give --out-db <url> (or read from --db)`, { expected: '--out-db <url>' });
  }
  if (opts.outDb && !opts.outTable && !opts.rejectsTable) throw new ConfigError('OUTPUT_DATABASE', '--out-db is where --out-table and --rejects-table go: give one of them', { value: hidePassword(opts.outDb) });
  const chunkRows = opts.chunkRows ?? 10_000;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new ConfigError('INVALID_OPTION', `--chunk-rows must be a positive integer, got ${chunkRows}`, { value: chunkRows });
  const ifExists = opts.ifExists ?? 'fail';
  const outCsv = opts.out ?? (opts.outTable ? undefined : 'predictions.csv');
  const rejectsCsv = opts.rejectsTable ? undefined : (opts.rejects ?? 'rejects.csv');
  const signal = opts.signal;
  const stopIfAborted = () => {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError('scoring was interrupted');
  };

  progress.stage('load bundle');
  const bundle = await Bundle.read(opts.bundle);
  const classes = bundle.classes;
  const validator = makeValidator(bundle, opts.unknownCategories ?? 'reject');
  const idSchema = bundle.document.schema.columns.filter((c) => c.role === 'id');

  const outputs: Sink[] = [];
  let preds: Sink[] | undefined;
  let rejectSink: Sink | undefined;
  let rows = 0;
  let scored = 0;
  let rejected = 0;
  let started = false;
  try {
    for await (const chunk of inputChunks(input, bundle, chunkRows)) {
      stopIfAborted();
      const { good, rejects } = validator(chunk.table, chunk.offset);
      if (!preds) {
        // Output columns are fixed by the first chunk: row, the id columns the input has, prediction, p_<class>.
        const ids = idSchema.filter((c) => chunk.table.columnNames().includes(c.name));
        const columns: { name: string; kind: ColumnKind }[] = [{ name: 'row', kind: 'integer' }, ...ids.map((c) => ({ name: c.name, kind: KIND_OF[c.type] })), { name: 'prediction', kind: classes ? 'string' : 'number' }];
        if (classes) for (const c of classes) columns.push({ name: `p_${c}`, kind: 'number' });
        preds = [];
        if (opts.outTable) preds.push(await tableSink(outDb as string, opts.outTable, ifExists, columns));
        if (outCsv) preds.push(await csvSink(outCsv));
        outputs.push(...preds);
      }
      const table = predictions(bundle, good.table, good.rows, idSchema.filter((c) => chunk.table.columnNames().includes(c.name)));
      for (const p of preds) await p.write(table);
      if (rejects.length) {
        if (!rejectSink) {
          rejectSink = opts.rejectsTable
            ? await tableSink(outDb as string, opts.rejectsTable, ifExists, [{ name: 'row', kind: 'integer' }, { name: 'reasons', kind: 'string' }])
            : await csvSink(rejectsCsv as string);
          outputs.push(rejectSink);
        }
        await rejectSink.write(aq.table({ row: rejects.map((r) => r.row), reasons: rejects.map((r) => r.reasons.join('; ')) }));
      }
      rows += chunk.table.numRows();
      scored += good.table.numRows();
      rejected += rejects.length;
      const detail = `${scored.toLocaleString('en-US')} scored, ${rejected.toLocaleString('en-US')} rejected`;
      if (!started) {
        progress.stage('score', Math.max(1, chunk.total ?? rows));
        started = true;
      }
      if (chunk.total === undefined) progress.tick(rows, rows, `rows so far (total unknown); ${detail}`);
      else progress.tick(rows, Math.max(rows, chunk.total), chunk.estimated ? `(total estimated from the file size) ${detail}` : detail);
    }
    stopIfAborted();
    if (rows !== scored + rejected) throw new Error(`internal: ${rows} rows read but ${scored} scored and ${rejected} rejected`);
    // Rejects first: the predictions are the output a caller waits for.
    if (rejectSink) await rejectSink.commit();
    for (const p of preds ?? []) await p.commit();
  } catch (e) {
    for (const o of outputs) await o.abort().catch(() => undefined);
    progress.end();
    throw e;
  }
  progress.end();
  return { rows, scored, rejected, out: (preds ?? []).map((p) => p.where).join(' and '), rejects: rejectSink?.where };
}

/** row (1-based in the whole input), the id columns, prediction and one probability per class. */
function predictions(bundle: Bundle, good: ColumnTable, rows: Int32Array, ids: readonly ColumnSchema[]): ColumnTable {
  const n = good.numRows();
  const classes = bundle.classes;
  const out: Record<string, unknown[]> = { row: Array.from(rows, (r) => r + 1) };
  for (const c of ids) {
    const values = Array.from(good.array(c.name) as ArrayLike<unknown>);
    out[c.name] = KIND_OF[c.type] === 'string' ? values.map((v) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v))) : values;
  }
  const scores = n > 0 ? bundle.scoreTable(good) : new Float64Array(0);
  if (classes) {
    const labels = bundle.labelIndices(scores, n);
    out.prediction = Array.from(labels, (k) => classes[k]);
    classes.forEach((c, k) => {
      out[`p_${c}`] = Array.from({ length: n }, (_, r) => scores[r * classes.length + k]);
    });
  } else out.prediction = Array.from(scores);
  return aq.table(out, Object.keys(out));
}
