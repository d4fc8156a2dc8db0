import { TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ API_KEYS: 'k1, secret-2', CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(async () => {
  await s.stop();
});

describe('API keys', () => {
  it('refuses requests without a valid key', async () => {
    const r = await s.post('/v1/predict', TINY_RECORD);
    expect(r.status).toBe(401);
    expect((await r.json()).error.message).toContain('x-api-key');
    expect((await s.post('/v1/predict', TINY_RECORD, { 'x-api-key': 'k2' })).status).toBe(401);
    expect((await s.get('/metrics')).status).toBe(401);
  });

  it('accepts x-api-key and Authorization: Bearer', async () => {
    expect((await s.post('/v1/predict', TINY_RECORD, { 'x-api-key': 'k1' })).status).toBe(200);
    expect((await s.post('/v1/predict', TINY_RECORD, { authorization: 'Bearer secret-2' })).status).toBe(200);
  });

  it('keeps health probes open', async () => {
    expect((await s.get('/healthz')).status).toBe(200);
    expect((await s.get('/readyz')).status).toBe(200);
    expect((await s.get('/v2/health/ready')).status).toBe(200);
  });
});

describe('CORS', () => {
  it('allows the configured origin only', async () => {
    const ok = await fetch(s.url + '/healthz', { headers: { origin: 'https://app.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const no = await fetch(s.url + '/healthz', { headers: { origin: 'https://evil.example.com' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});
