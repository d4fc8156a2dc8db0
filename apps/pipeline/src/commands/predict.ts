import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { AbortError, ConfigError } from '@campaign-ml/core';
import { Bundle } from '@campaign-ml/bundle';
import { readBundle } from '@campaign-ml/bundle/node';
import {
  countDatabaseRows,
  openTableWriter,
  readDatabaseChunks,
  readTableChunks,
  type ColumnKind,
  type CsvByteRange,
  type IfExists,
  type TableWriter,
} from '@campaign-ml/ingest';
import type { ColumnSchema, ColumnType } from '@campaign-ml/schema';
import { hidePassword, resolveInput, type InputOptions, type ResolvedInput } from '../input';
import { Progress } from '../progress';
import { plausibleRanges, rangeWarnings, type PlausibleRange } from '../plausibility';
import { makeValidator, rejectUnreadable, type ChunkSplit } from '../row-validator';
import { withInterrupt } from './with-interrupt';

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
  /**
   * A value far outside the training range (an age of -5): 'warn' (default) scores the row and
   * says so in the predictions' `warnings` column; 'reject' sends the row to the rejects.
   */
  outOfRange?: 'warn' | 'reject';
  /** Stops between chunks; every output is then removed (nothing partial is left). */
  signal?: AbortSignal;
  /**
   * Score only the input rows start..end-1 (0-based, of the whole input), as one part of a
   * partitioned run; row numbers in the outputs stay those of the whole input.
   */
  rows?: { start: number; end: number };
  /**
   * With `rows`, for a CSV/TSV --data: the bytes holding exactly those rows (planned by
   * `csvRowOffsets`); the reader reads the header and these bytes only, not the rows before.
   */
  byteRange?: CsvByteRange;
}

export interface ScoreSummary {
  rows: number;
  scored: number;
  rejected: number;
  /** Where the predictions went (file path or `table in db`). */
  out: string;
  /** Where the rejects went, when there were any. */
  rejects?: string;
  /** Scored rows with a value far outside the training range (see their `warnings`). */
  warned: number;
}

interface InputChunk {
  table: ColumnTable;
  /** 0-based row of the whole input where the chunk starts. */
  offset: number;
  /** Rows in the whole input, when known; else an estimate from the bytes read, when possible. */
  total?: number;
  estimated?: boolean;
  /** Rows the reader could not read (null rows of `table`), with reasons naming their lines. */
  badRows?: readonly { row: number; message: string }[];
}

/**
 * The input in chunks. Files: the bundle's columns are read as text and typed by the bundle's
 * schema in `makeValidator`, so a column's type never depends on which rows share a chunk.
 */
async function* inputChunks(
  input: ResolvedInput,
  bundle: Bundle,
  chunkRows: number,
  byteRange?: CsvByteRange,
): AsyncGenerator<InputChunk> {
  if (input.kind === 'db') {
    const total =
      input.table !== undefined ? await countDatabaseRows({ url: input.url, table: input.table }) : undefined;
    for await (const c of readDatabaseChunks({ url: input.url, table: input.table, query: input.query, chunkRows }))
      yield { table: c.table, offset: c.offset, total };
    return;
  }
  const columnTypes = Object.fromEntries(bundle.document.schema.columns.map((c) => [c.name, 'string' as const]));
  // One unreadable row (ragged, a quote left open, bad UTF-8) goes to the rejects; it never sinks the batch.
  for await (const c of readTableChunks(input.path, { chunkRows, columnTypes, badRows: 'collect', byteRange })) {
    if (c.rowsTotal !== undefined) yield { table: c.table, offset: c.offset, total: c.rowsTotal };
    else {
      const done = c.offset + c.table.numRows();
      const read = c.bytesRead ?? 0;
      const size = c.bytesTotal ?? 0;
      const total =
        size > 0 && read > 0 ? (read >= size ? done : Math.max(done + 1, Math.round((done * size) / read))) : undefined;
      yield { table: c.table, offset: c.offset, total, estimated: read < size, badRows: c.badRows };
    }
  }
}

/** The part of a chunk inside rows start..end-1, or where the chunk lies when none of it is. */
function inRange(c: InputChunk, range: { start: number; end: number }): InputChunk | 'before' | 'after' {
  const n = c.table.numRows();
  if (c.offset >= range.end) return 'after';
  const a = Math.max(range.start, c.offset);
  const b = Math.min(range.end, c.offset + n);
  if (b <= a) return 'before';
  const total = range.end - range.start;
  if (a === c.offset && b === c.offset + n) return { ...c, total, estimated: false };
  return {
    table: c.table.slice(a - c.offset, b - c.offset),
    offset: a,
    total,
    badRows: c.badRows?.filter((r) => r.row >= a && r.row < b),
  };
}

/**
 * Rows of the input as scoreFile reads them (unreadable rows included: they become rejects), in
 * one streamed pass: what a partitioned run splits.
 */
