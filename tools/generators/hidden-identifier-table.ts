/**
 * Issue 12, item 2: a churn-like table saved the way pandas users save tables, full of identifiers
 * whose names do not say so: the saved index (first column, empty header, shuffled 0..n-1 after a
 * shuffle), a row number `seq` (1..n), a `record_no` that rises with the rows, and an
 * `account_number` that is the `customer_id` plus a constant. The outcome drifts with the row order,
 * so a model given any of them would learn the file's order instead of the customers.
 */
import { createRng } from '@campaign-ml/core';
import { csv, type Cell } from './quirk-tables';

export interface HiddenIdentifierTable {
  header: readonly string[];
  rows: readonly Cell[][];
  csv: string;
  target: string;
  /** The columns as the reader names them (the blank header becomes `column_1`) that must be identifiers. */
  identifiers: readonly string[];
  features: readonly string[];
}

export function hiddenIdentifierTable(seed = 21, n = 1200): HiddenIdentifierTable {
  const rng = createRng(seed);
  const index = rng.permutation(n);
  const customer = rng.permutation(n).map((i) => 30_000 + 7 * i);
  const rows: Cell[][] = [];
  let record = 88_000;
  for (let i = 0; i < n; i++) {
    record += 1 + rng.int(9);
    const tenure = 1 + rng.int(72);
    const charges = Math.round(rng.uniform(20, 120) * 100) / 100;
    const contract = ['month-to-month', 'one year', 'two year'][rng.int(3)];
    const z =
      -0.5 -
      0.04 * (tenure - 36) +
      0.015 * (charges - 70) +
      (contract === 'month-to-month' ? 1.2 : contract === 'two year' ? -1 : 0) +
      (1.5 * i) / n;
    const churn = rng.random() < 1 / (1 + Math.exp(-z));
    rows.push([
      index[i],
      i + 1,
      record,
      customer[i],
      customer[i] + 500_000,
      tenure,
      charges,
      contract,
      churn ? 'Yes' : 'No',
    ]);
  }
  const header = [
    '',
    'seq',
    'record_no',
    'customer_id',
    'account_number',
    'tenure',
    'monthly_charges',
    'contract',
    'churn',
  ];
  return {
    header,
    rows,
    csv: csv(header, rows),
    target: 'churn',
    identifiers: ['column_1', 'seq', 'record_no', 'customer_id', 'account_number'],
    features: ['tenure', 'monthly_charges', 'contract'],
  };
}
