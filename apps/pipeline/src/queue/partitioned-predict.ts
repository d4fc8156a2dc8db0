import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Queue, QueueEvents } from 'bullmq';
import { ConfigError, InputError } from '@campaign-ml/core';
import * as aq from 'arquero';
import { readBundle } from '@campaign-ml/bundle/node';
import {
  csvByteRange,
  csvRowOffsets,
  openTableWriter,
  readDatabaseChunks,
  readTableChunks,
  type ColumnKind,
  type CsvByteRange,
  type ForcedType,
  type IfExists,
} from '@campaign-ml/ingest';
import {
  countInputRows,
  predictionColumns,
  REJECT_COLUMNS,
  scoreFile,
  type ScoreOptions,
  type ScoreSummary,
} from '../commands/predict';
import { describeInput, hidePassword, resolveInput, type ResolvedInput } from '../input';
import { Progress } from '../progress';
import { DEFAULT_PREFIX, SCORE_QUEUE, checkRedis, redisConnection } from './connection';
import { sha256File, verifyFile, type DataRef } from './data-ref';

/** One part of a partitioned scoring run: rows start..end-1 of the input, by reference. */
export interface ScorePartJob {
  index: number;
  start: number;
  end: number;
  /** CSV/TSV input: the part's bytes (after the header), so the part reads only its own rows. */
  bytes?: CsvByteRange;
  input: DataRef;
  bundle: DataRef;
  /** Where the part's predictions, rejects and done file go. */
  partDir: string;
  options: Pick<ScoreOptions, 'chunkRows' | 'unknownCategories' | 'outOfRange'>;
}

/** A finished part, as its done file records it. */
export interface PartDone {
  index: number;
  start: number;
  end: number;
  rows: number;
  scored: number;
  rejected: number;
  warned: number;
  predictions?: string;
  rejects?: string;
  input: string;
  bundle: string;
}

/** The plan of a partitioned run (manifest.json in the parts directory). */
/** A database input's query, as a partitioned run's manifest records it (password hidden). */
export interface SnapshotSource {
  db: string;
  table?: string;
  query?: string;
}

export interface PartitionManifest {
  format: 'campaign-ml/partitioned-predictions';
  /** The scored file (for database input, its snapshot, with `source` naming the query). */
  input: DataRef & { rows: number; source?: SnapshotSource };
  bundle: DataRef;
  partitions: number;
  options: ScorePartJob['options'];
  /**
   * Per part: its rows start..end-1 and, for CSV/TSV input whose quoting the scanner follows, its
   * bytes [bytes.start, bytes.end) with the line and row numbers there (see `csvRowOffsets`).
   */
  parts: Array<{ index: number; start: number; end: number; bytes?: CsvByteRange; done?: PartDone }>;
  /** Set once every part is done and scored + rejected = rows was checked. */
  completed?: { scored: number; rejected: number; out: string; rejects?: string };
  /**
   * Database tables the joined parts were loaded into (`table <name> in <url>`, no password), each
   * added as soon as its load committed: a re-run after a later failure does not load it twice.
   */
  loaded?: string[];
}

const partBase = (dir: string, i: number) => path.join(dir, `part-${String(i).padStart(4, '0')}`);

/**
 * Score one part: the same scoreFile as an unpartitioned run, restricted to the part's rows, its
 * predictions and rejects each written atomically (temp file, then rename); then the part's done
 * file, also atomically. A part is finished exactly when its done file exists.
 */
