import { Bundle, computeReference, type BundleDocument } from '@campaign-ml/bundle';
import { bundleFromTable, tinyTable, TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

// The real server on a loopback port, as the other API tests run it (fastify's inject needs
// light-my-request's ESM-only cookie dependency, which this jest setup does not load).

const table = tinyTable();
const plain = bundleFromTable(table, 'state');
const scores = Bundle.fromJSON(plain).scoreTable(table);
const doc: BundleDocument = {
  ...plain,
  reference: computeReference(
    table,
    plain.schema,
    Float64Array.from({ length: table.numRows() }, (_, i) => scores[i * 2 + 1]),
  ),
};
const bundle = Bundle.fromJSON(doc);
// A record the model scores low: no backers, no staff pick, a high goal.
const LOW = { ...TINY_RECORD, backers_count: 2, staff_pick: false, goal: 9000, country: 'GB' };

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({}, doc);
});
afterAll(async () => {
  await s.stop();
});

const post = async (payload: unknown) => {
  const r = await s.post('/v1/what-if', payload);
  return { statusCode: r.status, body: await r.json() };
};

describe('POST /v1/what-if', () => {
  it('returns counterfactuals that reach the target, changing only actionable columns', async () => {
    const before = bundle.predictRecords([LOW])[0].probabilities!.successful;
    expect(before).toBeLessThan(0.5);
    const r = await post({ record: LOW, target: { probability: 0.6 }, actionable: ['goal', 'staff_pick'], k: 3 });
    expect(r.statusCode).toBe(200);
    const body = r.body;
    expect(body.bundleId).toBe('test-bundle-1');
    expect(body.targetClass).toBe('successful');
    expect(body.original.probability).toBeCloseTo(before, 12);
    expect(body.counterfactuals.length).toBeGreaterThan(0);
    expect(body.metrics.found).toBe(body.counterfactuals.length);
    for (const cf of body.counterfactuals) {
      expect(bundle.predictRecords([cf.record])[0].probabilities!.successful).toBeGreaterThanOrEqual(0.6);
      for (const ch of cf.changes) expect(['goal', 'staff_pick']).toContain(ch.column);
      expect(cf.record.country).toBe('GB');
      expect(cf.record.backers_count).toBe(2);
    }
  });

  it('defaults actionable to every input column not fixed, and to the training config when it names them', async () => {
    const r = await post({ record: LOW, target: { class: 'successful' }, fixed: ['backers_count', 'country'] });
    expect(r.statusCode).toBe(200);
    for (const cf of r.body.counterfactuals)
      for (const ch of cf.changes) expect(['goal', 'staff_pick', 'launched_at']).toContain(ch.column);

    const configured = await startTestServer(
      {},
      { ...doc, provenance: { ...doc.provenance, config: { explain: { actionable: ['goal'] } } } },
    );
    const c = await configured.post('/v1/what-if', { record: LOW, target: { probability: 0.55 } });
    const cBody = await c.json();
    await configured.stop();
    expect(c.status).toBe(200);
    for (const cf of cBody.counterfactuals)
      expect(cf.changes.map((ch: { column: string }) => ch.column)).toEqual(['goal']);
  });

  it('is deterministic for a seed', async () => {
    const payload = { record: LOW, target: { probability: 0.6 }, k: 4, seed: 3 };
    expect((await post(payload)).body).toEqual((await post(payload)).body);
  });

  it('answers 400 naming the field for bad input', async () => {
    const cases: [unknown, RegExp][] = [
      [{ record: { ...LOW, goal: 'lots' }, target: { probability: 0.6 } }, /record\.goal/],
      [{ record: { ...LOW, goal: undefined }, target: { probability: 0.6 } }, /record\.goal/],
      [{ record: LOW, target: { probability: 1.5 } }, /target\.probability/],
      [{ record: LOW, target: { class: 'won' } }, /target\.class/],
      [{ record: LOW }, /target/],
      [{ record: LOW, target: { probability: 0.6 }, actionable: ['nope'] }, /actionable\.0/],
      [{ record: LOW, target: { probability: 0.6 }, k: 0 }, /"k"/],
      [{ record: LOW, target: { probability: 0.6 }, extra: 1 }, /extra/],
      [{ record: LOW, target: { probability: 0.6 }, actionable: ['goal'], fixed: ['goal'] }, /actionable/],
      [{ record: LOW, target: { probability: 0.6 }, ranges: { goal: { min: 'x' } } }, /ranges\.goal\.min/],
    ];
    for (const [payload, field] of cases) {
      const r = await post(payload);
      expect(r.statusCode).toBe(400);
      expect(JSON.stringify(r.body.error)).toMatch(field);
    }
  });

  it('is documented in the OpenAPI document with the served bundle schema', async () => {
    const spec = await (await s.get('/openapi.json')).json();
    const op = spec.paths['/v1/what-if'].post;
    expect(op.summary).toMatch(/What to change/);
    const schema = op.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['record', 'target']);
    expect(schema.properties.record.properties.goal).toEqual({ type: 'number' });
  });
});
