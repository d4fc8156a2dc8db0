import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createRng, type Rng } from '@campaign-ml/core';
import { TINY_RECORD } from './test-support/make-bundle';
import { startTestServer, type TestServer } from './test-support/test-server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ MAX_BATCH: '20', BODY_LIMIT: '64kb' });
});
afterAll(async () => {
  await s.stop();
});

const WEIRD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -0,
  '',
  'NaN',
  'Infinity',
  '5k',
  '2021-02-30',
  '9999-99-99',
  'US\u0000',
  '\ud800',
  [],
  {},
  [1, 2],
  { a: 1 },
  'x'.repeat(300),
];
/** Values no field of the tiny bundle accepts. */
const WRONG: unknown[] = [
  '',
  'NaN',
  'Infinity',
  '5k',
  'US\u0000',
  '\ud800',
  '9999-99-99',
  [],
  {},
  [1, 2],
  { a: 1 },
  'x'.repeat(300),
];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.random() * xs.length)];
}

/** A random malformed body: broken JSON text, a wrong shape, or a record with a corrupted field. */
function malformed(rng: Rng): string {
  const valid = JSON.stringify(TINY_RECORD);
  switch (Math.floor(rng.random() * 8)) {
    case 0: // truncated JSON
      return valid.slice(0, Math.floor(rng.random() * (valid.length - 1)));
    case 1: {
      // a byte flipped into a structural character
      const i = Math.floor(rng.random() * valid.length);
      const c = pick(
        rng,
        ['{', '}', '[', ']', ',', ':', '"', '\\', 'N'].filter((x) => x !== valid[i]),
      );
      return valid.slice(0, i) + c + valid.slice(i + 1);
    }
    case 2: // a field set to a value of the wrong kind
      return JSON.stringify({ ...TINY_RECORD, [pick(rng, Object.keys(TINY_RECORD))]: pick(rng, WRONG) });
    case 3: {
      // a field removed, plus an extra one
      const rec: Record<string, unknown> = { ...TINY_RECORD };
      delete rec[pick(rng, Object.keys(TINY_RECORD))];
      if (rng.random() < 0.5) rec[`extra${Math.floor(rng.random() * 9)}`] = 1;
      return JSON.stringify(rec);
    }
    case 4: // a batch with one bad record or too many
      return JSON.stringify({
        records:
          rng.random() < 0.5
            ? [TINY_RECORD, { ...TINY_RECORD, goal: pick(rng, ['x', null, true, {}]) }]
            : Array(21).fill(TINY_RECORD),
      });
    case 5: // not a record at all
      return JSON.stringify(pick(rng, WEIRD)) ?? 'null';
    case 6: // random bytes
      return Array.from({ length: 1 + Math.floor(rng.random() * 40) }, () =>
        String.fromCharCode(Math.floor(rng.random() * 128)),
      ).join('');
    default: // a v2-like body sent to v1 or a nested poison
      return pick(rng, [
        '{"inputs":[]}',
        '{"__proto__":{"goal":1}}',
        '{"constructor":{"prototype":{}}}',
        '{"records":[[]]}',
        '{"records":{}}',
      ]);
  }
}

describe('fuzz', () => {
  it('10,000 malformed bodies: only 4xx, the server stays up, heap roughly flat', async () => {
    const rng = createRng(2024);
    // A real collection before each heap reading (jest does not run node with --expose-gc).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const send = async (n: number, counts: Map<number, number>): Promise<void> => {
      const bodies = Array.from({ length: n }, () => malformed(rng));
      const concurrency = 16;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const route = rng.random() < 0.85 ? '/v1/predict' : '/v2/models/campaign/infer';
          const r = await s.post(route, body);
          await r.arrayBuffer();
          counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    };
    const counts = new Map<number, number>();
    await send(1000, counts); // warm up
    gc();
    const before = process.memoryUsage().heapUsed;
    await send(9000, counts);
    gc();
    const after = process.memoryUsage().heapUsed;
    const statuses = [...counts.keys()];
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(10000);
    expect(statuses.every((x) => x >= 400 && x < 500)).toBe(true);
    expect((await s.get('/healthz')).status).toBe(200);
    expect((await s.post('/v1/predict', TINY_RECORD)).status).toBe(200);
    // Server and client (fetch) share this heap: 9,000 requests may leave a few MB, not a leak's worth.
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  }, 240_000);
});
