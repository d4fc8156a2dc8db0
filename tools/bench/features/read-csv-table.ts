import * as fs from 'node:fs';
import * as aq from 'arquero';
import { parse } from 'csv-parse/sync';
import type { ColumnTable } from 'arquero';

/**
 * Benchmark support (a copy of packages/features/src/recipe/test-support/read-csv-table.ts, since tools may not import package files by path): read a CSV such as the Kickstarter
 * study's into an arquero table with ingest's value conventions. A column whose non-empty cells
 * are all numbers becomes numbers, all `YYYY-MM-DD[ HH:MM:SS]` becomes UTC Dates, all True/False
 * becomes booleans; anything else stays strings. Empty cells are null.
 */
export function readCsvTable(file: string): ColumnTable {
  const rows = parse(fs.readFileSync(file, 'utf8'), { bom: true }) as string[][];
  const header = rows[0];
  const body = rows.slice(1);
  const data: Record<string, unknown[]> = {};
  const date = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;
  header.forEach((name, c) => {
    const cells = body.map((r) => r[c]);
    const present = cells.filter((v) => v !== '' && v !== undefined);
    let values: unknown[];
    if (present.every((v) => v !== '' && Number.isFinite(Number(v)))) values = cells.map((v) => (v === '' ? null : Number(v)));
    else if (present.every((v) => date.test(v))) values = cells.map((v) => (v === '' ? null : parseUtc(v)));
    else if (present.every((v) => v === 'True' || v === 'False')) values = cells.map((v) => (v === '' ? null : v === 'True'));
    else values = cells.map((v) => (v === '' ? null : v));
    data[name] = values;
  });
  return aq.table(data, header);
}

function parseUtc(v: string): Date {
  const n = (a: number, b: number): number => Number(v.slice(a, b)) || 0;
  return new Date(Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19)));
}
