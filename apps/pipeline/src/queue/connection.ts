import { ConfigError } from '@campaign-ml/core';
import type { ConnectionOptions } from 'bullmq';

/** The queues a coordinator and its workers share, under one BullMQ prefix. */
export const FOLDS_QUEUE = 'folds';
export const SCORE_QUEUE = 'score';
export const DEFAULT_PREFIX = 'campaign-ml';

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
