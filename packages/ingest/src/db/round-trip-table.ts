import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

/**
 * A table with every value convention and the awkward cases a database round trip must keep:
 * floats at the edges, integers past 2^31, nulls, booleans, Dates with milliseconds, unicode and
 * quotes in values and column names. Shared by the SQLite and PostgreSQL tests.
 */
export function roundTripTable(): ColumnTable {
  return aq.table({
    id: [1, 2, 3, 4],
    amount: [0.1 + 0.2, -1.5e-300, 1.7976931348623157e308, null],
    big: [2 ** 40, -(2 ** 52), 0, 7],
    flag: [true, false, null, true],
    at: [
      new Date('2017-06-03T16:05:54.123Z'),
      new Date('1969-12-31T23:59:59.999Z'),
      null,
      new Date('2024-02-29T00:00:00Z'),
    ],
    name: ['naïve café', '日本語 🚀', 'O\'Brien "quoted"', null],
    'weird "col"; name': ['a', 'b', 'c', 'd'],
    empty: [null, null, null, null],
  });
}
