import * as aq from 'arquero';
import { Bundle } from '@campaign-ml/bundle';
import { ConfigError, createRng } from '@campaign-ml/core';
import { describeTargetGroup } from './describe-target-group';
import { meets } from './group-condition';
import { campaignBundle, campaignTable, logisticBundle } from './test-support/linear-bundle';

describe('describeTargetGroup', () => {
  it('gives the hand-computed sentence for a model that only reads a 0/1 flag', () => {
    // P = sigmoid(3·flag): 0.952574 for the 3 flagged rows, 0.5 for the 7 others; overall 0.635772.
    const flag = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const noise = [5, 3, 8, 1, 9, 2, 7, 4, 6, 0];
    const bundle = logisticBundle({ flag, noise }, [3, 0], 0);
    const y = Float64Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
    const d = describeTargetGroup(bundle, aq.table({ flag, noise }), {
      topK: 1,
      y,
      labels: { flag: 'bought wine in the last 2 years' },
      importanceOptions: { nRepeats: 3, loss: (yt, s) => yt.reduce((a, v, r) => a + (v - s[r * 2 + 1]) ** 2, 0) },
    });
    expect(d.rankedBy).toBe('permutation importance');
    expect(d.sentences).toHaveLength(1);
    const [s] = d.sentences;
    expect(s.column).toBe('flag');
    expect(s.condition).toBe('bought wine in the last 2 years: yes');
    // lift 0.952574 / 0.635772 = 1.498; observed 2/3 vs 3/10, lift 2.22.
    expect(s.sentence).toBe(
      'bought wine in the last 2 years: yes (30% of rows; predicted rate 95% vs 64% overall, lift 1.5; observed rate 67% vs 30%, lift 2.22)',
    );
    expect(s.rows).toBe(3);
    expect(s.share).toBe(0.3);
    expect(s.predicted).toBeCloseTo(1 / (1 + Math.exp(-3)), 12);
    expect(s.observed).toBeCloseTo(2 / 3, 15);
    expect(d.overall.observed).toBeCloseTo(0.3, 15);
    expect(d.together.rows).toBe(3);
    expect(d.together.sentence.startsWith('All of these together (30% of rows;')).toBe(true);
  });

  /** income drives the answer upward, kids downward, shoe size not at all. */
  function customers(n = 800) {
    const rng = createRng(9);
    const income: number[] = [];
    const kids: number[] = [];
    const shoe: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      income.push(Math.round(5000 + rng.random() * 95000));
      kids.push(rng.int(3));
      shoe.push(36 + rng.int(12));
      const z = (income[i] - 60000) / 10000 - 1.2 * kids[i];
      y.push(rng.random() < 1 / (1 + Math.exp(-z)) ? 1 : 0);
    }
    const cols = { income, kids, shoe };
    return { bundle: logisticBundle(cols, [1e-4, -1.2, 0], -6), table: aq.table({ ...cols, y: y.map(String) }) };
  }

  it('ranks by importance, describes the top k, and its figures are those of the rows the condition picks', () => {
    const { bundle, table } = customers();
    const d = describeTargetGroup(bundle, table, { topK: 2, labels: { income: 'yearly household income' } });
    expect(d.sentences.map((s) => s.column)).toEqual(['income', 'kids']);
    const [inc, kids] = d.sentences;
    expect(inc.condition).toMatch(/^yearly household income of [\d,]+ or more$/);
    expect(kids.condition).toBe('kids: 0');
    const p = bundle.scoreTable(table);
    const yes = (table.array('y') as string[]).map((v) => (v === '1' ? 1 : 0));
    for (const s of d.sentences) {
      const values = table.array(s.column) as number[];
      const rows = values.map((_, r) => r).filter((r) => meets({ ...s.rule, text: s.condition }, values[r]));
      expect(s.rows).toBe(rows.length);
      expect(s.predicted).toBeCloseTo(rows.reduce((a, r) => a + p[r * 2 + 1], 0) / rows.length, 12);
      expect(s.observed).toBeCloseTo(rows.reduce((a, r) => a + yes[r], 0) / rows.length, 12);
      expect(s.predictedLift).toBeCloseTo(s.predicted / d.overall.predicted, 12);
      expect(s.predictedLift).toBeGreaterThan(1.3);
    }
    expect(d.together.rows).toBeLessThanOrEqual(Math.min(inc.rows, kids.rows));
    expect(d.together.predictedLift).toBeGreaterThan(inc.predictedLift);
  });

  it('without outcomes ranks by how far each curve moves the prediction, and says so', () => {
    const { bundle, table } = customers(300);
    const d = describeTargetGroup(bundle, table.select('income', 'kids', 'shoe'), { topK: 3 });
    expect(d.rankedBy).toBe('partial-dependence range');
    expect(d.sentences.map((s) => s.column)).toEqual(['income', 'kids', 'shoe']);
    expect(d.sentences[2].condition).toBe('shoe: any value');
    expect(d.sentences[0].observed).toBeUndefined();
    expect(d.sentences[0].sentence).not.toMatch(/observed/);
  });

  it('describes a real bundle: categories, booleans and dates', () => {
    const gbdt = Bundle.fromJSON(campaignBundle('gbdt'));
    const d = describeTargetGroup(gbdt, campaignTable(400, 21), { topK: 5, pdp: { maxRows: 200 } });
    expect(d.sentences).toHaveLength(5);
    expect(d.class).toBe('successful');
    for (const s of d.sentences) {
      expect(s.sentence).toContain('% of rows');
      expect(s.rows).toBeGreaterThan(0);
    }
    const video = d.sentences.find((s) => s.column === 'video');
    if (video) expect(video.condition).toBe('video: yes');
  });

  it('rejects an unknown language or a bad topK', () => {
    const { bundle, table } = customers(50);
    expect(() => describeTargetGroup(bundle, table, { language: 'xx' })).toThrow(
      expect.objectContaining({ constructor: ConfigError, column: 'language', expected: 'en' }),
    );
    expect(() => describeTargetGroup(bundle, table, { topK: 0 })).toThrow(ConfigError);
  });
});
