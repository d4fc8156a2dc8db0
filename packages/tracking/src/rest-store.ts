import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CampaignMlError } from '@campaign-ml/core';
import { checkKey, metricValue, paramValue } from './keys';
import type { Run, RunStatus, StartRunOptions, Tracker } from './tracker';

/** An error answered by an MLflow tracking server (or the network on the way to it). */
export class TrackingServerError extends CampaignMlError {}

/**
 * A client for an MLflow tracking server's REST API 2.0 (used when MLFLOW_TRACKING_URI is an
 * http(s) URL). Artifacts go through the server's mlflow-artifacts proxy
 * (`mlflow server --serve-artifacts`, the default since MLflow 2.0).
 */
export class RestStore implements Tracker {
  readonly uri: string;

  constructor(
    uri: string,
    private readonly options: { token?: string; fetch?: typeof fetch } = {},
  ) {
    this.uri = uri.replace(/\/+$/, '');
  }

  async call<T>(method: 'GET' | 'POST', endpoint: string, body?: Record<string, unknown>): Promise<T> {
    const url = new URL(`${this.uri}/api/2.0/mlflow/${endpoint}`);
    if (method === 'GET' && body) for (const [k, v] of Object.entries(body)) url.searchParams.set(k, String(v));
    const res = await this.request(url, {
      method,
      headers: this.headers({ 'content-type': 'application/json' }),
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) {
      const code = typeof json.error_code === 'string' ? json.error_code : `HTTP_${res.status}`;
      throw new TrackingServerError(
        code,
        `MLflow server ${url.pathname} answered ${res.status}: ${String(json.message ?? text)}`,
      );
    }
    return json as T;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const token = this.options.token ?? process.env.MLFLOW_TRACKING_TOKEN;
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  }

  private async request(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await (this.options.fetch ?? fetch)(url, init);
    } catch (e) {
      throw new TrackingServerError(
        'UNREACHABLE',
        `cannot reach the MLflow server at ${this.uri}: ${(e as Error).message}`,
      );
    }
  }

  async getOrCreateExperiment(name: string): Promise<string> {
    try {
      const found = await this.call<{ experiment: { experiment_id: string } }>('GET', 'experiments/get-by-name', {
        experiment_name: name,
      });
      return found.experiment.experiment_id;
    } catch (e) {
      if (!(e instanceof TrackingServerError) || e.code !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    }
    const created = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name });
    return created.experiment_id;
  }

  async startRun(options: StartRunOptions = {}): Promise<Run> {
    const experimentId = await this.getOrCreateExperiment(options.experiment ?? 'Default');
    const tags = { 'mlflow.source.type': 'LOCAL', ...options.tags };
    const res = await this.call<{ run: { info: { run_id: string; artifact_uri: string } } }>('POST', 'runs/create', {
      experiment_id: experimentId,
      start_time: options.startTime ?? Date.now(),
      run_name: options.runName,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    return new RestRun(this, res.run.info.run_id, experimentId, res.run.info.artifact_uri);
  }

  /** Upload through the server's artifact proxy. */
  async putArtifact(experimentId: string, runId: string, relPath: string, content: Uint8Array): Promise<void> {
    const url = new URL(
      `${this.uri}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${relPath.split('/').map(encodeURIComponent).join('/')}`,
    );
    const res = await this.request(url, {
      method: 'PUT',
      headers: this.headers({ 'content-type': 'application/octet-stream' }),
      body: content,
    });
    if (!res.ok)
      throw new TrackingServerError(
        `HTTP_${res.status}`,
        `MLflow artifact upload of ${relPath} answered ${res.status}: ${await res.text()}`,
      );
  }
}

class RestRun implements Run {
  constructor(
    private readonly store: RestStore,
    readonly runId: string,
    readonly experimentId: string,
    readonly artifactUri: string,
  ) {}

  async logParam(key: string, value: unknown): Promise<void> {
    await this.store.call('POST', 'runs/log-parameter', {
      run_id: this.runId,
      key: checkKey('param', key),
      value: paramValue(key, value),
    });
  }

  async logParams(params: Record<string, unknown>): Promise<void> {
    const list = Object.entries(params).map(([key, value]) => ({
      key: checkKey('param', key),
      value: paramValue(key, value),
    }));
    // log-batch accepts at most 100 params per call.
    for (let i = 0; i < list.length; i += 100) {
      await this.store.call('POST', 'runs/log-batch', { run_id: this.runId, params: list.slice(i, i + 100) });
    }
  }

  async logMetric(key: string, value: number, step = 0, timestamp = Date.now()): Promise<void> {
    await this.store.call('POST', 'runs/log-metric', {
      run_id: this.runId,
      key: checkKey('metric', key),
      value: metricValue(key, value),
      timestamp: Math.round(timestamp),
      step: Math.round(step),
    });
  }

  async logMetrics(metrics: Record<string, number>, step = 0): Promise<void> {
    const timestamp = Date.now();
    const list = Object.entries(metrics).map(([key, value]) => ({
      key: checkKey('metric', key),
      value: metricValue(key, value),
      timestamp,
      step,
    }));
    for (let i = 0; i < list.length; i += 1000) {
      await this.store.call('POST', 'runs/log-batch', { run_id: this.runId, metrics: list.slice(i, i + 1000) });
    }
  }

  async setTag(key: string, value: string): Promise<void> {
    await this.store.call('POST', 'runs/set-tag', {
      run_id: this.runId,
      key: checkKey('tag', key),
      value: String(value),
    });
  }

  async logArtifact(source: string | { name: string; content: string | Uint8Array }, artifactPath = ''): Promise<void> {
    const name = typeof source === 'string' ? path.basename(source) : source.name;
    const content =
      typeof source === 'string'
        ? new Uint8Array(await fs.readFile(source))
        : typeof source.content === 'string'
          ? new TextEncoder().encode(source.content)
          : source.content;
    await this.store.putArtifact(this.experimentId, this.runId, path.posix.join(artifactPath, name), content);
  }

  async end(status: RunStatus = 'FINISHED', endTime = Date.now()): Promise<void> {
    await this.store.call('POST', 'runs/update', { run_id: this.runId, status, end_time: endTime });
  }
}
