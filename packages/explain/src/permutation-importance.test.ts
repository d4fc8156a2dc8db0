import * as aq from 'arquero';
import { ConfigError, InputError, createRng } from '@campaign-ml/core';
import { rocAucScore } from '@campaign-ml/models';
import { permutationImportance } from './permutation-importance';
import { campaignBundle, campaignTable, logisticBundle } from './test-support/linear-bundle';
import { Bundle } from '@campaign-ml/bundle';

/** 600 rows: y depends strongly on `signal`, weakly on `weak`, not at all on `ignored`. */
function planted(n = 600, seed = 3) {
  const rng = createRng(seed);
  const cols = { ignored: [] as number[], weak: [] as number[], signal: [] as number[] };
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    cols.ignored.push(rng.normal());
    cols.weak.push(rng.normal());
    cols.signal.push(rng.normal());
    const z = 2.5 * cols.signal[i] + 0.5 * cols.weak[i];
    y.push(rng.random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
  }
  const bundle = logisticBundle(cols, [0, 0.5, 2.5], 0);
  const table = aq.table({ ...cols, y: y.map(String) });
  return { bundle, table, y: Float64Array.from(y) };
}

describe('permutationImportance', () => {
  const { bundle, table, y } = planted();

  it('scores a column the model ignores exactly 0, in every round', () => {
    const imp = permutationImportance(bundle, table, { y, seed: 1 });
    const ignored = imp.columns.find((c) => c.name === 'ignored')!;
    expect(ignored.difference).toBe(0);
    expect(ignored.ratio).toBe(1);
    expect(ignored.rounds).toEqual(new Array(10).fill(0));
    expect([ignored.std, ignored.min, ignored.max]).toEqual([0, 0, 0]);
  });

  it('ranks the planted signal first, then the weak one, and the ignored one last', () => {
    const imp = permutationImportance(bundle, table, { y, seed: 2 });
    expect(imp.columns.map((c) => c.name)).toEqual(['signal', 'weak', 'ignored']);
    expect(imp.columns[0].difference).toBeGreaterThan(0.2);
    expect(imp.columns[1].difference).toBeGreaterThan(0);
    expect(imp.columns[0].min).toBeGreaterThan(imp.columns[1].max);
  });

  it('is identical for the same seed and differs for another', () => {
    const a = permutationImportance(bundle, table, { y, seed: 7, maxRows: 300 });
    const b = permutationImportance(bundle, table, { y, seed: 7, maxRows: 300 });
    const c = permutationImportance(bundle, table, { y, seed: 8, maxRows: 300 });
    expect(b).toEqual(a);
    expect(c.columns[0].rounds).not.toEqual(a.columns[0].rounds);
  });

  it('gives the same result whether permuted copies are scored together or one call each', () => {
    const together = permutationImportance(bundle, table, { y, seed: 4, nRepeats: 3 });
    const apart = permutationImportance(bundle, table, { y, seed: 4, nRepeats: 3, chunkRows: 1 });
    expect(apart).toEqual(together);
  });

  it('has the full model loss 1 − AUC of every row when maxRows covers the table (dalex _full_model_)', () => {
    const imp = permutationImportance(bundle, table, { y, maxRows: Infinity, nRepeats: 3 });
    const scores = bundle.scoreTable(table);
    const auc = rocAucScore(
      y,
      Float64Array.from({ length: y.length }, (_, r) => scores[r * 2 + 1]),
    );
    expect(imp.rows).toBe(600);
    for (const full of imp.fullModelRounds) expect(full).toBeCloseTo(1 - auc, 12);
    expect(imp.fullModel).toBeCloseTo(1 - auc, 12);
    // A model scored against permuted outcomes is about as good as chance.
    expect(Math.abs(imp.baseline - 0.5)).toBeLessThan(0.06);
  });

  it('keeps mean, ratio and difference consistent (dalex: ratio = mean / full, difference = mean − full)', () => {
    const imp = permutationImportance(bundle, table, { y, seed: 5, nRepeats: 4 });
    for (const c of imp.columns) {
      expect(c.difference).toBeCloseTo(c.mean - imp.fullModel, 14);
      expect(c.ratio).toBeCloseTo(c.mean / imp.fullModel, 14);
      expect(c.min).toBeLessThanOrEqual(c.difference + 1e-15);
      expect(c.max).toBeGreaterThanOrEqual(c.difference - 1e-15);
    }
  });

  it('moves a group of columns together', () => {
    const imp = permutationImportance(bundle, table, {
      y,
      seed: 1,
      groups: { both: ['signal', 'weak'], none: ['ignored'] },
    });
    expect(imp.columns.map((c) => [c.name, c.columns])).toEqual([
      ['both', ['signal', 'weak']],
      ['none', ['ignored']],
    ]);
    expect(imp.columns[1].difference).toBe(0);
    const single = permutationImportance(bundle, table, { y, seed: 1 });
    expect(imp.columns[0].difference).toBeGreaterThan(single.columns[0].difference);
  });

  it('reads the outcomes from the target column when y is not given (labels mapped to class indices)', () => {
    const fromTable = permutationImportance(bundle, table, { seed: 3, nRepeats: 2 });
    const fromY = permutationImportance(bundle, table, { y, seed: 3, nRepeats: 2 });
    expect(fromTable).toEqual(fromY);
  });

  it('takes a custom loss and cross-entropy', () => {
    const calls: number[] = [];
    const meanAbs = (yt: Float64Array, s: Float64Array) => {
      calls.push(yt.length);
      let t = 0;
      for (let r = 0; r < yt.length; r++) t += Math.abs(yt[r] - s[r * 2 + 1]);
      return t / yt.length;
    };
    const imp = permutationImportance(bundle, table, { y, loss: meanAbs, nRepeats: 2, maxRows: 100 });
    expect(imp.loss).toBe('meanAbs');
    expect(calls).toEqual(new Array(2 * (2 + 3)).fill(100));
    const ce = permutationImportance(bundle, table, { y, loss: 'cross-entropy', nRepeats: 2 });
    expect(ce.columns[0].name).toBe('signal');
  });

  it('works on a real bundle (GBDT on the tree recipe) with categorical, boolean, date and missing inputs', () => {
    const doc = campaignBundle('gbdt');
    const gbdt = Bundle.fromJSON(doc);
    const test = campaignTable(300, 11);
    const imp = permutationImportance(gbdt, test, { seed: 1, nRepeats: 3 });
    expect(imp.columns.map((c) => c.name).sort()).toEqual([...gbdt.features.inputColumns].sort());
    expect(imp.fullModel).toBeLessThan(0.3);
    expect(imp.columns[0].difference).toBeGreaterThan(0.02);
  });

  it('names the problem in bad input', () => {
    expect(() => permutationImportance(bundle, table, { y, groups: { g: ['signal', 'nope'] } })).toThrow(
      expect.objectContaining({ constructor: ConfigError, column: 'nope' }),
    );
    expect(() => permutationImportance(bundle, table.select('ignored', 'weak', 'signal'))).toThrow(InputError);
    expect(() => permutationImportance(bundle, table, { y: y.slice(1) })).toThrow(/600 rows/);
    const bad = Float64Array.from(y);
    bad[4] = 2;
    expect(() => permutationImportance(bundle, table, { y: bad })).toThrow(
      expect.objectContaining({ code: 'INVALID_LABEL', row: 5 }),
    );
    expect(() => permutationImportance(bundle, table.select('ignored', 'weak'), { y })).toThrow(
      expect.objectContaining({ code: 'MISSING_COLUMN', column: 'signal' }),
    );
    expect(() => permutationImportance(bundle, table, { y, nRepeats: 0 })).toThrow(ConfigError);
  });
});
