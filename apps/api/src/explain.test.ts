import { TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ MAX_BATCH: '3' });
});
afterAll(async () => {
  await s.stop();
});

describe('POST /v1/explain', () => {
  it('explains one record in probability space: contributions per input column add up to the probability', async () => {
    const res = await s.post('/v1/explain', { record: TINY_RECORD, space: 'probability' });
    expect(res.status).toBe(200);
    const body = await res.json();
    const pred = await (await s.post('/v1/predict', TINY_RECORD)).json();
    const positive = Object.keys(pred.probabilities)[1];
    expect(body.space).toBe('probability');
    expect(body.bundleId).toBe(pred.bundleId);
    const sum =
      body.baseValue + body.contributions.reduce((a: number, c: { contribution: number }) => a + c.contribution, 0);
    expect(Math.abs(sum - pred.probabilities[positive])).toBeLessThan(1e-9);
    expect(Math.abs(body.prediction - pred.probabilities[positive])).toBeLessThan(1e-9);
    const columns = body.contributions.map((c: { column: string }) => c.column);
    for (const k of Object.keys(TINY_RECORD)) expect(columns).toContain(k);
    expect(body.contributions.find((c: { column: string }) => c.column === 'country').value).toBe(TINY_RECORD.country);
  });

  it("a batch, topK and the margin space (a boosted model's default: exact and fast)", async () => {
    const res = await s.post('/v1/explain', {
      records: [TINY_RECORD, { ...TINY_RECORD, goal: 90000 }],
      topK: 2,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.space).toBe('margin');
    expect(body.method).toBe('tree');
    expect(body.explanations).toHaveLength(2);
    expect(body.explanations[0].contributions).toHaveLength(2);
    expect(body.explanations[0].prediction).not.toBe(body.explanations[1].prediction);
  });

  it('bad input is a 400 that names the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ record: { ...TINY_RECORD, goal: '5k' } }, 'goal'],
      [{ record: TINY_RECORD, topK: 0 }, 'topK'],
      [{ record: TINY_RECORD, space: 'odds' }, 'space'],
      [{ record: TINY_RECORD, extra: 1 }, 'extra'],
      [{ records: [TINY_RECORD, TINY_RECORD, TINY_RECORD, TINY_RECORD] }, 'records'],
      [TINY_RECORD, 'goal'],
    ];
    for (const [body, field] of cases) {
      const res = await s.post('/v1/explain', body);
      expect(res.status).toBe(400);
      const e = (await res.json()).error;
      expect(JSON.stringify(e)).toContain(field);
    }
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await (await s.get('/openapi.json')).json();
    expect(doc.paths['/v1/explain'].post).toBeDefined();
  });
});
