import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import { TINY_RECORD, bundleFromTable, tinyTable } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

// country is audited but not a feature: the thresholds still need it on every record.
const base = bundleFromTable(tinyTable(), 'state', { id: 'fair-bundle', drop: ['country'] });
const doc: BundleDocument = {
  ...base,
  model: { ...base.model, groupThresholds: { column: 'country', thresholds: { US: 0.3, GB: 0.5, DE: 0.6, MX: 0.7 } } },
  metrics: {
    ...base.metrics,
    fairness: { sensitive: ['country'], mitigation: 'thresholds', before: { demographicParityDifference: 0.3 } },
  },
};

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({}, doc);
});
afterAll(async () => {
  await s.stop();
});

describe('per-group fairness thresholds in the API', () => {
  it('/v1/model shows the thresholds and the fairness summary', async () => {
    const m = await (await s.get('/v1/model')).json();
    expect(m.groupThresholds).toEqual(doc.model.groupThresholds);
    expect(m.fairness).toMatchObject({ mitigation: 'thresholds', before: { demographicParityDifference: 0.3 } });
    expect(m.requiredColumns).toContain('country');
  });

  it('applies each record its group threshold, exactly as the bundle (and so `predict`) does', async () => {
    const records = ['US', 'GB', 'DE', 'MX'].flatMap((country) =>
      [500, 3000, 9000].map((goal) => ({ ...TINY_RECORD, country, goal })),
    );
    const local = Bundle.fromJSON(doc).predictRecords(records);
    for (let i = 0; i < records.length; i += 5) {
      const batch = records.slice(i, i + 5);
      const r = await s.post('/v1/predict', { records: batch });
      expect(r.status).toBe(200);
      const { predictions } = await r.json();
      expect(predictions).toEqual(local.slice(i, i + 5));
    }
    expect(local.map((p) => p.threshold)).toEqual(records.map((r) => doc.model.groupThresholds!.thresholds[r.country]));
  });

  it('a record without the sensitive column is a 400 naming it', async () => {
    const { country: _c, ...record } = TINY_RECORD;
    const r = await s.post('/v1/predict', record);
    expect(r.status).toBe(400);
    expect(JSON.stringify(await r.json())).toContain('country');
  });
});
