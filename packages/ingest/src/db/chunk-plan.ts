import { randomBytes } from 'node:crypto';
import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import { type ColumnPlan, planColumns } from './column-kinds';

/** The name of the staging table for `name`: unique per writer, and naming the writing process. */
export function stagingName(name: string): string {
  return `${name}__staging_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The pid in a staging table name of `name` (as stagingName makes them), or undefined for any other table. */
export function stagingPid(name: string, table: string): number | undefined {
  if (!table.startsWith(`${name}__staging_`)) return undefined;
  const m = /^(\d+)_[0-9a-f]{8}$/.exec(table.slice(name.length + 10));
  return m ? Number(m[1]) : undefined;
}

/**
 * The plan of a chunk checked against the table's: same names (in any order), and kinds that fit
 * (integers fit a number column; an all-missing column fits any).
 */
export function checkChunkPlan(table: readonly ColumnPlan[], chunk: ColumnTable, rowsBefore: number): void {
  const names = chunk.columnNames();
  const expected = table.map((c) => c.name);
  const missing = expected.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !expected.includes(n));
  if (missing.length || extra.length) {
    throw new InputError(
      'CHUNK_COLUMNS',
      `the chunk starting at row ${rowsBefore + 1} has ${missing.length ? `no column ${missing.map((n) => `"${n}"`).join(', ')}` : ''}${missing.length && extra.length ? ' and ' : ''}${extra.length ? `extra column ${extra.map((n) => `"${n}"`).join(', ')}` : ''}; every chunk needs the table's columns (${expected.join(', ')})`,
      { row: rowsBefore + 1, column: (missing[0] ?? extra[0]) as string },
    );
  }
  const byName = new Map(table.map((c) => [c.name, c]));
  for (const p of planColumns(chunk)) {
    const want = byName.get(p.name) as ColumnPlan;
    if (p.allMissing || p.kind === want.kind || (want.kind === 'number' && p.kind === 'integer')) continue;
    throw new InputError(
      'CHUNK_TYPES',
      `column "${p.name}" was created as ${want.kind} but the chunk starting at row ${rowsBefore + 1} holds ${p.kind} values; pass columns: [{ name, kind }] to openTableWriter to fix the kinds`,
      { column: p.name, row: rowsBefore + 1, expected: want.kind, value: p.kind },
    );
  }
}

/** The plan for the table: the given columns, else the first chunk's (integers as 64-bit). */
export function tablePlan(fixed: ColumnPlan[] | undefined, first: ColumnTable): ColumnPlan[] {
  if (fixed) return fixed;
  return planColumns(first).map((c) => ({ ...c, maxAbs: Number.MAX_SAFE_INTEGER }));
}
