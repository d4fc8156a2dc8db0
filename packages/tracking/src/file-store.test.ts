import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore, readMeta } from './file-store';
import { createTracker } from './create-tracker';
import { RestStore } from './rest-store';

const fixture = path.join(__dirname, '__fixtures__', 'mlruns');

/** Every file under dir, relative, with run and experiment ids replaced by placeholders. */
async function tree(dir: string, ids: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name !== '.gitkeep' && e.name !== 'README.md') out.push(path.relative(dir, p));
    }
  }
  await walk(dir);
  return out.map((p) => Object.entries(ids).reduce((s, [id, name]) => s.split(id).join(name), p)).sort();
}

describe('FileStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mlruns-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function writeLikeFixture() {
    const store = new FileStore(root);
    const run = await store.startRun({ experiment: 'kickstarter', runName: 'gbdt-baseline' });
    await run.logParams({ learning_rate: 0.1, max_depth: 6 });
    await run.logMetric('roc_auc', 0.9012, 0);
    await run.logMetric('roc_auc', 0.9105, 1);
    await run.logMetric('f1', 0.83);
    await run.logArtifact({ name: 'metrics.json', content: '{"task":"binary"}' });
    await run.end();
    return run;
  }

  it('writes the same files as the MLflow fixture', async () => {
    const run = await writeLikeFixture();
    const ours = await tree(root, { [run.runId]: 'RUN', [run.experimentId]: 'EXP' });
    const theirs = await tree(fixture, { '5d2a0e3b9c1f4e7a8b6c4d2e1f0a9b8c': 'RUN', '412851392386041877': 'EXP' });
    expect(ours).toEqual(theirs);
  });

  it('writes meta.yaml with the same keys and value kinds as MLflow', async () => {
    const run = await writeLikeFixture();
    const expDir = path.join(root, run.experimentId);
    const fixRun = path.join(fixture, '412851392386041877', '5d2a0e3b9c1f4e7a8b6c4d2e1f0a9b8c');
    const ours = (await readMeta(path.join(expDir, run.runId, 'meta.yaml')))!;
    const theirs = (await readMeta(path.join(fixRun, 'meta.yaml')))!;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    for (const k of Object.keys(theirs)) expect([k, typeof ours[k]]).toEqual([k, typeof theirs[k]]);
    expect(ours).toMatchObject({
      status: 3,
      run_name: 'gbdt-baseline',
      experiment_id: run.experimentId,
      lifecycle_stage: 'active',
    });
    const ourExp = (await readMeta(path.join(expDir, 'meta.yaml')))!;
    const theirExp = (await readMeta(path.join(fixture, '412851392386041877', 'meta.yaml')))!;
    expect(Object.keys(ourExp).sort()).toEqual(Object.keys(theirExp).sort());
    expect(ourExp.name).toBe('kickstarter');
    expect((await readMeta(path.join(root, '0', 'meta.yaml')))!.name).toBe('Default');
  });

  it('writes metric history as "timestamp value step" lines and params as bare text', async () => {
    const run = await writeLikeFixture();
    const runDir = path.join(root, run.experimentId, run.runId);
    const lines = (await fs.readFile(path.join(runDir, 'metrics', 'roc_auc'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^\d{13} [0-9.]+ [01]$/);
    expect(lines[1].split(' ').slice(1)).toEqual(['0.9105', '1']);
    expect(await fs.readFile(path.join(runDir, 'params', 'max_depth'), 'utf8')).toBe('6');
    expect(await fs.readFile(path.join(runDir, 'tags', 'mlflow.runName'), 'utf8')).toBe('gbdt-baseline');
  });

  it('reuses an experiment by name and rejects bad keys, changed params and escaping artifacts', async () => {
    const store = new FileStore(root);
    const a = await store.getOrCreateExperiment('x');
    expect(await store.getOrCreateExperiment('x')).toBe(a);
    const run = await store.startRun({ experiment: 'x' });
    await expect(run.logParam('bad*key', 1)).rejects.toThrow(/not valid for MLflow/);
    await run.logParam('k', 1);
    await expect(run.logParam('k', 2)).rejects.toThrow(/cannot change within a run/);
    await expect(run.logMetric('m', NaN)).rejects.toThrow(/must be a number/);
    await expect(run.logArtifact({ name: 'x', content: '' }, '../..')).rejects.toThrow(
      /leaves the run's artifacts folder/,
    );
  });

  it('createTracker picks the store from the URI', () => {
    expect(createTracker(root)).toBeInstanceOf(FileStore);
    expect(createTracker(`file://${root}`)).toBeInstanceOf(FileStore);
    expect(createTracker('http://127.0.0.1:5000')).toBeInstanceOf(RestStore);
  });
});

describe('RestStore', () => {
  it('speaks the MLflow REST API 2.0 to a server', async () => {
    const calls: { method: string; url: string; body: unknown }[] = [];
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        calls.push({
          method: req.method!,
          url: req.url!,
          body: data && req.url!.includes('/mlflow/') ? JSON.parse(data) : data,
        });
        res.setHeader('content-type', 'application/json');
        if (req.url!.startsWith('/api/2.0/mlflow/experiments/get-by-name')) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' }));
        } else if (req.url === '/api/2.0/mlflow/experiments/create') res.end(JSON.stringify({ experiment_id: '7' }));
        else if (req.url === '/api/2.0/mlflow/runs/create')
          res.end(
            JSON.stringify({ run: { info: { run_id: 'r1', artifact_uri: 'mlflow-artifacts:/7/r1/artifacts' } } }),
          );
        else if (
          req.url === '/api/2.0/mlflow/runs/log-metric' &&
          (JSON.parse(data) as { key: string }).key === 'fail'
        ) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad metric' }));
        } else res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const store = new RestStore(`http://127.0.0.1:${port}/`);
      const run = await store.startRun({ experiment: 'kickstarter', runName: 'r' });
      await run.logParams({ depth: 6 });
      await run.logMetric('auc', 0.9, 2, 1000);
      await run.logArtifact({ name: 'a.txt', content: 'hi' }, 'reports');
      await run.end();
      await expect(run.logMetric('fail', 1)).rejects.toThrow(/answered 400: bad metric/);
      expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
        'GET /api/2.0/mlflow/experiments/get-by-name',
        'POST /api/2.0/mlflow/experiments/create',
        'POST /api/2.0/mlflow/runs/create',
        'POST /api/2.0/mlflow/runs/log-batch',
        'POST /api/2.0/mlflow/runs/log-metric',
        'PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/reports/a.txt',
        'POST /api/2.0/mlflow/runs/update',
        'POST /api/2.0/mlflow/runs/log-metric',
      ]);
      expect(calls[4].body).toEqual({ run_id: 'r1', key: 'auc', value: 0.9, timestamp: 1000, step: 2 });
      expect(calls[5].body).toBe('hi');
      expect(calls[6].body).toMatchObject({ run_id: 'r1', status: 'FINISHED' });
    } finally {
      server.close();
    }
  });

  it('reports an unreachable server clearly', async () => {
    const store = new RestStore('http://127.0.0.1:1');
    await expect(store.startRun()).rejects.toThrow(/cannot reach the MLflow server/);
  });
});