export async function scorePart(job: ScorePartJob): Promise<PartDone> {
  await Promise.all([verifyFile(job.input), verifyFile(job.bundle)]);
  const fail = process.env.CAMPAIGN_ML_TEST_FAIL_PART;
  if (fail !== undefined && Number(fail) === job.index)
    throw new Error(`test hook CAMPAIGN_ML_TEST_FAIL_PART: part ${job.index} crashed`);
  const base = partBase(job.partDir, job.index);
  await fs.rm(`${base}.rejects.csv`, { force: true });
  // An empty part (more parts than rows) has nothing to read.
  const s =
    job.start === job.end
      ? { rows: 0, scored: 0, rejected: 0, warned: 0, rejects: undefined }
      : await scoreFile(
          {
            data: job.input.path,
            bundle: job.bundle.path,
            out: `${base}.predictions.csv`,
            rejects: `${base}.rejects.csv`,
            rows: { start: job.start, end: job.end },
            byteRange: job.bytes,
            ...job.options,
          },
          new Progress('quiet'),
        );
  if (s.rows !== job.end - job.start || s.scored + s.rejected !== s.rows)
    throw new InputError(
      'PARTITION_ROWS',
      `part ${job.index} (rows ${job.start + 1}-${job.end}) read ${s.rows} rows, scored ${s.scored} and rejected ${s.rejected}: ` +
        'the input changed since it was counted',
    );
  const done: PartDone = {
    index: job.index,
    start: job.start,
    end: job.end,
    rows: s.rows,
    scored: s.scored,
    rejected: s.rejected,
    warned: s.warned,
    predictions: s.rows > 0 ? path.basename(`${base}.predictions.csv`) : undefined,
    rejects: s.rejects ? path.basename(s.rejects) : undefined,
    input: job.input.sha256,
    bundle: job.bundle.sha256,
  };
  await writeAtomic(`${base}.done.json`, JSON.stringify(done, null, 2));
  return done;
}

export interface PartitionedOptions extends ScoreOptions {
  partitions: number;
  /** redis://…: one job per part for `pipeline worker`s; without it the parts run here in turn. */
  queue?: string;
  queuePrefix?: string;
  /**
   * Score only this part (0-based), as one pod of a Kubernetes Indexed Job does with its completion
   * index: plan the parts if no run has (every pod writes the same plan), never start over, score
   * the part unless it is done, and do not join. A last run without `part` checks the manifest and
   * joins the parts.
   */
  part?: number;
}

export interface PartitionedSummary extends ScoreSummary {
  partitions: number;
  /** Parts found finished by an earlier run and not scored again. */
  skipped: number;
  manifest: string;
  /** With `part`: the part scored (its own rows, scored and rejected counts; `out` is its predictions file). */
  part?: number;
}

/**
 * `predict --partitions P`: split the input's rows into P contiguous parts and score each as its
 * own job (locally in turn, or on `pipeline worker`s with --queue). Each part's outputs are written
 * atomically with a done file; a run that stops (a part failed, Ctrl-C, a crash) is resumed by
 * running the same command again: finished parts are skipped. When every part is done, the
 * manifest checks scored + rejected = rows, part by part and in total, and the parts are joined,
 * in row order, into --out and --rejects (atomically).
 */