export async function countInputRows(opts: ScoreOptions): Promise<number> {
  const bundle = await readBundle(opts.bundle);
  let rows = 0;
  for await (const c of inputChunks(resolveInput(opts), bundle, opts.chunkRows ?? 10_000)) rows += c.table.numRows();
  return rows;
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

async function tableSink(
  url: string,
  table: string,
  ifExists: IfExists,
  columns: readonly { name: string; kind: ColumnKind }[],
): Promise<Sink> {
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

/** The rejects output's columns: the input row (1-based) and why it was not scored. */
export const REJECT_COLUMNS: readonly { name: string; kind: ColumnKind }[] = [
  { name: 'row', kind: 'integer' },
  { name: 'reasons', kind: 'string' },
];

/**
 * The predictions output's columns and their kinds for an input with these columns: row (1-based),
 * the bundle's id columns the input has, prediction, p_<class> per class, warnings.
 */
export function predictionColumns(
  bundle: Bundle,
  inputColumns: readonly string[],
): { name: string; kind: ColumnKind }[] {
  const classes = bundle.classes;
  const ids = bundle.document.schema.columns.filter((c) => c.role === 'id' && inputColumns.includes(c.name));
  const columns: { name: string; kind: ColumnKind }[] = [
    { name: 'row', kind: 'integer' },
    ...ids.map((c) => ({ name: c.name, kind: KIND_OF[c.type] })),
    { name: 'prediction', kind: classes ? 'string' : 'number' },
  ];
  if (classes) for (const c of classes) columns.push({ name: `p_${c}`, kind: 'number' });
  columns.push({ name: 'warnings', kind: 'string' });
  return columns;
}

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
    throw new ConfigError(
      'OUTPUT_DATABASE',
      `--${opts.outTable ? 'out-table' : 'rejects-table'} needs a database: give --out-db <url> (or read from --db)`,
      { expected: '--out-db <url>' },
    );
  }
  if (opts.outDb && !opts.outTable && !opts.rejectsTable)
    throw new ConfigError('OUTPUT_DATABASE', '--out-db is where --out-table and --rejects-table go: give one of them', {
      value: hidePassword(opts.outDb),
    });
  const chunkRows = opts.chunkRows ?? 10_000;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1))
    throw new ConfigError('INVALID_OPTION', `--chunk-rows must be a positive integer, got ${chunkRows}`, {
      value: chunkRows,
    });
  const ifExists = opts.ifExists ?? 'fail';
  const outCsv = opts.out ?? (opts.outTable ? undefined : 'predictions.csv');
  const rejectsCsv = opts.rejectsTable ? undefined : (opts.rejects ?? 'rejects.csv');
  const signal = opts.signal;
  const stopIfAborted = () => {
    if (signal?.aborted)
      throw signal.reason instanceof Error ? signal.reason : new AbortError('scoring was interrupted');
  };

  progress.stage('load bundle');
  const bundle = await readBundle(opts.bundle);
  const validator = makeValidator(bundle, opts.unknownCategories ?? 'reject');
  const idSchema = bundle.document.schema.columns.filter((c) => c.role === 'id');
  const ranges = plausibleRanges(bundle.document.schema);
  const outOfRange = opts.outOfRange ?? 'warn';

  const outputs: Sink[] = [];
  let preds: Sink[] | undefined;
  let rejectSink: Sink | undefined;
  let rows = 0;
  let scored = 0;
  let rejected = 0;
  let warned = 0;
  let started = false;
  try {
    for await (const read of inputChunks(input, bundle, chunkRows, opts.rows && opts.byteRange)) {
      stopIfAborted();
      const chunk = opts.rows ? inRange(read, opts.rows) : read;
      if (chunk === 'before') continue;
      if (chunk === 'after') break;
      const checked = rejectUnreadable(validator(chunk.table, chunk.offset), chunk.badRows ?? []);
      const { good, rejects, warnings } = checkPlausible(checked, ranges, outOfRange);
      if (!preds) {
        // Output columns are fixed by the first chunk: row, the id columns the input has, prediction, p_<class>.
        const columns = predictionColumns(bundle, chunk.table.columnNames());
        preds = [];
        if (opts.outTable) preds.push(await tableSink(outDb as string, opts.outTable, ifExists, columns));
        if (outCsv) preds.push(await csvSink(outCsv));
        outputs.push(...preds);
      }
      const table = predictions(
        bundle,
        good.table,
        good.rows,
        idSchema.filter((c) => chunk.table.columnNames().includes(c.name)),
      ).assign(aq.table({ warnings }));
      for (const p of preds) await p.write(table);
      if (rejects.length) {
        if (!rejectSink) {
          rejectSink = opts.rejectsTable
            ? await tableSink(outDb as string, opts.rejectsTable, ifExists, REJECT_COLUMNS)
            : await csvSink(rejectsCsv as string);
          outputs.push(rejectSink);
        }
        await rejectSink.write(
          aq.table({ row: rejects.map((r) => r.row), reasons: rejects.map((r) => r.reasons.join('; ')) }),
        );
      }
      rows += chunk.table.numRows();
      scored += good.table.numRows();
      rejected += rejects.length;
      for (const w of warnings) if (w !== '') warned++;
      const detail = `${scored.toLocaleString('en-US')} scored, ${rejected.toLocaleString('en-US')} rejected`;
      if (!started) {
        progress.stage('score', Math.max(1, chunk.total ?? rows));
        started = true;
      }
      if (chunk.total === undefined) progress.tick(rows, rows, `rows so far (total unknown); ${detail}`);
      else
        progress.tick(
          rows,
          Math.max(rows, chunk.total),
          chunk.estimated ? `(total estimated from the file size) ${detail}` : detail,
        );
    }
    stopIfAborted();
    if (rows !== scored + rejected)
      throw new Error(`internal: ${rows} rows read but ${scored} scored and ${rejected} rejected`);
    // Rejects first: the predictions are the output a caller waits for.
    if (rejectSink) await rejectSink.commit();
    for (const p of preds ?? []) await p.commit();
  } catch (e) {
    for (const o of outputs) await o.abort().catch(() => undefined);
    progress.end();
    throw e;
  }
  progress.end();
  const out = (preds ?? []).map((p) => p.where).join(' and ');
  return { rows, scored, rejected, out, rejects: rejectSink?.where, warned };
}

