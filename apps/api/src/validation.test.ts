import { TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type JsonResponse, type TestServer } from './test-support/test-server';

let s: TestServer;
let unseen: TestServer;
beforeAll(async () => {
  s = await startTestServer({ MAX_BATCH: '5', BODY_LIMIT: '4kb' });
  unseen = await startTestServer({ UNKNOWN_CATEGORIES: 'unseen' });
});
afterAll(async () => {
  await s.stop();
  await unseen.stop();
});

async function rejected(
  res: JsonResponse,
  status = 400,
): Promise<{ code: string; message: string; problems?: { column?: string; row?: number; code: string }[] }> {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error.requestId).toBeTruthy();
  return body.error;
}

describe('request validation names the field', () => {
  it('wrong type', async () => {
    const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, goal: '5k' }));
    expect(e.message).toContain('field "goal" expected a number, found "5k"');
    expect(e.problems![0]).toMatchObject({ code: 'WRONG_TYPE', column: 'goal' });
  });

  it('"NaN" and "Infinity" strings in a number field', async () => {
    for (const v of ['NaN', 'Infinity', '-Infinity', '5']) {
      const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, goal: v }));
      expect(e.problems![0].column).toBe('goal');
    }
  });

  it('NaN / Infinity literals are not JSON', async () => {
    const e = await rejected(await s.post('/v1/predict', '{"goal": NaN}'));
    expect(e.code).toBe('MALFORMED_JSON');
    expect((await s.post('/v1/predict', '{"goal": Infinity}')).status).toBe(400);
  });

  it('missing required field', async () => {
    const { country: _c, ...rest } = TINY_RECORD;
    const e = await rejected(await s.post('/v1/predict', rest));
    expect(e.message).toContain('required field "country" is missing');
  });

  it('extra field', async () => {
    const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, pledged: 100 }));
    expect(e.message).toContain('unknown field "pledged"');
  });

  it('unknown category is refused under the reject policy, scored under unseen', async () => {
    const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, country: 'FR' }));
    expect(e.problems![0]).toMatchObject({ code: 'UNKNOWN_CATEGORY', column: 'country' });
    expect(e.message).toContain('"FR"');
    const ok = await unseen.post('/v1/predict', { ...TINY_RECORD, country: 'FR' });
    expect(ok.status).toBe(200);
  });

  it('dates: ISO strings only, and real dates', async () => {
    expect((await s.post('/v1/predict', { ...TINY_RECORD, launched_at: '2018-05-25' })).status).toBe(200);
    expect((await s.post('/v1/predict', { ...TINY_RECORD, launched_at: '2018-05-25 11:51:47' })).status).toBe(200);
    const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, launched_at: '25/05/2018' }));
    expect(e.message).toContain('field "launched_at" expected an ISO 8601 date');
    const e2 = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, launched_at: '2021-02-30' }));
    expect(e2.message).toContain('not a real date');
  });

  it('booleans are JSON booleans', async () => {
    const e = await rejected(await s.post('/v1/predict', { ...TINY_RECORD, staff_pick: 'yes' }));
    expect(e.problems![0].column).toBe('staff_pick');
  });

  it('batch problems carry the record index; every problem is listed', async () => {
    const e = await rejected(
      await s.post('/v1/predict', { records: [TINY_RECORD, { ...TINY_RECORD, goal: null, country: 'FR' }] }),
    );
    expect(e.problems!.map((p) => [p.row, p.column])).toEqual(
      expect.arrayContaining([
        [1, 'goal'],
        [1, 'country'],
      ]),
    );
    expect(e.message).toContain('record 1');
  });

  it('batch size limits', async () => {
    const e = await rejected(await s.post('/v1/predict', { records: Array(6).fill(TINY_RECORD) }));
    expect(e.message).toContain('at most 5');
    expect((await s.post('/v1/predict', { records: [] })).status).toBe(400);
    expect((await s.post('/v1/predict', { records: 'x' })).status).toBe(400);
  });

  it('body that is not an object', async () => {
    for (const body of ['[]', '5', '"x"', 'null', 'true', '[{"goal":1}]'])
      expect((await s.post('/v1/predict', body)).status).toBe(400);
  });

  it('prototype poisoning', async () => {
    expect((await s.post('/v1/predict', '{"__proto__": {"x": 1}, "goal": 1}')).status).toBe(400);
  });
});

describe('transport errors', () => {
  it('malformed JSON -> 400', async () => {
    const e = await rejected(await s.post('/v1/predict', '{"goal": 1'));
    expect(e.code).toBe('MALFORMED_JSON');
  });

  it('empty JSON body -> 400', async () => {
    expect((await s.post('/v1/predict', '')).status).toBe(400);
  });

  it('wrong content type -> 415', async () => {
    const r = await fetch(s.url + '/v1/predict', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(TINY_RECORD),
    });
    const e = await rejected(r, 415);
    expect(e.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(e.message).toContain('application/json');
  });

  it('oversized body -> 413', async () => {
    const e = await rejected(await s.post('/v1/predict', { records: Array(100).fill(TINY_RECORD) }), 413);
    expect(e.code).toBe('BODY_TOO_LARGE');
  });

  it('unknown route -> 404 JSON', async () => {
    expect((await s.get('/nope')).status).toBe(404);
  });
});
