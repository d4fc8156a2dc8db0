import type { Prediction } from '@campaign-ml/bundle';
import type { RawRecord } from './model-runtime';

interface Pending {
  records: readonly RawRecord[];
  resolve: (p: Prediction[]) => void;
  reject: (e: unknown) => void;
}

export interface BatcherOptions {
  /** Requests with at least this many records are scored at once, not coalesced. Default 64. */
  directFrom?: number;
  /** Most records scored in one coalesced call. Default 2048. */
  maxRows?: number;
}

/**
 * Coalesces the small prediction requests that arrive in the same event-loop turn into one call
 * of `score` (one table, one pipeline transform, one model pass), then hands each request its
 * slice. Scoring a table has a fixed cost far above the per-row cost, so under concurrent load
 * this multiplies throughput; a lone request waits for nothing but the end of the current turn
 * (setImmediate). If a coalesced call throws, each request is scored on its own, so one bad
 * request never fails the others.
 */
export class PredictionBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly directFrom: number;
  private readonly maxRows: number;
  private readonly flushBound: () => void;

  constructor(
    private readonly score: (records: readonly RawRecord[]) => Prediction[],
    options: BatcherOptions = {},
  ) {
    this.directFrom = options.directFrom ?? 64;
    this.maxRows = options.maxRows ?? 2048;
    this.flushBound = () => this.flush();
  }

  predict(records: readonly RawRecord[]): Promise<Prediction[]> {
    if (records.length >= this.directFrom) {
      try {
        return Promise.resolve(this.score(records));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<Prediction[]>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushBound);
      }
    });
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    this.scheduled = false;
    let start = 0;
    while (start < queue.length) {
      let end = start;
      let rows = 0;
      while (end < queue.length && (end === start || rows + queue[end].records.length <= this.maxRows))
        rows += queue[end++].records.length;
      this.run(queue, start, end, rows);
      start = end;
    }
  }

  private run(queue: Pending[], start: number, end: number, rows: number): void {
    if (end - start === 1) {
      this.one(queue[start]);
      return;
    }
    const all: RawRecord[] = new Array(rows);
    let k = 0;
    for (let i = start; i < end; i++) for (const r of queue[i].records) all[k++] = r;
    let out: Prediction[];
    try {
      out = this.score(all);
    } catch {
      for (let i = start; i < end; i++) this.one(queue[i]);
      return;
    }
    k = 0;
    for (let i = start; i < end; i++) {
      const n = queue[i].records.length;
      queue[i].resolve(out.slice(k, k + n));
      k += n;
    }
  }

  private one(p: Pending): void {
    try {
      p.resolve(this.score(p.records));
    } catch (e) {
      p.reject(e);
    }
  }
}
