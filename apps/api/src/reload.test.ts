import * as http from 'node:http';
import { promises as fs } from 'node:fs';
import { writeBundle, writeFileAtomic } from '@campaign-ml/bundle/node';
import { bundleFromTable, tinyTable, TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, tinyBundle, type TestServer } from './test-support/test-server';

const second = bundleFromTable(tinyTable(300, 99), 'state', { id: 'test-bundle-2', nEstimators: 10 });

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RELOAD_INTERVAL_MS: '50' });
});
afterAll(async () => {
  await s.stop();
});

async function bundleId(): Promise<string> {
  return (await (await s.get('/v1/model')).json()).bundleId;
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('hot reload', () => {
  it('swaps in a new bundle written by atomic rename, with no failed request during the swap', async () => {
    let stop = false;
    const statuses: number[] = [];
    const ids = new Set<string>();
    const hammer = async (): Promise<void> => {
      while (!stop) {
        const r = await s.post('/v1/predict', TINY_RECORD);
        statuses.push(r.status);
        ids.add((await r.json()).bundleId);
      }
    };
    const workers = Array.from({ length: 8 }, hammer);
    await new Promise((r) => setTimeout(r, 100));
    await writeBundle(s.modelPath, second);
    await until(async () => (await bundleId()) === 'test-bundle-2');
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.every((x) => x === 200)).toBe(true);
    expect([...ids].sort()).toEqual(['test-bundle-1', 'test-bundle-2']);
    expect((await s.get('/readyz')).status).toBe(200);
  });

  it('refuses a broken bundle and keeps serving the old one', async () => {
    await writeFileAtomic(
      s.modelPath,
      JSON.stringify({ ...second, id: 'broken', model: { name: 'x', fitted: { kind: 'nope', version: 1 } } }),
    );
    const result = await s.app.registry.reload('test');
    expect(result.ok).toBe(false);
    expect(result.error).toContain('model.fitted');
    expect(await bundleId()).toBe('test-bundle-2');
    expect((await s.post('/v1/predict', TINY_RECORD)).status).toBe(200);
    await writeFileAtomic(s.modelPath, '{ not json');
    expect((await s.app.registry.reload('test')).ok).toBe(false);
    await fs.rm(s.modelPath);
    expect((await s.app.registry.reload('test')).ok).toBe(false);
    expect((await s.post('/v1/predict', TINY_RECORD)).status).toBe(200);
    const metrics = await (await s.get('/metrics')).text();
    expect(metrics).toMatch(/model_reloads_total\{result="refused"\} [3-9]/);
  });

  it('reloads on request (what SIGHUP triggers)', async () => {
    await writeBundle(s.modelPath, tinyBundle());
    const r = await s.app.registry.reload('SIGHUP');
    expect(r).toMatchObject({ ok: true, bundleId: 'test-bundle-1' });
    expect(await bundleId()).toBe('test-bundle-1');
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight when shutdown begins, then refuses new connections', async () => {
    const t = await startTestServer();
    const body = JSON.stringify({ records: Array(20).fill(TINY_RECORD) });
    const { port } = new URL(t.url);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/predict',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 100));
      setTimeout(() => {
        void t.close(); // shutdown starts while the body is still arriving
        setTimeout(() => req.end(body.slice(100)), 50);
      }, 50);
    });
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).predictions).toHaveLength(20);
    await t.close();
    await expect(fetch(t.url + '/healthz')).rejects.toThrow();
    await t.stop();
  });
});
