import type { ColumnTable } from 'arquero';
import { InputError } from '@campaign-ml/core';
import type { ExplainableModel } from './explainable-model';

/**
 * The known outcome of each row: `y` when given (class indices 0..k−1 for a classifier, as
 * everywhere in campaign-ml, or values for a regressor), else the table's target column (the
 * bundle's `target.column`), whose labels are mapped to class indices by the bundle's classes.
 * Undefined when neither is there. A missing or unknown label is an InputError naming its row.
 */
export function targetValues(
  model: ExplainableModel,
  table: ColumnTable,
  y: ArrayLike<number> | undefined,
): Float64Array | undefined {
  const n = table.numRows();
  const k = model.classes?.length ?? 0;
  if (y !== undefined) {
    if (y.length !== n)
      throw new InputError('LENGTH_MISMATCH', `y has ${y.length} values but the table has ${n} rows`, {
        column: 'y',
        value: y.length,
        expected: `${n} values`,
      });
    const out = Float64Array.from(y);
    for (let i = 0; i < n; i++) {
      const v = out[i];
      const bad = model.task === 'regression' ? !Number.isFinite(v) : !(Number.isInteger(v) && v >= 0 && v < k);
      if (bad)
        throw new InputError(
          'INVALID_LABEL',
          `y[${i}] is ${v}; ${model.task === 'regression' ? 'a finite number' : `a class index 0..${k - 1}`} was expected`,
          {
            row: i + 1,
            column: 'y',
            value: v,
            expected: model.task === 'regression' ? 'a finite number' : `0..${k - 1}`,
          },
        );
    }
    return out;
  }
  const column = model.document?.target.column;
  if (column === undefined || !table.columnNames().includes(column)) return undefined;
  const raw = table.array(column) as ArrayLike<unknown>;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    const missing = v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
    let value = NaN;
    if (!missing) value = model.task === 'regression' ? Number(v) : (model.classes ?? []).indexOf(labelOf(v));
    if (missing || !(model.task === 'regression' ? Number.isFinite(value) : value >= 0)) {
      throw new InputError(
        'INVALID_LABEL',
        `row ${i + 1}: the target "${column}" is ${missing ? 'missing' : `"${labelOf(v)}"`}; ${
          model.task === 'regression' ? 'a number' : `one of ${(model.classes ?? []).join(', ')}`
        } was expected (drop such rows first)`,
        { row: i + 1, column, value: v, expected: model.task === 'regression' ? 'a number' : 'a known class label' },
      );
    }
    out[i] = value;
  }
  return out;
}

/** A label as the bundle names classes: text (dates as ISO strings). */
export function labelOf(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
