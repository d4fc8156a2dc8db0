import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBundle } from '@campaign-ml/bundle/node';
import { TINY_RECORD } from './test-support/make-bundle';
import { tinyBundle } from './test-support/test-server';

/** A free loopback port (cluster workers share the port the primary binds). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** One request on a fresh connection (so the primary hands it to the next worker). */
function request(
  port: number,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: route,
        method,
        agent: false,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${route}: no answer in 5 s`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function until<T>(check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      /* not answering yet */
    }
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The worker pids seen over `n` fresh connections. */
async function pids(port: number, n = 16): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = await request(port, 'GET', '/healthz');
    if (r.status === 200) seen.add(r.json.pid as number);
    if (process.env.DEBUG_CLUSTER) process.stderr.write(`${r.status} ${JSON.stringify(r.json)}\n`);
  }
  return seen;
}

describe('API_WORKERS (node:cluster)', () => {
  let dir: string;
  let child: ChildProcess;
  let port: number;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'campaign-api-cluster-'));
    const modelPath = path.join(dir, 'bundle.json');
    await writeBundle(modelPath, tinyBundle());
    port = await freePort();
    child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'main.ts')], {
      env: {
        ...process.env,
        MODEL_PATH: modelPath,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        API_WORKERS: '2',
        RELOAD_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'ignore', process.env.DEBUG_CLUSTER ? 'inherit' : 'pipe'],
    });
    child.stderr?.resume();
    exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves from two worker processes, replaces a killed one, and shuts down gracefully', async () => {
    const first = await until(async () => {
      const seen = await pids(port);
      return seen.size === 2 ? seen : undefined;
    }, 60_000);
    expect(first.has(child.pid!)).toBe(false);

    const predictions = await Promise.all(
      Array.from({ length: 8 }, () => request(port, 'POST', '/v1/predict', TINY_RECORD)),
    );
    for (const p of predictions) {
      expect(p.status).toBe(200);
      expect(p.json.bundleId).toBe('test-bundle-1');
    }
    const health = await request(port, 'GET', '/healthz');
    expect(health.json).toMatchObject({ status: 'ok' });
    expect(health.json.worker).toBeGreaterThan(0);

    const [victim] = [...first];
    process.kill(victim, 'SIGKILL');
    const after = await until(async () => {
      const seen = await pids(port);
      return seen.size === 2 && !seen.has(victim) ? seen : undefined;
    }, 60_000);
    expect([...after].filter((p) => first.has(p))).toHaveLength(1);
    expect((await request(port, 'POST', '/v1/predict', TINY_RECORD)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const p of after) expect(() => process.kill(p, 0)).toThrow();
  }, 120_000);
});
