import { TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.stop();
});

describe('health and model routes', () => {
  it('answers liveness and readiness after the self-test', async () => {
    expect((await s.get('/healthz')).status).toBe(200);
    const ready = await s.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', bundleId: 'test-bundle-1' });
  });

  it('describes the model: task, classes, threshold, metrics, schema, provenance', async () => {
    const r = await s.get('/v1/model');
    expect(r.status).toBe(200);
    const m = await r.json();
    expect(m).toMatchObject({
      bundleId: 'test-bundle-1',
      bundleVersion: 1,
      task: 'binary',
      classes: ['failed', 'successful'],
      threshold: 0.5,
      metrics: { rocAuc: 0.9 },
    });
    expect(m.inputSchema.map((c: { name: string }) => c.name)).toEqual([
      'goal',
      'backers_count',
      'country',
      'staff_pick',
      'launched_at',
    ]);
    expect(m.requestSchema.additionalProperties).toBe(false);
    expect(m.requestSchema.properties.country.enum).toEqual(expect.arrayContaining(['US', 'GB', 'DE', 'MX']));
    expect(m.provenance.rows).toBe(300);
  });
});

describe('POST /v1/predict', () => {
  it('predicts one record with label, probabilities, threshold and bundle id', async () => {
    const r = await s.post('/v1/predict', TINY_RECORD);
    expect(r.status).toBe(200);
    const p = await r.json();
    expect(p.bundleId).toBe('test-bundle-1');
    expect(['failed', 'successful']).toContain(p.label);
    expect(p.threshold).toBe(0.5);
    expect(p.probabilities.failed + p.probabilities.successful).toBeCloseTo(1, 12);
    expect(p.label).toBe(p.probabilities.successful >= 0.5 ? 'successful' : 'failed');
  });

  it('predicts a batch in order, the same as one by one', async () => {
    const records = [
      TINY_RECORD,
      { ...TINY_RECORD, backers_count: 0, staff_pick: false, goal: 9000 },
      { ...TINY_RECORD, backers_count: 49, country: 'MX' },
    ];
    const r = await s.post('/v1/predict', { records });
    expect(r.status).toBe(200);
    const { predictions, bundleId } = await r.json();
    expect(bundleId).toBe('test-bundle-1');
    expect(predictions).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const one = await (await s.post('/v1/predict', records[i])).json();
      expect(predictions[i].probabilities.successful).toBeCloseTo(one.probabilities.successful, 12);
    }
    // The synthetic signal: many backers and a staff pick beat none.
    expect(predictions[1].probabilities.successful).toBeLessThan(predictions[2].probabilities.successful);
  });

  it('scores concurrent requests (coalesced) exactly like sequential ones', async () => {
    const recs = Array.from({ length: 40 }, (_, i) => ({ ...TINY_RECORD, backers_count: i, goal: 200 + i * 200 }));
    const together = await Promise.all(recs.map(async (rec) => (await s.post('/v1/predict', rec)).json()));
    const alone = (await (await s.post('/v1/predict', { records: recs })).json()).predictions;
    together.forEach((p, i) => expect(p.probabilities.successful).toBeCloseTo(alone[i].probabilities.successful, 12));
  });

  it('echoes x-request-id and makes one when absent', async () => {
    const r = await s.post('/v1/predict', TINY_RECORD, { 'x-request-id': 'abc-123' });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    const r2 = await s.get('/healthz');
    expect(r2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Open Inference Protocol v2', () => {
  const tensor = (name: string, datatype: string, data: unknown[]) => ({ name, datatype, shape: [data.length], data });
  const inputs = [
    tensor('goal', 'FP64', [1500, 9000]),
    tensor('backers_count', 'INT64', [12, 0]),
    tensor('country', 'BYTES', ['US', 'DE']),
    tensor('staff_pick', 'BOOL', [true, false]),
    tensor('launched_at', 'BYTES', ['2018-05-25T11:51:47Z', '2018-02-01']),
  ];

  it('serves health, metadata and readiness', async () => {
    expect(await (await s.get('/v2/health/live')).json()).toEqual({ live: true });
    expect(await (await s.get('/v2/health/ready')).json()).toEqual({ ready: true });
    const meta = await (await s.get('/v2/models/campaign')).json();
    expect(meta.name).toBe('campaign');
    expect(meta.versions).toEqual(['test-bundle-1']);
    expect(meta.inputs.find((i: { name: string }) => i.name === 'staff_pick').datatype).toBe('BOOL');
    expect((await s.get('/v2/models/campaign/ready')).status).toBe(200);
    expect((await s.get('/v2/models/other/ready')).status).toBe(404);
  });

  it('infers from named tensors, matching /v1/predict', async () => {
    const r = await s.post('/v2/models/campaign/infer', { id: 'req-1', inputs });
    expect(r.status).toBe(200);
    const out = await r.json();
    expect(out).toMatchObject({ model_name: 'campaign', model_version: 'test-bundle-1', id: 'req-1' });
    const label = out.outputs.find((o: { name: string }) => o.name === 'label');
    const probs = out.outputs.find((o: { name: string }) => o.name === 'probabilities');
    expect(label).toMatchObject({ datatype: 'BYTES', shape: [2] });
    expect(probs).toMatchObject({ datatype: 'FP64', shape: [2, 2] });
    const v1 = await (await s.post('/v1/predict', TINY_RECORD)).json();
    expect(probs.data[1]).toBeCloseTo(v1.probabilities.successful, 12);
    expect(label.data[0]).toBe(v1.label);
  });

  it('accepts [n, 1] shapes with nested data and filters outputs', async () => {
    const nested = inputs.map((t) => ({ ...t, shape: [2, 1], data: t.data.map((v) => [v]) }));
    const out = await (
      await s.post('/v2/models/campaign/infer', { inputs: nested, outputs: [{ name: 'label' }] })
    ).json();
    expect(out.outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
  });

  it('names the tensor and element of a bad value', async () => {
    const bad = inputs.map((t) => (t.name === 'goal' ? tensor('goal', 'FP64', [1500, 'lots']) : t));
    const r = await s.post('/v2/models/campaign/infer', { inputs: bad });
    expect(r.status).toBe(400);
    const { error } = await r.json();
    expect(error.message).toContain('input "goal" element 1');
    const wrongType = inputs.map((t) => (t.name === 'staff_pick' ? tensor('staff_pick', 'BYTES', ['yes', 'no']) : t));
    const r2 = await (await s.post('/v2/models/campaign/infer', { inputs: wrongType })).json();
    expect(r2.error.message).toContain('datatype must be BOOL');
    const short = inputs.map((t) => (t.name === 'country' ? tensor('country', 'BYTES', ['US']) : t));
    expect((await s.post('/v2/models/campaign/infer', { inputs: short })).status).toBe(400);
    expect((await s.post('/v2/models/campaign/infer', { inputs: inputs.slice(1) })).status).toBe(400);
  });
});

describe('docs and metrics', () => {
  it('serves the OpenAPI document with the bundle-generated request schema', async () => {
    const doc = await (await s.get('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    const body = doc.paths['/v1/predict'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('"launched_at"');
    expect(doc.paths['/v2/models/{name}/infer']).toBeDefined();
  });

  it('serves swagger-ui locally', async () => {
    const page = await s.get('/docs/static/index.html');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });

  it('counts requests by route and status, latency and predictions by label', async () => {
    await s.post('/v1/predict', TINY_RECORD);
    await s.post('/v1/predict', { ...TINY_RECORD, goal: 'x' });
    const text = await (await s.get('/metrics')).text();
    expect(text).toMatch(/http_requests_total\{route="\/v1\/predict",method="POST",status="200"\} \d+/);
    expect(text).toMatch(/http_requests_total\{route="\/v1\/predict",method="POST",status="400"\} \d+/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toMatch(/predictions_total\{route="\/v1\/predict",label="(failed|successful)"\} \d+/);
    expect(text).toContain('prediction_probability_bucket');
    expect(text).toContain('model_info{bundle_id="test-bundle-1"} 1');
  });
});
