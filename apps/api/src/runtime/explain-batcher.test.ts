import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { Bundle } from '@campaign-ml/bundle';
import { explainTable, type ExplainedRecords } from '@campaign-ml/explain';
import { bundleFromTable, tinyTable } from '../test-support/make-bundle';
import { ComputeLane } from './compute-lane';
import { ExplainBatcher } from './explain-batcher';

const table = tinyTable(300, 11);
const bundle = Bundle.fromJSON(bundleFromTable(table, 'state', { nEstimators: 30 }));
const inputs = table.select([...bundle.features.inputColumns]);
const rows = (from: number, n: number) =>
  bundle.recordsToTable(inputs.slice(from, from + n).objects() as Record<string, unknown>[]);

/** What the route reads of an explanation, plus its arrays. */
const plain = (e: ExplainedRecords) => ({
  space: e.space,
  method: e.method,
  columns: e.columns,
  rows: e.rows,
  values: Array.from(e.values),
  baseValues: Array.from(e.baseValues),
  predictions: Array.from(e.predictions),
  records: e.records,
});

describe('ExplainBatcher', () => {
  it('requests queued behind one another share one call, and each gets exactly what it gets alone', async () => {
    const calls: number[] = [];
    const batcher = new ExplainBatcher(
      new ComputeLane(),
      (b, t, o) => (calls.push(t.numRows()), explainTable(b, t, o)),
    );
    const options = { space: 'probability' as const };
    // The first explanation of a bundle runs alone: it tells whether its explainer is row by row.
    await batcher.run(bundle, rows(0, 1), options);
    const tables = [rows(1, 1), rows(2, 3), rows(5, 1), rows(6, 1), rows(7, 2)];
    const joint = await Promise.all(tables.map((t) => batcher.run(bundle, t, options)));
    // The first queued request ran at its turn with every one behind it.
    expect(calls).toEqual([1, 8]);
    expect(batcher.joined).toBe(4);
    for (const [i, t] of tables.entries()) expect(plain(joint[i])).toEqual(plain(explainTable(bundle, t, options)));
    // Other options do not share a call.
    const [a, b] = await Promise.all([
      batcher.run(bundle, rows(10, 1), options),
      batcher.run(bundle, rows(11, 1), { ...options, topK: 2 }),
    ]);
    expect(calls.slice(2)).toEqual([1, 1]);
    expect(a.records[0].contributions.length).toBeGreaterThan(2);
    expect(b.records[0].contributions).toHaveLength(2);
  });

  it('a sampling explainer (values depend on the other rows of a call) is never batched', async () => {
    const calls: number[] = [];
    const fake = (_b: Bundle, t: ColumnTable): ExplainedRecords => {
      calls.push(t.numRows());
      return { method: 'permutation' } as ExplainedRecords;
    };
    const batcher = new ExplainBatcher(new ComputeLane(), fake);
    await batcher.run(bundle, rows(0, 1), {});
    await Promise.all([1, 2, 3].map((i) => batcher.run(bundle, rows(i, 1), {})));
    expect(calls).toEqual([1, 1, 1, 1]);
    expect(batcher.joined).toBe(0);
  });

  it('when a joint call throws, each request is explained alone: a bad one fails only itself', async () => {
    const calls: number[][] = [];
    const fake = (_b: Bundle, t: ColumnTable): ExplainedRecords => {
      const a = Array.from(t.array('a') as ArrayLike<number>);
      calls.push(a);
      if (a.includes(-1)) throw new Error('bad record');
      const n = a.length;
      return {
        method: 'tree',
        columns: ['a'],
        rows: n,
        values: Float64Array.from(a),
        baseValues: new Float64Array(n),
        predictions: new Float64Array(n),
        records: a.map((v) => ({ prediction: v, baseValue: 0, contributions: [] })),
      } as unknown as ExplainedRecords;
    };
    const batcher = new ExplainBatcher(new ComputeLane(), fake);
    await batcher.run(bundle, aq.table({ a: [1] }), {});
    const results = await Promise.allSettled([[2], [-1], [3, 4]].map((a) => batcher.run(bundle, aq.table({ a }), {})));
    expect(calls).toEqual([[1], [2, -1, 3, 4], [2], [-1], [3, 4]]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('bad record');
    expect(Array.from((results[2] as PromiseFulfilledResult<ExplainedRecords>).value.values)).toEqual([3, 4]);
  });
});
