import type { ColumnSchema } from '@campaign-ml/schema';

function middle(col: ColumnSchema): number {
  const lo = typeof col.min === 'number' ? col.min : 0;
  const hi = typeof col.max === 'number' ? col.max : lo;
  const m = (lo + hi) / 2;
  return col.type === 'integer' ? Math.round(m) : m;
}

/**
 * A plausible record built from the schema alone, for the readiness self-test: the middle of each
 * number's observed range, the most frequent category, the earliest observed date, false for
 * booleans. Only the columns the pipeline reads are filled.
 */
export function selfTestRecord(columns: readonly ColumnSchema[], required: readonly string[]): Record<string, unknown> {
  const need = new Set(required);
  const record: Record<string, unknown> = {};
  for (const col of columns) {
    if (!need.has(col.name)) continue;
    switch (col.type) {
      case 'number':
      case 'integer':
        record[col.name] = middle(col);
        break;
      case 'boolean':
        record[col.name] = col.categories?.includes('true') && !col.categories.includes('false') ? true : false;
        break;
      case 'datetime':
        record[col.name] =
          typeof col.min === 'string' && !Number.isNaN(Date.parse(col.min))
            ? new Date(Date.parse(col.min)).toISOString()
            : '2020-01-01T00:00:00Z';
        break;
      case 'identifier':
        record[col.name] = 'self-test';
        break;
      default:
        record[col.name] = col.categories?.[0] ?? 'self-test';
    }
  }
  return record;
}
