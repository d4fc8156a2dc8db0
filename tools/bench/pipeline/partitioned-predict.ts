/**
 * Partitioned batch scoring, per-worker throughput: `predict` in one process against
 * `predict --partitions P` (parts in turn, no queue) and `predict --partitions P --queue` with 1
 * and 2 local `pipeline worker` processes, on the embedded
 * Kickstarter sample repeated to `rows` rows, with a logistic bundle trained on the sample. Prints
 * wall time, rows/s and the ratio to the single process, and checks the predictions are
 * byte-identical. deploy's projection to more machines starts from the rows/s of one worker.
 *
 *   npx tsx tools/bench/pipeline/partitioned-predict.ts [rows=200000] [partitions=8] [redis://127.0.0.1:6379]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';

const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'apps/pipeline/src/main.ts');
const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const partitions = Number(args.filter((a) => /^\d+$/.test(a))[1] ?? 8);
const url = args.find((a) => a.startsWith('redis')) ?? 'redis://127.0.0.1:6379';
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-partitioned-'));
const prefix = `bench-${randomBytes(4).toString('hex')}`;

function cli(argv: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', main, ...argv], {
    cwd: root,
    env: { ...process.env, CAMPAIGN_ML_WORKERS: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (performance.now() - t0) / 1000;
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
  const sample = readFileSync(path.join(root, 'data/kickstarter-sample.csv'), 'utf8').trimEnd().split('\n');
  const [header, ...body] = sample;
  const lines = [header];
  for (let i = 0; i < rows; i++) lines.push(body[i % body.length]);
  const input = path.join(dir, 'input.csv');
  writeFileSync(input, `${lines.join('\n')}\n`);
  const run = path.join(dir, 'runs');
  cli(['train', '--models', 'logistic', '--trials', '0', '--no-ensemble', '--no-tracking', '--out', run, '-q']);
  const bundle = path.join(run, 'latest', 'bundle.json');
  const score = (name: string, extra: string[]) => {
    const out = path.join(dir, name, 'predictions.csv');
    const seconds = cli([
      'predict',
      '--bundle',
      bundle,
      '--data',
      input,
      '--out',
      out,
      '--rejects',
      path.join(dir, name, 'rejects.csv'),
      '-q',
      ...extra,
    ]);
    return { seconds, predictions: readFileSync(out, 'utf8') };
  };
  const line = (what: string, s: number, ref: number) =>
    console.log(
      `${what.padEnd(34)} ${s.toFixed(1).padStart(6)} s  ${Math.round(rows / s)
        .toLocaleString('en-US')
        .padStart(8)} rows/s  ${(s / ref).toFixed(2)}x`,
    );
  const workers: ChildProcess[] = [];
  try {
    const local = score('local', []);
    line('one process, unpartitioned', local.seconds, local.seconds);
    // The parts one after another in this process: what partitioning itself costs (the plan's
    // scan for row starts, and each part reading the header and its own bytes, see apps/pipeline/README.md).
    const here = score('here', ['--partitions', String(partitions)]);
    line(`${partitions} parts here in turn, no queue`, here.seconds, local.seconds);
    const queue = ['--partitions', String(partitions), '--queue', url, '--queue-prefix', prefix];
    workers.push(await startWorker());
    const one = score('one', queue);
    line(`queue, ${partitions} parts, 1 worker`, one.seconds, local.seconds);
    workers.push(await startWorker());
    const two = score('two', queue);
    line(`queue, ${partitions} parts, 2 workers`, two.seconds, local.seconds);
    console.log(
      `identical predictions: here ${here.predictions === local.predictions}, 1 worker ${one.predictions === local.predictions}, 2 workers ${two.predictions === local.predictions}`,
    );
    console.log(
      `${rows.toLocaleString('en-US')} rows; cores ${os.availableParallelism()}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    const u = new URL(url);
    const q = new Queue('score', { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}
main_().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
