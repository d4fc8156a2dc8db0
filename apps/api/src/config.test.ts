import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@campaign-ml/core';
import { readConfig } from './config';

describe('readConfig', () => {
  it('applies defaults', () => {
    const c = readConfig({ MODEL_PATH: '/models/bundle.json' });
    expect(c).toMatchObject({
      modelPath: '/models/bundle.json',
      port: 8080,
      host: '0.0.0.0',
      apiKeys: [],
      maxBatch: 1000,
      corsOrigins: [],
      logLevel: 'info',
      bodyLimit: 4 * 1024 * 1024,
      unknownCategories: 'reject',
      modelName: 'campaign',
      workers: 1,
    });
  });

  it('reads API_WORKERS: a count, or auto = one per core', () => {
    expect(readConfig({ MODEL_PATH: 'b.json', API_WORKERS: '3' }).workers).toBe(3);
    expect(readConfig({ MODEL_PATH: 'b.json', API_WORKERS: 'auto' }).workers).toBe(os.availableParallelism());
    expect(() => readConfig({ MODEL_PATH: 'b.json', API_WORKERS: '0' })).toThrow(/API_WORKERS/);
    expect(() => readConfig({ MODEL_PATH: 'b.json', API_WORKERS: 'many' })).toThrow(/API_WORKERS/);
  });

  it('parses every setting', () => {
    const c = readConfig({
      MODEL_PATH: 'b.json',
      PORT: '9000',
      HOST: '127.0.0.1',
      API_KEYS: 'a, b,,',
      MAX_BATCH: '50',
      CORS_ORIGINS: '*',
      LOG_LEVEL: 'WARN',
      BODY_LIMIT: '2mb',
      UNKNOWN_CATEGORIES: 'unseen',
      MODEL_NAME: 'ks',
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      apiKeys: ['a', 'b'],
      maxBatch: 50,
      corsOrigins: ['*'],
      logLevel: 'warn',
      bodyLimit: 2 * 1024 * 1024,
      unknownCategories: 'unseen',
      modelName: 'ks',
    });
  });

  it('reports every problem at once, naming the variable', () => {
    let err: unknown;
    try {
      readConfig({ PORT: '80a', MAX_BATCH: '0', UNKNOWN_CATEGORIES: 'maybe', LOG_LEVEL: 'loud', BODY_LIMIT: 'big' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['MODEL_PATH', 'PORT', 'MAX_BATCH', 'UNKNOWN_CATEGORIES', 'LOG_LEVEL', 'BODY_LIMIT'])
      expect(msg).toContain(name);
  });
});

describe('main', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'main.ts')], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('exits 1 with a clear message when the bundle is missing or invalid', () => {
    const missing = run({ MODEL_PATH: '/nonexistent/bundle.json' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('BUNDLE_NOT_FOUND');
    expect(missing.stderr).toContain('/nonexistent/bundle.json');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-api-main-'));
    fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify({ format: 'something-else' }));
    const invalid = run({ MODEL_PATH: path.join(dir, 'bundle.json') });
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('not a campaign-ml bundle');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('exits 1 naming bad settings', () => {
    const r = run({ MODEL_PATH: '', PORT: 'x' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('MODEL_PATH');
    expect(r.stderr).toContain('PORT');
  }, 30_000);
});
