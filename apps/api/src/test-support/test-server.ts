import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BundleDocument } from '@campaign-ml/bundle';
import { writeBundle } from '@campaign-ml/bundle/node';
import { readConfig } from '../config';
import { startServer, type RunningServer } from '../server';
import { bundleFromTable, tinyTable } from './make-bundle';

let cached: BundleDocument | undefined;

/** The tiny synthetic bundle (built once per test file). */
export function tinyBundle(): BundleDocument {
  cached ??= bundleFromTable(tinyTable(), 'state');
  return cached;
}

/** A fetch Response whose JSON the tests read loosely. */
export interface JsonResponse extends Response {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): Promise<any>;
}

export interface TestServer extends RunningServer {
  dir: string;
  modelPath: string;
  post(route: string, body: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  get(route: string, headers?: Record<string, string>): Promise<JsonResponse>;
  stop(): Promise<void>;
}

/** Write a bundle to a temp folder and start the real server on a random loopback port. */
export async function startTestServer(
  env: Record<string, string> = {},
  doc: BundleDocument = tinyBundle(),
): Promise<TestServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'campaign-api-'));
  const modelPath = path.join(dir, 'bundle.json');
  await writeBundle(modelPath, doc);
  const config = readConfig({
    MODEL_PATH: modelPath,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RELOAD_INTERVAL_MS: '0',
    ...env,
  });
  const server = await startServer(config, { logger: false, defaultMetrics: false });
  return {
    ...server,
    dir,
    modelPath,
    post: (route, body, headers = {}) =>
      fetch(server.url + route, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (route, headers = {}) => fetch(server.url + route, { headers }),
    stop: async () => {
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
