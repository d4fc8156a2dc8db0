import { ConfigError } from '@campaign-ml/core';
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** The queues a coordinator and its workers share, under one BullMQ prefix. */
export const FOLDS_QUEUE = 'folds';
export const SCORE_QUEUE = 'score';
export const DEFAULT_PREFIX = 'campaign-ml';
/**
 * The pub/sub channel on which a coordinator names running fold jobs it no longer needs (a pruned or
 * failed trial): the worker running one cancels it (see startQueueWorkers).
 */
export const cancelChannel = (prefix: string) => `${prefix}:cancel-folds`;

/** redis://[user:password@]host[:port][/db] → ioredis options BullMQ connects with. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(
      'INVALID_OPTION',
      `--queue must be a redis:// URL such as redis://127.0.0.1:6379, got "${url}"`,
      {
        column: '--queue',
        value: url,
        expected: 'redis://host:port',
      },
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ConfigError('INVALID_OPTION', `--queue must be a redis:// or rediss:// URL, got "${url}"`, {
      column: '--queue',
      value: url,
      expected: 'redis://host:port',
    });
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new ConfigError('INVALID_OPTION', `--queue: "${u.pathname.slice(1)}" is not a Redis database number`, {
      column: '--queue',
      value: url,
    });
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; they must not give up on a slow reply.
    maxRetriesPerRequest: null,
  };
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Connect once, without retries, and PING: an unreachable Redis is an error that says so at once,
 * instead of BullMQ retrying forever.
 */
export async function checkRedis(url: string): Promise<void> {
  const client = new Redis({
    ...(redisConnection(url) as RedisOptions),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: NodeJS.ErrnoException | undefined;
  client.on('error', (e: NodeJS.ErrnoException) => {
    lastError = e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    const err = lastError ?? (e as NodeJS.ErrnoException);
    const reason = err.code ?? err.message;
    throw new ConfigError(
      'QUEUE_UNREACHABLE',
      `Redis at ${safeUrl(url)} is unreachable (${reason}): start it, or fix --queue`,
      {
        column: '--queue',
        value: safeUrl(url),
      },
    );
  } finally {
    client.disconnect();
  }
}
