import type { ColumnTable } from 'arquero';
import type { Bundle } from '@campaign-ml/bundle';
import {
  compileRecordValidator,
  detectDateFormat,
  type ColumnSchema,
  type RecordValidator,
  type Schema,
} from '@campaign-ml/schema';

// Which rows a bundle can score: predict checks its input chunk by chunk, evaluate all at once.

export interface ChunkSplit {
  /** Rows that fit the schema, in its types, with their 0-based rows in the whole input. */
  good: { table: ColumnTable; rows: Int32Array };
  /** Rows that do not, with their reasons (1-based rows of the whole input). */
  rejects: { row: number; reasons: string[] }[];
}

/**
 * A validator for consecutive chunks of one input, through the bundle's compiled record validator
 * (the one the API and library calls use); row numbers count from `offset`. A datetime column
 * whose schema has no date format keeps the format found in the first chunk that has date text,
 * so that every chunk reads dates the same way (dd/mm vs mm/dd cannot flip between chunks).
 */
export function makeValidator(
  bundle: Bundle,
  unknownCategories: 'reject' | 'unseen',
): (table: ColumnTable, offset: number) => ChunkSplit {
  const unpinned = bundle.document.schema.columns
    .filter((c) => c.type === 'datetime' && !c.dateFormat)
    .map((c) => c.name);
  const pinned = new Map<string, ColumnSchema['dateFormat']>();
  let validator = bundle.validator(unknownCategories);
  return (table, offset) => {
    const names = new Set(table.columnNames());
    let pinnedNow = false;
    for (const name of unpinned) {
      if (pinned.has(name) || !names.has(name)) continue;
      const text = table.array(name) as ArrayLike<unknown>;
      const strings: string[] = [];
      for (let i = 0; i < text.length; i++)
        if (typeof text[i] === 'string' && (text[i] as string).trim() !== '') strings.push(text[i] as string);
      if (strings.length) {
        pinned.set(name, detectDateFormat(strings) ?? 'iso');
        pinnedNow = true;
      }
    }
    if (pinnedNow) {
      const schema: Schema = {
        ...bundle.document.schema,
        columns: bundle.document.schema.columns.map((c) =>
          pinned.has(c.name) ? { ...c, dateFormat: pinned.get(c.name) } : c,
        ),
      };
      validator = compileRecordValidator(schema, { required: bundle.requiredColumns, unknownCategories });
    }
    return splitChunk(validator, table, offset);
  };
}

/** Rows that match the schema (coerced to its types) and the rest with their reasons (1-based rows). */
export function splitValid(
  table: ColumnTable,
  bundle: Bundle,
  unknownCategories: 'reject' | 'unseen',
  offset = 0,
): ChunkSplit {
  return makeValidator(bundle, unknownCategories)(table, offset);
}

/**
 * Rows the reader could not read (a ragged line, a quote left open, bad UTF-8: null rows in the
 * chunk, see ingest's `badRows: 'collect'`) move to the rejects with the reader's reason, which
 * names their line; the problems the nulls caused are dropped.
 */
export function rejectUnreadable(split: ChunkSplit, badRows: readonly { row: number; message: string }[]): ChunkSplit {
  if (badRows.length === 0) return split;
  const bad = new Map(badRows.map((b) => [b.row, b.message]));
  const keep: number[] = [];
  for (let i = 0; i < split.good.rows.length; i++) if (!bad.has(split.good.rows[i])) keep.push(i);
  const good =
    keep.length === split.good.rows.length
      ? split.good
      : {
          table: split.good.table.reify(keep as unknown as never),
          rows: Int32Array.from(keep, (i) => split.good.rows[i]),
        };
  const rejects = split.rejects
    .filter((r) => !bad.has(r.row - 1))
    .concat(badRows.map((b) => ({ row: b.row + 1, reasons: [b.message] })))
    .sort((a, b) => a.row - b.row);
  return { good, rejects };
}

function splitChunk(validator: RecordValidator, table: ColumnTable, offset: number): ChunkSplit {
  const { table: good, rows, problems } = validator.table(table, offset);
  const reasons = new Map<number, string[]>();
  for (const p of problems) {
    const row = (p.row as number) + offset + 1;
    const list = reasons.get(row) ?? [];
    list.push(p.message);
    reasons.set(row, list);
  }
  return {
    good: { table: good, rows: rows.map((r) => r + offset) },
    rejects: [...reasons.entries()].sort((a, b) => a[0] - b[0]).map(([row, r]) => ({ row, reasons: r })),
  };
}
