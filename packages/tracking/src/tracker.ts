/** Run statuses as MLflow numbers them in its file store. */
export const RUN_STATUS = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } as const;
export type RunStatus = keyof typeof RUN_STATUS;

export interface StartRunOptions {
  /** Experiment name; created when it does not exist. Default "Default". */
  experiment?: string;
  runName?: string;
  tags?: Record<string, string>;
  startTime?: number;
}

/** One run being tracked. Every method writes through at once, so a crash keeps what was logged. */
export interface Run {
  readonly runId: string;
  readonly experimentId: string;
  /** Where artifacts go (file URI for the file store). */
  readonly artifactUri: string;
  logParam(key: string, value: unknown): Promise<void>;
  logParams(params: Record<string, unknown>): Promise<void>;
  logMetric(key: string, value: number, step?: number, timestamp?: number): Promise<void>;
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  setTag(key: string, value: string): Promise<void>;
  /** Copy a file (or write bytes/text) under artifacts/, at `artifactPath` (a relative name). */
  logArtifact(source: string | { name: string; content: string | Uint8Array }, artifactPath?: string): Promise<void>;
  end(status?: RunStatus, endTime?: number): Promise<void>;
}

export interface Tracker {
  readonly uri: string;
  getOrCreateExperiment(name: string): Promise<string>;
  startRun(options?: StartRunOptions): Promise<Run>;
}
