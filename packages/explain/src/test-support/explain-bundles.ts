/**
 * Test support (not exported): bundles fitted on bundle's generated campaign table, with their
 * reference distributions, and a bundle whose model reads a single planted signal.
 */
import * as aq from 'arquero';
import { Bundle, computeReference } from '@campaign-ml/bundle';
import { campaignBundle, campaignTable } from '@campaign-ml/bundle/test-bundles';

export { campaignTable };

/** A GBDT bundle on `table` with its reference (inputs and predictions) filled in. */
export function referenceBundle(table: aq.ColumnTable = campaignTable(400, 5), model: 'gbdt' | 'mlp' = 'gbdt'): Bundle {
  const doc = campaignBundle(model, table);
  const plain = Bundle.fromJSON(doc);
  const scores = plain.scoreTable(table);
  const positive = Float64Array.from({ length: scores.length / 2 }, (_, i) => scores[i * 2 + 1]);
  return Bundle.fromJSON({ ...doc, reference: computeReference(table, doc.schema, positive) });
}

/** The campaign table with `state` decided by `goal` alone (successful below 8,000), nothing else. */
export function plantedGoalTable(n = 600, seed = 11): aq.ColumnTable {
  const t = campaignTable(n, seed);
  const goal = t.array('goal') as ArrayLike<number>;
  return t.assign({ state: Array.from(goal, (g) => (g < 8000 ? 'successful' : 'failed')) });
}

/** A raw record (JSON values) from a typed table row. */
export function rawRecord(table: aq.ColumnTable, row: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of table.columnNames()) {
    if (c === 'state') continue;
    const v = table.get(c, row);
    out[c] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
