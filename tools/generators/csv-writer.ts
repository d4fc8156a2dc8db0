/**
 * Render generated rows as CSV text: a header, one line per row, fields quoted with `"` only when
 * they contain the delimiter, a quote or a line break (quotes doubled), like Python's csv module.
 */

/** One cell of a generated row. `null` is written as an empty field (a missing value). */
export type Cell = string | number | boolean | null;

export interface CsvOptions {
  /** Field separator; default `,`. */
  delimiter?: string;
  /** Prefix the text with a UTF-8 byte-order mark (U+FEFF); default false. */
  bom?: boolean;
  /** End the last line with a newline; default true. */
  trailingNewline?: boolean;
  /** Columns whose numbers are floats, written the way Python writes them (`5530.0`, not `5530`). */
  floatColumns?: readonly string[];
}

/** Python's `repr` of a float: shortest round-trip digits, integral values keep a `.0`. */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return String(x);
}

function formatCell(value: Cell, isFloat: boolean, delimiter: string): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return isFloat ? formatFloat(value) : String(value);
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')) {
    return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}

/** The CSV text of `rows` under `columns` (each row is read by column name). */
export function toCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, Cell>>[],
  options: CsvOptions = {},
): string {
  const delimiter = options.delimiter ?? ',';
  const floats = new Set(options.floatColumns ?? []);
  const isFloat = columns.map((c) => floats.has(c));
  const lines: string[] = [columns.map((c) => formatCell(c, false, delimiter)).join(delimiter)];
  for (const row of rows) {
    const fields = new Array<string>(columns.length);
    for (let c = 0; c < columns.length; c++) fields[c] = formatCell(row[columns[c]], isFloat[c], delimiter);
    lines.push(fields.join(delimiter));
  }
  const body = lines.join('\n') + (options.trailingNewline === false ? '' : '\n');
  return (options.bom ? '\uFEFF' : '') + body;
}