export async function scorePartitioned(opts: PartitionedOptions, progress: Progress): Promise<PartitionedSummary> {
  const P = opts.partitions;
  if (!Number.isInteger(P) || P < 1)
    throw new ConfigError('INVALID_OPTION', `--partitions must be a positive integer, got ${P}`, {
      column: '--partitions',
      value: P,
    });
  const outDb = opts.outDb ?? opts.db;
  if ((opts.outTable || opts.rejectsTable) && !outDb)
    throw new ConfigError(
      'OUTPUT_DATABASE',
      `--${opts.outTable ? 'out-table' : 'rejects-table'} needs a database: give --out-db <url> (or read from --db)`,
      { expected: '--out-db <url>' },
    );
  const only = opts.part;
  if (only !== undefined) {
    if (!Number.isInteger(only) || only < 0 || only >= P)
      throw new ConfigError(
        'INVALID_OPTION',
        `--part must be an integer from 0 to ${P - 1} (--partitions ${P}), got ${only}`,
        {
          column: '--part',
          value: only,
        },
      );
    if (opts.queue)
      throw new ConfigError(
        'INVALID_OPTION',
        '--part scores one part here (a Job pod); --queue sends all parts to workers: give one of them',
        {
          column: '--part',
        },
      );
  }
  // The parts are CSV files whatever the outputs (pods and workers write no database); the joined
  // outputs go where unpartitioned scoring would put them: files, tables or both.
  const out = path.resolve(opts.out ?? 'predictions.csv');
  const rejectsOut = path.resolve(opts.rejects ?? 'rejects.csv');
  const outCsv = opts.out !== undefined || !opts.outTable;
  const rejectsCsv = !opts.rejectsTable;
  const partDir = `${out}.parts`;
  const manifestFile = path.join(partDir, 'manifest.json');
  const options = {
    chunkRows: opts.chunkRows ?? 10_000,
    unknownCategories: opts.unknownCategories ?? 'reject',
    outOfRange: opts.outOfRange ?? 'warn',
  } as const;

  progress.stage('plan partitions');
  const source = resolveInput(opts);
  const data =
    source.kind === 'file'
      ? source.path
      : await databaseSnapshot(source, `${out}.snapshot.csv`, manifestFile, only, options.chunkRows, progress);
  const input = { path: path.resolve(data), sha256: await sha256File(data) };
  const bundle = { path: path.resolve(opts.bundle), sha256: await sha256File(opts.bundle) };
  let manifest = await readManifest(manifestFile);
  const same =
    manifest &&
    manifest.input.sha256 === input.sha256 &&
    manifest.bundle.sha256 === bundle.sha256 &&
    manifest.partitions === P &&
    JSON.stringify(manifest.options) === JSON.stringify(options);
  if (manifest && !same && only !== undefined)
    // Pods of one Job run side by side: one of them must never delete the parts of the others.
    throw new ConfigError(
      'PLAN_CHANGED',
      `${manifestFile} plans another run (input, bundle, --partitions or options differ): remove ${partDir} or run without --part to start over`,
      { column: '--part' },
    );
  if (!manifest || !same) {
    if (manifest) progress.info('the input, bundle or options changed since the last partitioned run: starting over');
    if (only === undefined) await fs.rm(partDir, { recursive: true, force: true });
    await fs.mkdir(partDir, { recursive: true });
    const plan = await planParts({ ...opts, data: input.path, db: undefined }, input.path, P);
    manifest = {
      format: 'campaign-ml/partitioned-predictions',
      input: { ...input, rows: plan.rows, ...(source.kind === 'db' ? { source: snapshotSource(source) } : {}) },
      bundle,
      partitions: P,
      options,
      parts: plan.parts,
    };
    await writeAtomic(manifestFile, JSON.stringify(manifest, null, 2));
  }
  const m = manifest;
  // A part is finished when its done file matches the plan (and its outputs are there).
  for (const part of m.parts) part.done = await readDone(partDir, part, m);
  const todo = m.parts.filter((p) => !p.done && (only === undefined || p.index === only));
  const skipped = (only === undefined ? P : 1) - todo.length;
  if (skipped) progress.info(`${skipped} of ${P} parts were finished by an earlier run: not scored again`);

  progress.stage('score parts', Math.max(1, todo.length));
  const jobs: ScorePartJob[] = todo.map((p) => ({ ...p, input, bundle, partDir, options }));
  const failures: string[] = [];
  let finished = 0;
  const record = (done: PartDone) => {
    m.parts[done.index].done = done;
    progress.tick(++finished, todo.length, `part ${done.index + 1} of ${P}`);
  };
  if (opts.queue) await runOnQueue(jobs, opts, record, failures, progress);
  else
    for (const job of jobs) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      try {
        record(await scorePart(job));
      } catch (e) {
        failures.push(`part ${job.index + 1} (rows ${job.start + 1}-${job.end}): ${(e as Error).message}`);
      }
    }
  progress.end();
  if (failures.length)
    throw new InputError(
      'PARTITION_FAILED',
      `${failures.length} of ${P} parts failed (run the same command again to score only those): ${failures.join('; ')}`,
    );

  if (only !== undefined) {
    const d = m.parts[only].done!;
    return {
      rows: d.rows,
      scored: d.scored,
      rejected: d.rejected,
      warned: d.warned,
      out: path.join(partDir, d.predictions ?? ''),
      rejects: d.rejects ? path.join(partDir, d.rejects) : undefined,
      partitions: P,
      skipped,
      manifest: manifestFile,
      part: only,
    };
  }

  // The manifest's check: every part's rows add up, and the parts cover the input.
  let scored = 0;
  let rejected = 0;
  let warned = 0;
  for (const p of m.parts) {
    const d = p.done!;
    if (d.scored + d.rejected !== d.rows || d.rows !== p.end - p.start)
      throw new InputError(
        'PARTITION_ROWS',
        `part ${p.index + 1}: ${d.scored} scored + ${d.rejected} rejected ≠ ${d.rows} rows`,
      );
    scored += d.scored;
    rejected += d.rejected;
    warned += d.warned;
  }
  if (scored + rejected !== m.input.rows)
    throw new InputError('PARTITION_ROWS', `${scored} scored + ${rejected} rejected ≠ ${m.input.rows} input rows`);
  const predictionFiles = m.parts
    .map((p) => p.done!.predictions)
    .filter(Boolean)
    .map((f) => path.join(partDir, f!));
  const rejectFiles = m.parts
    .map((p) => p.done!.rejects)
    .filter(Boolean)
    .map((f) => path.join(partDir, f!));
  const wrote: { out: string[]; rejects: string[] } = { out: [], rejects: [] };
  if (opts.outTable || opts.rejectsTable) {
    const load = async (files: string[], table: string, columns: readonly Column[], what: 'out' | 'rejects') => {
      const where = `table ${table} in ${hidePassword(outDb!)}`;
      wrote[what].push(where);
      if (m.loaded?.includes(where)) {
        progress.info(`${where} was loaded by an earlier run of this plan: not loaded again`);
        return;
      }
      progress.stage(`load ${where}`);
      await loadParts(files, outDb!, table, opts.ifExists ?? 'fail', columns, options.chunkRows);
      (m.loaded ??= []).push(where);
      await writeAtomic(manifestFile, JSON.stringify(m, null, 2));
    };
    // Rejects first, as unpartitioned scoring commits them: the predictions are what a caller waits for.
    if (opts.rejectsTable && rejectFiles.length) await load(rejectFiles, opts.rejectsTable, REJECT_COLUMNS, 'rejects');
    if (opts.outTable && predictionFiles.length) {
      const columns = predictionColumns(await readBundle(opts.bundle), await headerOf(predictionFiles));
      await load(predictionFiles, opts.outTable, columns, 'out');
    }
    progress.end();
  }
  if (outCsv && predictionFiles.length) {
    await joinParts(predictionFiles, out);
    wrote.out.unshift(out);
  }
  if (rejectsCsv && rejectFiles.length) {
    await joinParts(rejectFiles, rejectsOut);
    wrote.rejects.unshift(rejectsOut);
  }
  const where = { out: wrote.out.join(' and '), rejects: wrote.rejects.join(' and ') || undefined };
  m.completed = { scored, rejected, ...where };
  await writeAtomic(manifestFile, JSON.stringify(m, null, 2));
  return {
    rows: m.input.rows,
    scored,
    rejected,
    warned,
    out: where.out,
    rejects: where.rejects,
    partitions: P,
    skipped,
    manifest: manifestFile,
  };
}

