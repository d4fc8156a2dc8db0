import { explainRecords } from './explain-records';
import { testBundle, testRecords, type TestModel } from './test-support/shap-bundles';

const records = testRecords(12, 21);

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

describe('explainRecords: contributions per input column, additive in the space named', () => {
  const cases: Array<[TestModel, 'margin' | 'probability', string]> = [
    ['gbdt', 'margin', 'tree'],
    ['gbdt', 'probability', 'tree (interventional)'],
    ['forest', 'probability', 'tree'],
    ['logistic', 'margin', 'linear'],
    ['logistic', 'probability', 'linear'],
    ['mlp', 'probability', 'deep'],
    ['ensemble', 'probability', 'ensemble(tree (interventional)+tree+linear)'],
    ['gbdt-regression', 'margin', 'tree'],
    ['linear-regression', 'margin', 'linear'],
  ];
  for (const [kind, space, method] of cases) {
    it(`${kind} in ${space} space (${method})`, () => {
      const bundle = testBundle(kind);
      const regression = bundle.task === 'regression';
      // The regression bundles predict goal from the other columns.
      const recs = regression ? records.map(({ goal: _g, ...r }) => r) : records;
      const why = explainRecords(bundle, recs, { space });
      expect(why.method).toBe(method);
      expect(why.columns).toEqual([...bundle.features.inputColumns]);
      const scores = bundle.scoreTable(bundle.recordsToTable(recs));
      for (let r = 0; r < records.length; r++) {
        const p = regression ? scores[r] : scores[2 * r + 1];
        const expected = space === 'margin' && !regression ? logit(p) : p;
        let s = why.baseValues[r];
        for (let c = 0; c < why.columns.length; c++) s += why.values[r * why.columns.length + c];
        expect(Math.abs(s - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
        expect(Math.abs(why.predictions[r] - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
        // The record's own list: sorted by |contribution|, values as given.
        const list = why.records[r].contributions;
        for (let i = 1; i < list.length; i++) {
          expect(Math.abs(list[i - 1].contribution)).toBeGreaterThanOrEqual(Math.abs(list[i].contribution));
        }
        const backers = list.find((c) => c.column === 'backers');
        expect(backers?.value).toBe(records[r].backers);
      }
    });
  }

  it('exact explainers give a record the same values whatever else is in the call (the API batches requests on it)', () => {
    for (const [kind, space] of cases) {
      const bundle = testBundle(kind);
      const recs = bundle.task === 'regression' ? records.map(({ goal: _g, ...r }) => r) : records;
      const all = explainRecords(bundle, recs, { space });
      const C = all.columns.length;
      recs.forEach((record, i) => {
        const one = explainRecords(bundle, [record], { space });
        expect(Array.from(one.values)).toEqual(Array.from(all.values.subarray(i * C, (i + 1) * C)));
        expect([one.baseValues[0], one.predictions[0]]).toEqual([all.baseValues[i], all.predictions[i]]);
      });
    }
  });

  it('a bundle without a background sample explains against a typical record from its reference', () => {
    const bundle = testBundle('logistic', { background: false });
    const why = explainRecords(bundle, records.slice(0, 3), { space: 'probability' });
    expect(why.background).toBe('reference medians and modes');
    const p = bundle.scoreTable(bundle.recordsToTable(records.slice(0, 3)));
    for (let r = 0; r < 3; r++) expect(Math.abs(why.predictions[r] - p[2 * r + 1])).toBeLessThan(1e-12);
    expect(explainRecords(testBundle('gbdt'), records.slice(0, 1), { space: 'margin' }).background).toBe('none needed');
  });

  it('the video column carries the planted effect in the right direction', () => {
    const bundle = testBundle('gbdt');
    const why = explainRecords(bundle, records, { space: 'margin' });
    const c = why.columns.indexOf('video');
    for (let r = 0; r < records.length; r++) {
      const v = why.values[r * why.columns.length + c];
      if (records[r].video === true) expect(v).toBeGreaterThan(0);
      else expect(v).toBeLessThan(0);
    }
  });

  it('topK keeps the largest contributions; bad input names the field', () => {
    const bundle = testBundle('gbdt');
    const why = explainRecords(bundle, records.slice(0, 2), { topK: 2 });
    expect(why.records[0].contributions).toHaveLength(2);
    expect(() => explainRecords(bundle, [{ ...records[0], goal: 'lots' }])).toThrow(/goal/);
    expect(() => explainRecords(bundle, [])).toThrow(/no records/);
    expect(() => explainRecords(testBundle('ensemble'), records.slice(0, 1), { space: 'margin' })).toThrow(/no margin/);
  });
});

describe('backgroundRows', () => {
  it('uses the first n rows of the bundle sample and stays additive', () => {
    const bundle = testBundle('gbdt');
    const full = explainRecords(bundle, records.slice(0, 2), { space: 'probability' });
    const few = explainRecords(bundle, records.slice(0, 2), { space: 'probability', backgroundRows: 5 });
    expect(few.baseValues[0]).not.toBe(full.baseValues[0]);
    for (let r = 0; r < 2; r++) expect(Math.abs(few.predictions[r] - full.predictions[r])).toBeLessThan(1e-12);
    expect(() => explainRecords(bundle, records.slice(0, 1), { backgroundRows: 0 })).toThrow(/backgroundRows/);
  });
});
