import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { SchemaError, type Problem } from '@campaign-ml/core';
import { Bundle } from '@campaign-ml/bundle';
import { coerceToSchema, readTable, validate, type Schema } from '@campaign-ml/ingest';
import type { Progress } from './progress';

export interface ScoreOptions {
  bundle: string;
  data: string;
  out: string;
  rejects: string;
  chunkRows?: number;
  unknownCategories?: 'reject' | 'unseen';
}

export interface ScoreSummary {
  rows: number;
  scored: number;
  rejected: number;
  out: string;
  rejects?: string;
}

/**
 * Batch scoring: read a table, check every row against the bundle's schema, score the good rows
 * in chunks and write them with their predictions; every row that fails goes to the rejects file
 * with its reasons. Nothing is dropped silently: scored + rejected = rows.
 */
export async function scoreFile(opts: ScoreOptions, progress: Progress): Promise<ScoreSummary> {
  progress.stage('load bundle + data');
  const bundle = await Bundle.read(opts.bundle);
  const table = await readTable(opts.data);
  const { good, rejects } = splitValid(table, bundle, opts.unknownCategories ?? 'reject');
  const chunk = opts.chunkRows ?? 10_000;
  const n = good.table.numRows();
  progress.stage('score', n);
  const classes = bundle.classes;
  const outCols: Record<string, unknown[]> = { row: Array.from(good.rows, (r) => r + 1) };
  const idCols = bundle.document.schema.columns.filter((c) => c.role === 'id' && table.columnNames().includes(c.name)).map((c) => c.name);
  for (const c of idCols) outCols[c] = good.table.array(c) as unknown[];
  outCols.prediction = [];
  if (classes) for (const c of classes) outCols[`p_${c}`] = [];
  for (let start = 0; start < n; start += chunk) {
    const part = good.table.slice(start, Math.min(n, start + chunk));
    const scores = bundle.scoreTable(part);
    const rows = part.numRows();
    if (classes) {
      const labels = bundle.labelIndices(scores, rows);
      for (let r = 0; r < rows; r++) {
        outCols.prediction.push(classes[labels[r]]);
        classes.forEach((c, k) => outCols[`p_${c}`].push(scores[r * classes.length + k]));
      }
    } else for (let r = 0; r < rows; r++) outCols.prediction.push(scores[r]);
    progress.tick(Math.min(n, start + chunk), n);
  }
  await writeCsv(opts.out, aq.table(outCols));
  let rejectsPath: string | undefined;
  if (rejects.length) {
    rejectsPath = opts.rejects;
    await writeCsv(
      rejectsPath,
      aq.table({
        row: rejects.map((r) => r.row),
        reasons: rejects.map((r) => r.reasons.join('; ')),
      }),
    );
  }
  progress.end();
  return { rows: table.numRows(), scored: n, rejected: rejects.length, out: opts.out, rejects: rejectsPath };
}

/** Rows that match the schema (coerced to its types) and the rest with their reasons (1-based rows). */
export function splitValid(table: ColumnTable, bundle: Bundle, unknownCategories: 'reject' | 'unseen') {
  const required = new Set(bundle.requiredColumns);
  const columns = bundle.document.schema.columns.filter((c) => table.columnNames().includes(c.name) || required.has(c.name));
  const schema: Schema = { rows: bundle.document.schema.rows, columns };
  const reasons = new Map<number, string[]>();
  const add = (p: Problem) => {
    if (p.row === undefined) throw new SchemaError([p], 'The data cannot be scored with this bundle');
    const list = reasons.get(p.row) ?? [];
    list.push(p.message);
    reasons.set(p.row, list);
  };
  let typed: ColumnTable;
  /** index[i]: the input row (0-based) of typed row i. */
  let index = Array.from({ length: table.numRows() }, (_, i) => i);
  const present = table.select(columns.filter((c) => table.columnNames().includes(c.name)).map((c) => c.name));
  try {
    typed = coerceToSchema(present, schema);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    e.problems.forEach(add);
    const bad = new Set(e.problems.map((p) => p.row! - 1));
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
    good: { table: good, rows: Int32Array.from(goodRows, (i) => index[i]) },
    rejects: [...reasons.entries()].sort((a, b) => a[0] - b[0]).map(([row, r]) => ({ row, reasons: r })),
  };
}

async function writeCsv(file: string, t: ColumnTable): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp`;
  const cols = t.columnNames();
  const esc = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = v instanceof Date ? v.toISOString() : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [cols.map(esc).join(',')];
  const arrays = cols.map((c) => t.array(c) as ArrayLike<unknown>);
  for (let r = 0; r < t.numRows(); r++) lines.push(arrays.map((a) => esc(a[r])).join(','));
  await fs.writeFile(tmp, `${lines.join('\n')}\n`);
  await fs.rename(tmp, file);
}
