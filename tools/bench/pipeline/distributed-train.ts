/**
 * A Kickstarter `train` on the embedded sample in one process against the same run coordinated
 * over Redis (`train --queue`) with 1 and 2 local `pipeline worker` processes: wall time of each,
 * the ratio to the single process, and a check that the metrics are identical.
 *
 *   npx tsx tools/bench/pipeline/distributed-train.ts [redis://127.0.0.1:6379] [-- extra train flags]
 *
 * Default flags: --models logistic,gradientBoosting --trials 8 --trial-batch 4 --no-ensemble.
 * The single process uses CAMPAIGN_ML_WORKERS=1 (no fold threads), so the comparison is one core
 * against one or two worker processes; on a 2-core machine the coordinator shares the cores.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';

const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'apps/pipeline/src/main.ts');
const url = process.argv[2]?.startsWith('redis') ? process.argv[2] : 'redis://127.0.0.1:6379';
const dash = process.argv.indexOf('--');
const flags =
  dash > 0
    ? process.argv.slice(dash + 1)
    : ['--models', 'logistic,gradientBoosting', '--trials', '8', '--trial-batch', '4', '--no-ensemble'];
const out = mkdtempSync(path.join(os.tmpdir(), 'bench-distributed-'));
const prefix = `bench-${randomBytes(4).toString('hex')}`;

function train(extra: string[]): { seconds: number; metrics: unknown } {
  const t0 = performance.now();
  const stdout = execFileSync(
    process.execPath,
    ['--import', 'tsx', main, 'train', ...flags, '--out', out, '--no-tracking', '--json', ...extra],
    { cwd: root, env: { ...process.env, CAMPAIGN_ML_WORKERS: '1' }, maxBuffer: 256 << 20 },
  ).toString();
  const { metrics } = JSON.parse(stdout) as { metrics: Record<string, unknown> };
  return { seconds: (performance.now() - t0) / 1000, metrics: comparable(metrics) };
}

/** The metrics without timings (fit times, trial durations, stage times). */
function comparable(m: unknown): unknown {
  return JSON.parse(JSON.stringify(m), (k, v) => (/(Ms|durationMs|seconds)$/.test(k) ? undefined : v));
}

function startWorker(): Promise<ChildProcess> {
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', main, 'worker', '--queue', url, '--queue-prefix', prefix, '-q'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve) => p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(p)));
}

async function main_() {
  const workers: ChildProcess[] = [];
  try {
    const local = train([]);
    console.log(`single process:        ${local.seconds.toFixed(1)} s`);
    const queue = ['--queue', url, '--queue-prefix', prefix];
    workers.push(await startWorker());
    const one = train(queue);
    console.log(`queue, 1 worker:       ${one.seconds.toFixed(1)} s (${(one.seconds / local.seconds).toFixed(2)}x)`);
    workers.push(await startWorker());
    const two = train(queue);
    console.log(`queue, 2 workers:      ${two.seconds.toFixed(1)} s (${(two.seconds / local.seconds).toFixed(2)}x)`);
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    console.log(
      `identical metrics:     1 worker ${same(one.metrics, local.metrics)}, 2 workers ${same(two.metrics, local.metrics)}`,
    );
    console.log(
      `cores ${os.availableParallelism()}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    rmSync(out, { recursive: true, force: true });
    // The fold jobs this bench left in Redis (kept an hour for inspection otherwise).
    const u = new URL(url);
    const q = new Queue('folds', { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}
main_().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