/**
 * Values far outside the training range: with 'warn' each good row gets its warning sentence (''
 * when none); with 'reject' the rows that have one move to the rejects.
 */
function checkPlausible(
  split: ChunkSplit,
  ranges: readonly PlausibleRange[],
  policy: 'warn' | 'reject',
): ChunkSplit & { warnings: string[] } {
  const warnings = rangeWarnings(split.good.table, ranges);
  if (policy === 'warn' || warnings.every((w) => w === '')) return { ...split, warnings };
  const keep: number[] = [];
  const moved: { row: number; reasons: string[] }[] = [];
  warnings.forEach((w, i) => {
    if (w === '') keep.push(i);
    else moved.push({ row: split.good.rows[i] + 1, reasons: [w] });
  });
  return {
    good: {
      table: split.good.table.reify(keep as unknown as never),
      rows: Int32Array.from(keep, (i) => split.good.rows[i]),
    },
    rejects: split.rejects.concat(moved).sort((a, b) => a.row - b.row),
    warnings: keep.map(() => ''),
  };
}

/** row (1-based in the whole input), the id columns, prediction and one probability per class. */
function predictions(bundle: Bundle, good: ColumnTable, rows: Int32Array, ids: readonly ColumnSchema[]): ColumnTable {
  const n = good.numRows();
  const classes = bundle.classes;
  const out: Record<string, unknown[]> = { row: Array.from(rows, (r) => r + 1) };
  for (const c of ids) {
    const values = Array.from(good.array(c.name) as ArrayLike<unknown>);
    out[c.name] =
      KIND_OF[c.type] === 'string'
        ? values.map((v) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v)))
        : values;
  }
  const scores = n > 0 ? bundle.scoreTable(good) : new Float64Array(0);
  if (classes) {
    const labels = bundle.labelIndices(scores, n, good);
    out.prediction = Array.from(labels, (k) => classes[k]);
    classes.forEach((c, k) => {
      out[`p_${c}`] = Array.from({ length: n }, (_, r) => scores[r * classes.length + k]);
    });
  } else out.prediction = Array.from(scores);
  return aq.table(out, Object.keys(out));
}

/** The `predict` command's flags (see main.ts). */
export interface PredictFlags {
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
  outOfRange: 'warn' | 'reject';
  /** With these, main.ts runs predict-partitioned.ts instead. */
  partitions?: number;
  /** With --partitions: score only this part (an Indexed Job pod). */
  part?: number;
  queue?: string;
  queuePrefix?: string;
  quiet?: boolean;
}

/** `campaign-ml predict`: score the input with the bundle, then say where the predictions and rejects went. */
export async function runPredict(o: PredictFlags): Promise<void> {
  const progress = Progress.forStream(process.stderr, Boolean(o.quiet));
  const what = 'no predictions or rejects will be written';
  const s = await withInterrupt(what, (signal) => scoreFile({ ...o, signal }, progress));
  const rejects = s.rejected ? `; ${s.rejected} rejected → ${s.rejects} (with reasons)` : '; none rejected';
  const warned = s.warned ? `; ${s.warned} scored with a value far outside the training range (see warnings)` : '';
  console.log(`${s.scored} of ${s.rows} rows scored → ${s.out}${rejects}${warned}`);
}