/** What a database snapshot was read from, as the manifest keeps it (no password). */
function snapshotSource(input: Extract<ResolvedInput, { kind: 'db' }>): SnapshotSource {
  return { db: hidePassword(input.url), table: input.table, query: input.query };
}

/**
 * Database input: the rows are read once, in the database's order, into a CSV snapshot beside the
 * output (`<out>.snapshot.csv`, written atomically), and the parts are planned on that file like any
 * CSV input: each part (here, on a queue worker or in a Job pod) reads its own bytes of one
 * consistent copy, checked by its SHA-256, however the table changes meanwhile. A re-run of the
 * same query resumes on the snapshot its manifest names instead of reading the database again
 * (remove the parts directory to score the table as it is now). A `--part` pod never reads the
 * database: a run without `--part` takes the snapshot first.
 */
async function databaseSnapshot(
  input: Extract<ResolvedInput, { kind: 'db' }>,
  file: string,
  manifestFile: string,
  part: number | undefined,
  chunkRows: number,
  progress: Progress,
): Promise<string> {
  const planned = await readManifest(manifestFile);
  const source = snapshotSource(input);
  if (
    planned?.input.source &&
    JSON.stringify(planned.input.source) === JSON.stringify(source) &&
    path.resolve(planned.input.path) === path.resolve(file)
  ) {
    try {
      await verifyFile(planned.input);
      progress.info(`resuming on the snapshot of ${describeInput(input)} taken by the first run (${file})`);
      return file;
    } catch {
      /* gone or changed: take a new one */
    }
  }
  if (part !== undefined)
    throw new ConfigError(
      'PLAN_MISSING',
      `--part scores one part of a planned run, and no snapshot of ${describeInput(input)} is planned: run the same command without --part first (it reads the rows once into ${file})`,
      { column: '--part' },
    );
  progress.info(`reading ${describeInput(input)} once into ${file}`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  async function* csv(): AsyncGenerator<string> {
    let header = true;
    for await (const c of readDatabaseChunks({ url: input.url, table: input.table, query: input.query, chunkRows })) {
      if (!header && c.table.numRows() === 0) continue;
      yield `${c.table.toCSV({ header })}\n`;
      header = false;
    }
  }
  try {
    await pipeline(Readable.from(csv()), createWriteStream(tmp));
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return file;
}

/**
 * The parts: P runs of ceil(rows / P) consecutive rows. A CSV/TSV file is scanned for row starts
 * (two byte passes, no parsing: `csvRowOffsets`), and each part gets its byte range, so it reads the
 * header and its own bytes only. XLSX, JSON and Parquet files (read whole by their readers) and CSV
 * files whose quoting the reader repairs are counted by reading them, and each part reads the input
 * from the top and keeps its rows, as before.
 */
async function planParts(
  opts: PartitionedOptions,
  file: string,
  P: number,
): Promise<{ rows: number; parts: PartitionManifest['parts'] }> {
  const counted = await csvRowOffsets(file);
  const rows = counted?.rows ?? (await countInputRows({ ...opts, rows: undefined }));
  const size = Math.ceil(rows / P);
  const starts = Array.from({ length: P + 1 }, (_, i) => Math.min(rows, i * size));
  const parts: PartitionManifest['parts'] = starts
    .slice(0, P)
    .map((start, index) => ({ index, start, end: starts[index + 1] }));
  const scan = counted && (await csvRowOffsets(file, { at: starts }));
  if (scan && scan.rows === rows)
    for (const p of parts) if (p.end > p.start) p.bytes = csvByteRange(scan, scan.at[p.index], scan.at[p.index + 1]);
  return { rows, parts };
}

/** One score-part job per part on the shared `score` queue; wait for all, collecting failures. */
async function runOnQueue(
  jobs: ScorePartJob[],
  opts: PartitionedOptions,
  record: (d: PartDone) => void,
  failures: string[],
  progress: Progress,
): Promise<void> {
  await checkRedis(opts.queue!);
  const connection = redisConnection(opts.queue!);
  const prefix = opts.queuePrefix ?? DEFAULT_PREFIX;
  const queue = new Queue(SCORE_QUEUE, { connection, prefix });
  const events = new QueueEvents(SCORE_QUEUE, { connection, prefix });
  try {
    await events.waitUntilReady();
    if ((await queue.getWorkers()).length === 0)
      progress.info('no worker is connected yet: the parts wait for `pipeline worker --queue <url>`');
    // A fresh nonce per run: a part that failed in an earlier run is queued again, not deduplicated away.
    const nonce = randomBytes(4).toString('hex');
    const plan = createHash('sha256').update(`${jobs[0]?.input.sha256}:${jobs[0]?.partDir}`).digest('hex').slice(0, 12);
    const added = await queue.addBulk(
      jobs.map((data) => ({
        name: 'score-part',
        data,
        opts: {
          jobId: `${plan}-${nonce}-p${data.index}`,
          attempts: 2,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 24 * 3600 },
        },
      })),
    );
    // Ctrl-C stops the waiting; parts already queued still finish on the workers and are kept.
    const aborted = new Promise<never>((_, reject) => {
      if (opts.signal?.aborted) reject(opts.signal.reason);
      opts.signal?.addEventListener('abort', () => reject(opts.signal!.reason), { once: true });
    });
    aborted.catch(() => undefined);
    const all = Promise.all(
      added.map(async (job, i) => {
        try {
          record((await job.waitUntilFinished(events)) as PartDone);
        } catch (e) {
          const j = jobs[i];
          failures.push(`part ${j.index + 1} (rows ${j.start + 1}-${j.end}): ${(e as Error).message}`);
        }
      }),
    );
    await Promise.race([all, aborted]);
  } finally {
    await events.close();
    await queue.close();
  }
}

async function readManifest(file: string): Promise<PartitionManifest | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as PartitionManifest;
    return m.format === 'campaign-ml/partitioned-predictions' ? m : undefined;
  } catch {
    return undefined;
  }
}

