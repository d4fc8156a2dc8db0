import * as path from 'node:path';
import { Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '@campaign-ml/core';
import { DEFAULT_PREFIX, FOLDS_QUEUE, SCORE_QUEUE, cancelChannel, checkRedis, redisConnection } from './connection';

export interface QueueWorkerOptions {
  url: string;
  prefix?: string;
  /** Jobs at once, each in its own child process (default 1: one per core is the most that helps). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is taken again after it (default 30 s). */
  lockMs?: number;
  /** How often this worker looks for stalled jobs of dead workers (default 30 s). */
  stalledMs?: number;
  /** A line per job event (active, completed, failed). */
  log?: (line: string) => void;
}

export interface QueueWorkers {
  close(): Promise<void>;
}

/**
 * `pipeline worker`: take fold fits and scoring parts from the queues until closed. Every job runs
 * in a sandboxed child process (fold-processor.ts); this process only talks to Redis and renews
 * the locks. A job whose worker dies is taken by another one once its lock expires (stalled; at
 * most twice), and a job that throws is retried as many times as its coordinator asked. A fold
 * the coordinator names on the cancel channel (its trial was pruned or failed) is cancelled if it
 * runs here: its child stops the fit and the job fails for good (no retry).
 */
export async function startQueueWorkers(o: QueueWorkerOptions): Promise<QueueWorkers> {
  const concurrency = o.concurrency ?? 1;
  for (const [name, v] of [
    ['--concurrency', concurrency],
    ['--lock-ms', o.lockMs ?? 30_000],
    ['--stalled-ms', o.stalledMs ?? 30_000],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new ConfigError('INVALID_OPTION', `${name} must be a positive integer, got ${v}`, {
        column: name,
        value: v,
      });
  await checkRedis(o.url);
  const ts = __filename.endsWith('.ts');
  const processor = path.join(__dirname, ts ? 'fold-processor.ts' : 'fold-processor.js');
  const common = {
    connection: redisConnection(o.url),
    prefix: o.prefix ?? DEFAULT_PREFIX,
    concurrency,
    lockDuration: o.lockMs ?? 30_000,
    stalledInterval: o.stalledMs ?? 30_000,
    maxStalledCount: 2,
    useWorkerThreads: false,
  };
  const log = o.log ?? (() => undefined);
  const workers = [FOLDS_QUEUE, SCORE_QUEUE].map((q) => {
    const w = new Worker(q, processor, common);
    w.on('active', (job: Job) => log(`active ${q} ${job.id}`));
    w.on('completed', (job: Job) => log(`completed ${q} ${job.id}`));
    w.on('failed', (job: Job | undefined, e: Error) => log(`failed ${q} ${job?.id}: ${e.message}`));
    w.on('error', (e) => log(`error ${q}: ${e.message}`));
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // A connection in subscriber mode can do nothing else: its own.
  const prefix = common.prefix;
  const subscriber = new Redis(redisConnection(o.url) as RedisOptions);
  subscriber.on('error', (e: Error) => log(`error cancel channel: ${e.message}`));
  subscriber.on('message', (_channel: string, message: string) => {
    let ids: unknown;
    try {
      ids = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    for (const id of ids)
      if (typeof id === 'string' && workers[0].cancelJob(id, 'its trial was abandoned (pruned or failed)'))
        log(`cancelled ${FOLDS_QUEUE} ${id}`);
  });
  await subscriber.subscribe(cancelChannel(prefix));
  return {
    close: async () => {
      subscriber.disconnect();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
