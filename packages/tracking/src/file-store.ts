import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '@campaign-ml/core';
import { checkKey, metricValue, paramValue } from './keys';
import { RUN_STATUS, type Run, type RunStatus, type StartRunOptions, type Tracker } from './tracker';

/**
 * Writes runs in MLflow's file-store layout so `mlflow ui --backend-store-uri <root>` opens them:
 *
 *   <root>/<experiment id>/meta.yaml
 *   <root>/<experiment id>/<run id>/meta.yaml
 *   <root>/<experiment id>/<run id>/{params,metrics,tags}/<key>   (metrics: "timestamp value step" lines)
 *   <root>/<experiment id>/<run id>/artifacts/...
 */
export class FileStore implements Tracker {
  readonly uri: string;

  constructor(readonly root: string = path.resolve('mlruns')) {
    this.root = path.resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    if (!name || typeof name !== 'string')
      throw new InputError('INVALID_EXPERIMENT', 'experiment name must be a non-empty string');
    await this.ensureDefaultExperiment();
    for (const exp of await this.listExperiments()) if (exp.name === name) return exp.experimentId;
    // MLflow 2.x file store ids: a large integer derived from a UUID; collisions are checked.
    let id: string;
    do id = BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 15)}`).toString();
    while (await exists(path.join(this.root, id)));
    await this.writeExperiment(id, name);
    return id;
  }

  async listExperiments(): Promise<{ experimentId: string; name: string }[]> {
    if (!(await exists(this.root))) return [];
    const out: { experimentId: string; name: string }[] = [];
    for (const entry of await fs.readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.trash') continue;
      const meta = await readMeta(path.join(this.root, entry.name, 'meta.yaml'));
      if (meta && meta.lifecycle_stage !== 'deleted')
        out.push({ experimentId: String(meta.experiment_id), name: String(meta.name) });
    }
    return out;
  }

  private async ensureDefaultExperiment(): Promise<void> {
    if (!(await exists(path.join(this.root, '0', 'meta.yaml')))) await this.writeExperiment('0', 'Default');
  }

  private async writeExperiment(id: string, name: string): Promise<void> {
    const dir = path.join(this.root, id);
    await fs.mkdir(path.join(dir, 'tags'), { recursive: true });
    const now = Date.now();
    await writeAtomic(
      path.join(dir, 'meta.yaml'),
      yamlDoc({
        artifact_location: pathToFileURL(dir).href,
        creation_time: now,
        experiment_id: id,
        last_update_time: now,
        lifecycle_stage: 'active',
        name,
      }),
    );
  }

  async startRun(options: StartRunOptions = {}): Promise<Run> {
    const experimentId = await this.getOrCreateExperiment(options.experiment ?? 'Default');
    const runId = randomUUID().replace(/-/g, '');
    const runDir = path.join(this.root, experimentId, runId);
    for (const sub of ['artifacts', 'metrics', 'params', 'tags'])
      await fs.mkdir(path.join(runDir, sub), { recursive: true });
    const runName = options.runName ?? `run-${runId.slice(0, 8)}`;
    const run = new FileRun(runDir, runId, experimentId, runName, options.startTime ?? Date.now());
    await run.writeMeta(RUN_STATUS.RUNNING, null);
    await run.setTags({
      'mlflow.runName': runName,
      'mlflow.user': userName(),
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.name': process.argv[1] ? path.basename(process.argv[1]) : 'campaign-ml',
      ...options.tags,
    });
    return run;
  }
}

class FileRun implements Run {
  readonly artifactUri: string;

  constructor(
    private readonly dir: string,
    readonly runId: string,
    readonly experimentId: string,
    private readonly runName: string,
    private readonly startTime: number,
  ) {
    this.artifactUri = pathToFileURL(path.join(dir, 'artifacts')).href;
  }

  async writeMeta(status: number, endTime: number | null): Promise<void> {
    await writeAtomic(
      path.join(this.dir, 'meta.yaml'),
      yamlDoc({
        artifact_uri: this.artifactUri,
        end_time: endTime,
        entry_point_name: '',
        experiment_id: this.experimentId,
        lifecycle_stage: 'active',
        run_id: this.runId,
        run_name: this.runName,
        run_uuid: this.runId,
        source_name: '',
        source_type: 4,
        source_version: '',
        start_time: this.startTime,
        status,
        tags: [],
        user_id: userName(),
      }),
    );
  }

  async logParam(key: string, value: unknown): Promise<void> {
    const file = path.join(this.dir, 'params', checkKey('param', key));
    const text = paramValue(key, value);
    const existing = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing !== text) {
      throw new InputError(
        'PARAM_CHANGED',
        `param "${key}" was already logged as ${JSON.stringify(existing)}; MLflow params cannot change within a run`,
        {
          column: key,
          value: text,
          expected: existing,
        },
      );
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  }

  async logParams(params: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(params)) await this.logParam(k, v);
  }

  async logMetric(key: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
    const file = path.join(this.dir, 'metrics', checkKey('metric', key));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.appendFile(
      file,
      `${Math.round(timestamp)} ${formatNumber(metricValue(key, value))} ${Math.round(step)}\n`,
    );
  }

  async logMetrics(metrics: Record<string, number>, step = 0): Promise<void> {
    const now = Date.now();
    for (const [k, v] of Object.entries(metrics)) await this.logMetric(k, v, step, now);
  }

  async setTag(key: string, value: string): Promise<void> {
    const file = path.join(this.dir, 'tags', checkKey('tag', key));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, String(value));
  }

  async setTags(tags: Record<string, string>): Promise<void> {
    for (const [k, v] of Object.entries(tags)) await this.setTag(k, v);
  }

  async logArtifact(source: string | { name: string; content: string | Uint8Array }, artifactPath = ''): Promise<void> {
    const base = path.join(this.dir, 'artifacts');
    const name = typeof source === 'string' ? path.basename(source) : source.name;
    const target = path.resolve(base, artifactPath, name);
    if (!target.startsWith(base + path.sep)) {
      throw new InputError(
        'INVALID_ARTIFACT_PATH',
        `artifact path ${JSON.stringify(path.join(artifactPath, name))} leaves the run's artifacts folder`,
      );
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    if (typeof source === 'string') await fs.copyFile(source, target);
    else await fs.writeFile(target, source.content);
  }

  async end(status: RunStatus = 'FINISHED', endTime = Date.now()): Promise<void> {
    await this.writeMeta(RUN_STATUS[status], endTime);
  }
}

/** MLflow writes metric values with Python's repr: integers as "1.0", NaN/inf as "nan"/"inf". */
function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/** The flat YAML MLflow writes for meta.yaml: sorted keys, strings single-quoted when needed. */
export function yamlDoc(fields: Record<string, string | number | null | never[]>): string {
  return Object.keys(fields)
    .sort()
    .map((k) => `${k}: ${yamlScalar(fields[k])}`)
    .join('\n')
    .concat('\n');
}

function yamlScalar(v: string | number | null | never[]): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'number') return String(v);
  if (v === '') return "''";
  const plain = /^[A-Za-z_/][\w\-./:]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v);
  return plain ? v : `'${v.replace(/'/g, "''")}'`;
}

/** Read a flat meta.yaml (as written by MLflow or by this store). */
export async function readMeta(file: string): Promise<Record<string, string | number | null> | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const out: Record<string, string | number | null> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2].trim();
    if (raw === 'null' || raw === '') out[m[1]] = null;
    else if (/^'.*'$/.test(raw)) out[m[1]] = raw.slice(1, -1).replace(/''/g, "'");
    else if (/^-?\d+(\.\d+)?$/.test(raw)) out[m[1]] = Number(raw);
    else out[m[1]] = raw;
  }
  return out;
}