async function readDone(
  dir: string,
  part: PartitionManifest['parts'][number],
  m: PartitionManifest,
): Promise<PartDone | undefined> {
  try {
    const d = JSON.parse(await fs.readFile(`${partBase(dir, part.index)}.done.json`, 'utf8')) as PartDone;
    if (d.input !== m.input.sha256 || d.bundle !== m.bundle.sha256 || d.start !== part.start || d.end !== part.end)
      return undefined;
    for (const f of [d.predictions, d.rejects]) if (f) await fs.access(path.join(dir, f));
    return d;
  } catch {
    return undefined;
  }
}

/** The parts' CSVs one after another, the header kept from the first only, written atomically. */
type Column = { name: string; kind: ColumnKind };
const FORCED: Record<ColumnKind, ForcedType> = {
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  datetime: 'date',
  string: 'string',
};

/**
 * The part files, in order, into one database table through one table writer: rows go to a
 * staging table that takes the table's name only at commit, so a failed or interrupted load leaves
 * nothing. Each column is read back as the kind unpartitioned scoring writes (an empty cell is
 * null; `warnings` is text that is empty when there is none, as scoring writes it).
 */
async function loadParts(
  files: string[],
  url: string,
  table: string,
  ifExists: IfExists,
  columns: readonly Column[],
  chunkRows: number,
): Promise<number> {
  const columnTypes = Object.fromEntries(columns.map((c) => [c.name, FORCED[c.kind]]));
  const w = await openTableWriter({ url, table, ifExists, columns });
  try {
    for (const file of files)
      for await (const chunk of readTableChunks(file, { chunkRows, columnTypes })) {
        let t = chunk.table;
        if (t.columnNames().includes('warnings'))
          t = t.assign(aq.table({ warnings: Array.from(t.array('warnings') as ArrayLike<unknown>, (v) => v ?? '') }));
        await w.write(t);
      }
    return await w.commit();
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  }
}

/** The column names of the part files' header (all parts have the same; a header-only part reads no chunk). */
async function headerOf(files: readonly string[]): Promise<string[]> {
  for (const file of files)
    for await (const chunk of readTableChunks(file, { chunkRows: 1, asText: true })) return chunk.table.columnNames();
  return [];
}

async function joinParts(files: string[], out: string): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const sink = createWriteStream(tmp);
  try {
    for (const [i, file] of files.entries()) {
      let skipping = i > 0;
      await pipeline(
        createReadStream(file),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            if (!skipping) {
              yield chunk;
              continue;
            }
            const nl = chunk.indexOf(10);
            if (nl < 0) continue;
            skipping = false;
            if (nl + 1 < chunk.length) yield chunk.subarray(nl + 1);
          }
        },
        sink,
        { end: false },
      );
    }
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await fs.rename(tmp, out);
  } catch (e) {
    sink.destroy();
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}
