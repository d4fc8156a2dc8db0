import { InputError } from './errors';

/**
 * Dense numeric features, column-major: the value of row r, column c is `data[c * rows + r]`.
 * NaN means missing. Feature names travel with the data.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly columns: readonly string[];
  readonly data: Float64Array;
}

/** Build a Matrix, checking that the shape, names and buffer agree. */
export function createMatrix(
  rows: number,
  cols: number,
  data: Float64Array = new Float64Array(rows * cols),
  columns: readonly string[] = defaultColumnNames(cols),
): Matrix {
  if (!Number.isInteger(rows) || rows < 0)
    throw new InputError('MATRIX_SHAPE', `rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(cols) || cols < 0)
    throw new InputError('MATRIX_SHAPE', `cols must be a non-negative integer, got ${cols}`);
  if (data.length !== rows * cols) {
    throw new InputError(
      'MATRIX_SHAPE',
      `data has ${data.length} values but ${rows} rows x ${cols} columns need ${rows * cols}`,
    );
  }
  if (columns.length !== cols) {
    throw new InputError('MATRIX_SHAPE', `${columns.length} column names given for ${cols} columns`);
  }
  // A frozen names array is shared as is (a served pipeline passes the same one every call).
  return Object.freeze({ rows, cols, columns: Object.isFrozen(columns) ? columns : Object.freeze([...columns]), data });
}

/**
 * True when two lists of column names are equal, element by element. The same array (a pipeline's
 * frozen output names, passed on every call) answers at once.
 */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function defaultColumnNames(cols: number): string[] {
  return Array.from({ length: cols }, (_, i) => `x${i}`);
}

/** Build from row-major arrays (`rows[r][c]`). `null`/`undefined` become NaN (missing). */
export function fromRows(rows: ArrayLike<ArrayLike<number | null | undefined>>, columns?: readonly string[]): Matrix {
  const n = rows.length;
  const cols = columns?.length ?? (n > 0 ? rows[0].length : 0);
  const data = new Float64Array(n * cols);
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (row.length !== cols) {
      throw new InputError('RAGGED_ROWS', `row ${r} has ${row.length} values, expected ${cols}`, {
        row: r,
        value: row.length,
        expected: `${cols} values`,
      });
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      data[c * n + r] = v === null || v === undefined ? NaN : v;
    }
  }
  return createMatrix(n, cols, data, columns ?? defaultColumnNames(cols));
}

/** Build from named columns, in the order given. All columns must have the same length. */
export function fromColumns(
  columns: Record<string, ArrayLike<number>> | ReadonlyArray<readonly [string, ArrayLike<number>]>,
): Matrix {
  const entries: ReadonlyArray<readonly [string, ArrayLike<number>]> = Array.isArray(columns)
    ? columns
    : Object.entries(columns as Record<string, ArrayLike<number>>);
  const cols = entries.length;
  const n = cols > 0 ? entries[0][1].length : 0;
  const data = new Float64Array(n * cols);
  entries.forEach(([name, values], c) => {
    if (values.length !== n) {
      throw new InputError('RAGGED_COLUMNS', `column "${name}" has ${values.length} values, expected ${n}`, {
        column: name,
        value: values.length,
        expected: `${n} values`,
      });
    }
    const off = c * n;
    for (let r = 0; r < n; r++) data[off + r] = values[r];
  });
  return createMatrix(
    n,
    cols,
    data,
    entries.map(([name]) => name),
  );
}

/** The values of one column (a view, not a copy). */
export function column(m: Matrix, c: number | string): Float64Array {
  const i = resolveColumn(m, c);
  return m.data.subarray(i * m.rows, (i + 1) * m.rows);
}

/** Value at row r, column c. */
export function get(m: Matrix, r: number, c: number): number {
  return m.data[c * m.rows + r];
}

/** Row r as a new array. */
export function row(m: Matrix, r: number): Float64Array {
  const out = new Float64Array(m.cols);
  for (let c = 0; c < m.cols; c++) out[c] = m.data[c * m.rows + r];
  return out;
}

function resolveColumn(m: Matrix, c: number | string): number {
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 0 || c >= m.cols) {
      throw new InputError('UNKNOWN_COLUMN', `column index ${c} is out of range 0..${m.cols - 1}`, { value: c });
    }
    return c;
  }
  const i = m.columns.indexOf(c);
  if (i < 0) {
    throw new InputError(
      'UNKNOWN_COLUMN',
      `column "${c}" is not in the matrix (it has ${m.cols} columns: ${preview(m.columns)})`,
      {
        column: c,
      },
    );
  }
  return i;
}

function preview(names: readonly string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')}, ...`;
}

/** Keep the given columns (by name or index), in the given order. */
export function selectColumns(m: Matrix, columns: ReadonlyArray<string | number>): Matrix {
  const k = columns.length;
  // Names are looked up in a Map when many are picked from many (an ensemble member taking its
  // recipe's ~100 features out of ~200 on every prediction call): O(cols + k), not O(cols x k).
  let byName: Map<string, number> | undefined;
  if (k > 8 && m.cols > 8) {
    byName = new Map();
    for (let i = m.cols - 1; i >= 0; i--) byName.set(m.columns[i], i); // the first of duplicates wins, as indexOf
  }
  const data = new Float64Array(m.rows * k);
  const names = new Array<string>(k);
  for (let dst = 0; dst < k; dst++) {
    const c = columns[dst];
    const found = byName && typeof c === 'string' ? byName.get(c) : undefined;
    const src = found ?? resolveColumn(m, c);
    data.set(m.data.subarray(src * m.rows, (src + 1) * m.rows), dst * m.rows);
    names[dst] = m.columns[src];
  }
  return createMatrix(m.rows, k, data, names);
}

/** Rows start (inclusive) to end (exclusive), like Array.prototype.slice. */
export function sliceRows(m: Matrix, start: number, end: number = m.rows): Matrix {
  const s = Math.max(0, Math.min(m.rows, start < 0 ? m.rows + start : start));
  const e = Math.max(s, Math.min(m.rows, end < 0 ? m.rows + end : end));
  const n = e - s;
  const data = new Float64Array(n * m.cols);
  for (let c = 0; c < m.cols; c++) data.set(m.data.subarray(c * m.rows + s, c * m.rows + e), c * n);
  return createMatrix(n, m.cols, data, m.columns);
}

/** The rows at the given indices, in that order (repeats allowed, e.g. for a bootstrap). */
export function take(m: Matrix, indices: ArrayLike<number>): Matrix {
  const n = indices.length;
  for (let i = 0; i < n; i++) {
    const r = indices[i];
    if (!(r >= 0 && r < m.rows) || !Number.isInteger(r)) {
      throw new InputError('ROW_OUT_OF_RANGE', `row index ${r} (position ${i}) is out of range 0..${m.rows - 1}`, {
        row: r,
      });
    }
  }
  const data = new Float64Array(n * m.cols);
  for (let c = 0; c < m.cols; c++) {
    const src = c * m.rows;
    const dst = c * n;
    for (let i = 0; i < n; i++) data[dst + i] = m.data[src + indices[i]];
  }
  return createMatrix(n, m.cols, data, m.columns);
}

/** Rows as row-major arrays (for debugging and small outputs). */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < m.rows; r++) out.push(Array.from(row(m, r)));
  return out;
}

/** Stack matrices with the same columns on top of each other. */
export function concatRows(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) throw new InputError('EMPTY_INPUT', 'concatRows needs at least one matrix');
  const first = parts[0];
  for (const p of parts) {
    if (p.cols !== first.cols || p.columns.some((name, i) => name !== first.columns[i])) {
      throw new InputError('COLUMN_MISMATCH', 'concatRows needs matrices with the same columns in the same order');
    }
  }
  const n = parts.reduce((s, p) => s + p.rows, 0);
  const data = new Float64Array(n * first.cols);
  for (let c = 0; c < first.cols; c++) {
    let off = c * n;
    for (const p of parts) {
      data.set(p.data.subarray(c * p.rows, (c + 1) * p.rows), off);
      off += p.rows;
    }
  }
  return createMatrix(n, first.cols, data, first.columns);
}
