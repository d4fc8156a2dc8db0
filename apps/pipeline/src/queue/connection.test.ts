import { checkRedis, redisConnection, safeUrl } from './connection';

describe('--queue URLs', () => {
  it('reads host, port, credentials and database from a redis:// URL', () => {
    expect(redisConnection('redis://me:s%40cret@cache.local:6380/2')).toMatchObject({
      host: 'cache.local',
      port: 6380,
      username: 'me',
      password: 's@cret',
      db: 2,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(safeUrl('redis://me:secret@h:1/0')).toBe('redis://me:***@h:1/0');
  });

  it('names the flag and what is expected for anything else', () => {
    expect(() => redisConnection('127.0.0.1:6379')).toThrow(
      /--queue must be a redis:\/\/ URL such as redis:\/\/127.0.0.1:6379/,
    );
    expect(() => redisConnection('http://h')).toThrow(/--queue must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => redisConnection('redis://h/x')).toThrow(/"x" is not a Redis database number/);
  });

  it('an unreachable Redis is an error at once, with the reason', async () => {
    await expect(checkRedis('redis://127.0.0.1:1')).rejects.toThrow(
      /Redis at redis:\/\/127.0.0.1:1 is unreachable \(ECONNREFUSED\): start it, or fix --queue/,
    );
  });
});
