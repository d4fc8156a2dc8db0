import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { LeakageFinding } from './detect-leakage';

/**
 * Drop the columns named by leakage findings (or plain names). Findings of severity `warning`
 * (evidence from a rare class only) are kept; columns not in the table are ignored.
 */
export function dropLeaks(
  table: ColumnTable,
  leaks: ReadonlyArray<(Pick<LeakageFinding, 'column'> & Partial<Pick<LeakageFinding, 'severity'>>) | string>,
): ColumnTable {
  const present = new Set(table.columnNames());
  const drop = leaks
    .filter((l) => typeof l === 'string' || l.severity !== 'warning')
    .map((l) => (typeof l === 'string' ? l : l.column))
    .filter((c) => present.has(c));
  return drop.length === 0 ? table : table.select(aq.not(drop));
}
