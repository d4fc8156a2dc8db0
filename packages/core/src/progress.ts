import { AbortError } from './errors';

/** A progress report: `done` of `total` units of work in `stage` (e.g. "boosting", "fold 2"). */
export interface ProgressEvent {
  stage: string;
  done: number;
  total: number;
}

export type ProgressCallback = (p: ProgressEvent) => void;

/** Options every long-running operation accepts. */
export interface RunOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/** Throw an AbortError when the signal has fired. Call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    throw reason instanceof AbortError ? reason : new AbortError(reason instanceof Error ? reason.message : undefined);
  }
}

/**
 * A reporter that calls onProgress at most every `every` units (and always at the end), and
 * checks the abort signal on each tick, so hot loops pay one comparison per unit.
 */
export function progressReporter(stage: string, total: number, opts: RunOptions = {}, every = 1) {
  let last = -Infinity;
  return (done: number): void => {
    throwIfAborted(opts.signal);
    if (opts.onProgress && (done - last >= every || done >= total)) {
      last = done;
      opts.onProgress({ stage, done, total });
    }
  };
}
