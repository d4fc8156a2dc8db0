import { execFileSync } from 'node:child_process';

/** For tests: CAMPAIGN_ML_PG_URL points them at another server; otherwise the house test server. */
export const POSTGRES_CANDIDATES = process.env.CAMPAIGN_ML_PG_URL
  ? [process.env.CAMPAIGN_ML_PG_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

/**
 * For tests: the first reachable server, found before the tests are collected (jest cannot pick
 * describe vs describe.skip asynchronously) by trying each URL in a short-lived child process.
 */
export function findPostgresServer(): { url?: string; error: string } {
  const script = `
    const { Client } = require('pg');
    (async () => {
      const errors = [];
      for (const url of ${JSON.stringify(POSTGRES_CANDIDATES)}) {
        const c = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
        try { await c.connect(); await c.end(); process.stdout.write(JSON.stringify({ url })); return; }
        catch (e) { errors.push(url + ': ' + e.message); }
      }
      process.stdout.write(JSON.stringify({ error: errors.join('; ') }));
    })();`;
  try {
    const out = execFileSync(process.execPath, ['-e', script], { cwd: __dirname, timeout: 15000, encoding: 'utf8' });
    const parsed = JSON.parse(out) as { url?: string; error?: string };
    return { url: parsed.url, error: parsed.error ?? '' };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * describe() with the server's URL when PostgreSQL answers; skipped when it does not, except in CI,
 * where an unreachable server is a failing test that says which URLs were tried.
 */
export function describeWithPostgres(name: string, body: (url: string) => void): void {
  const server = findPostgresServer();
  if (server.url) {
    describe(name, () => body(server.url as string));
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it('needs a reachable PostgreSQL server in CI', () => {
        throw new Error(
          `PostgreSQL is unreachable (tried ${POSTGRES_CANDIDATES.join(', ')}): ${server.error}. Start the server or fix its URL.`,
        );
      });
    });
    return;
  }
  describe.skip(name, () => body(''));
}
