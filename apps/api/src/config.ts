import * as os from 'node:os';
import { ConfigError, type Problem } from '@campaign-ml/core';

export type UnknownCategoryPolicy = 'reject' | 'unseen';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The service configuration, read and validated once at start. */
export interface ApiConfig {
  /** Bundle file to serve (MODEL_PATH, required). */
  modelPath: string;
  port: number;
  host: string;
  /** When non-empty, requests need `x-api-key: <key>` or `Authorization: Bearer <key>`. */
  apiKeys: readonly string[];
  /** Most records in one /v1/predict or /v2 infer request. */
  maxBatch: number;
  /** Rows of the bundle's background sample /v1/explain uses (interventional and agnostic methods). */
  explainBackgroundRows: number;
  /** Allowed CORS origins; empty = CORS off; ['*'] = any origin. */
  corsOrigins: readonly string[];
  logLevel: LogLevel;
  /** Largest request body in bytes (bigger ones get 413). */
  bodyLimit: number;
  unknownCategories: UnknownCategoryPolicy;
  /** Model name in the Open Inference Protocol routes (/v2/models/{name}). */
  modelName: string;
  /** How often MODEL_PATH is checked for a new bundle (ms); 0 turns watching off. */
  reloadIntervalMs: number;
  /** How long shutdown waits for in-flight requests before exiting (ms). */
  shutdownTimeoutMs: number;
  /** Rows of the live drift window (GET /v1/drift, drift gauges); 0 turns it off. */
  driftWindow: number;
  /** Sub-windows the drift window is split into; the oldest is dropped as a new one starts. */
  driftBuckets: number;
  /** Rows the drift window needs before it reports (before that: status "collecting"). */
  driftMinRows: number;
  /** Server processes (API_WORKERS): 1 = one process; more = node:cluster workers sharing the port. */
  workers: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Environment variables and what each accepts (for messages and the README). */
export const ENV_HELP: Record<string, string> = {
  MODEL_PATH: 'path of the bundle JSON to serve (required)',
  PORT: 'TCP port, 0-65535 (default 8080)',
  HOST: 'interface to listen on (default 0.0.0.0)',
  API_KEYS: 'comma-separated keys; when set every non-health route needs one (default: no auth)',
  MAX_BATCH: 'most records per request, >= 1 (default 1000)',
  EXPLAIN_BACKGROUND_ROWS:
    "rows of the bundle's background sample /v1/explain uses, 1..1000 (default 100: all of a trained bundle's)",
  CORS_ORIGINS: 'comma-separated allowed origins, or * (default: CORS off)',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')} (default info)`,
  BODY_LIMIT: 'largest request body in bytes, or with a kb/mb suffix (default 4mb)',
  UNKNOWN_CATEGORIES: 'reject (400) or unseen (scored as an unknown category) (default reject)',
  MODEL_NAME: 'model name in /v2/models/{name} (default campaign)',
  RELOAD_INTERVAL_MS: 'how often MODEL_PATH is polled for a new bundle, 0 = off (default 1000)',
  SHUTDOWN_TIMEOUT_MS: 'how long shutdown waits for in-flight requests (default 10000)',
  DRIFT_WINDOW: 'rows of the live drift window, 0 = off, else >= DRIFT_BUCKETS (default 10000)',
  DRIFT_BUCKETS: 'sub-windows of the drift window, 1-1000 (default 10)',
  DRIFT_MIN_ROWS: 'rows the drift window needs before it reports, >= 1 (default 500)',
  API_WORKERS: 'server processes sharing the port, 1-256, or auto = one per core (default 1)',
};

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseBytes(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb)?$/i.exec(v.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.floor(Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1));
}

/**
 * Read the configuration from environment variables. Every problem is collected and reported in
 * one ConfigError (`problems` in its message), so a bad deployment fails at start, not later.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const problems: Problem[] = [];
  const bad = (name: string, value: unknown): void => {
    problems.push({
      code: 'INVALID_ENV',
      column: name,
      value,
      expected: ENV_HELP[name],
      message: `${name}=${JSON.stringify(value)} is invalid: expected ${ENV_HELP[name]}`,
    });
  };
  const int = (name: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    const n = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || n < min || n > max) {
      bad(name, raw);
      return def;
    }
    return n;
  };
  const modelPath = (env.MODEL_PATH ?? '').trim();
  if (!modelPath)
    problems.push({
      code: 'MISSING_ENV',
      column: 'MODEL_PATH',
      expected: ENV_HELP.MODEL_PATH,
      message: 'MODEL_PATH is not set: point it at the bundle.json written by `nx run pipeline:train`',
    });
  const port = int('PORT', 8080, 0, 65535);
  const maxBatch = int('MAX_BATCH', 1000, 1, 1_000_000);
  const reloadIntervalMs = int('RELOAD_INTERVAL_MS', 1000, 0);
  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 10_000, 0);
  const explainBackgroundRows = int('EXPLAIN_BACKGROUND_ROWS', 100, 1, 1000);
  const driftWindow = int('DRIFT_WINDOW', 10_000, 0, 100_000_000);
  const driftBuckets = int('DRIFT_BUCKETS', 10, 1, 1000);
  const driftMinRows = int('DRIFT_MIN_ROWS', 500, 1);
  if (driftWindow > 0 && driftWindow < driftBuckets) bad('DRIFT_WINDOW', env.DRIFT_WINDOW);
  const workers =
    (env.API_WORKERS ?? '').trim().toLowerCase() === 'auto' ? os.availableParallelism() : int('API_WORKERS', 1, 1, 256);
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) bad('LOG_LEVEL', env.LOG_LEVEL);
  const unknownCategories = (env.UNKNOWN_CATEGORIES ?? 'reject').trim().toLowerCase() as UnknownCategoryPolicy;
  if (unknownCategories !== 'reject' && unknownCategories !== 'unseen')
    bad('UNKNOWN_CATEGORIES', env.UNKNOWN_CATEGORIES);
  let bodyLimit = 4 * 1024 * 1024;
  if (env.BODY_LIMIT !== undefined && env.BODY_LIMIT.trim() !== '') {
    const b = parseBytes(env.BODY_LIMIT);
    if (b === undefined || b < 1) bad('BODY_LIMIT', env.BODY_LIMIT);
    else bodyLimit = b;
  }
  const modelName = (env.MODEL_NAME ?? 'campaign').trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(modelName)) bad('MODEL_NAME', env.MODEL_NAME);
  const corsOrigins = list(env.CORS_ORIGINS);
  for (const o of corsOrigins) if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) bad('CORS_ORIGINS', o);
  if (problems.length) {
    throw new ConfigError(
      'INVALID_CONFIG',
      `Invalid configuration: ${problems.map((p) => p.message).join('; ')}`,
      problems[0],
    );
  }
  return Object.freeze({
    modelPath,
    port,
    host: (env.HOST ?? '').trim() || '0.0.0.0',
    apiKeys: Object.freeze(list(env.API_KEYS)),
    maxBatch,
    explainBackgroundRows,
    corsOrigins: Object.freeze(corsOrigins),
    logLevel,
    bodyLimit,
    unknownCategories,
    modelName,
    reloadIntervalMs,
    shutdownTimeoutMs,
    driftWindow,
    driftBuckets,
    driftMinRows,
    workers,
  });
}
