import type { ColumnTable } from 'arquero';
import { SchemaError, type Problem } from '@campaign-ml/core';
import type { Bundle } from '@campaign-ml/bundle';
import { coerceToSchema, detectDateFormat, validate, type ColumnSchema, type Schema } from '@campaign-ml/ingest';

// Which rows a bundle can score: predict checks its input chunk by chunk, evaluate all at once.

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
