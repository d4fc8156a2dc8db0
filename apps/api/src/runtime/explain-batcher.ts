import type { ColumnTable } from 'arquero';
import type { Bundle } from '@campaign-ml/bundle';
import type { ExplainedRecords, ExplainRecordsOptions } from '@campaign-ml/explain';
import type { ComputeLane } from './compute-lane';

type Explain = (bundle: Bundle, table: ColumnTable, options: ExplainRecordsOptions) => ExplainedRecords;

interface Waiting {
  bundle: Bundle;
  /** The options as JSON: only requests with the same options share a call. */
  key: string;
  options: ExplainRecordsOptions;
  table: ColumnTable;
  done: boolean;
  resolve: (e: ExplainedRecords) => void;
  reject: (e: unknown) => void;
}

/** Explainers that draw one random stream over all the rows of a call (their values depend on the batch). */
const SAMPLING = /permutation|kernel/;

/**
 * Explanation requests waiting in the compute lane, explained together: when a request's turn
 * comes, the requests queued behind it for the same bundle and options join its call (one table,
 * one pipeline transform, one pass of each explainer), up to `maxRows` rows. Under concurrent load
 * this takes the fixed cost of a call (transforms, per-call set-up of every member) once per batch
 * instead of once per request; a lone request runs as before.
 *
 * Only for explainers whose values for a row do not depend on the other rows of the call: exact
 * TreeSHAP, linear SHAP, DeepSHAP and weighted ensembles of them. The sampling explainers
 * (permutation, Kernel SHAP) draw one seeded stream over the rows, so a record's values would
 * depend on its neighbours: a bundle's first explanation tells which kind it has, and a bundle
 * explained by sampling (or not yet explained) is explained one request at a time. If a joint call
 * throws, each request is explained alone, so one bad request never fails the others.
 */
export class ExplainBatcher {
  private waiting: Waiting[] = [];
  private readonly rowIndependent = new WeakMap<Bundle, boolean>();

  constructor(
    private readonly lane: ComputeLane,
    private readonly explain: Explain,
    private readonly maxRows = 256,
  ) {}

  /** Explain `table` with `bundle` in the lane, with the requests waiting behind it when it can. */
  run(bundle: Bundle, table: ColumnTable, options: ExplainRecordsOptions): Promise<ExplainedRecords> {
    return new Promise<ExplainedRecords>((resolve, reject) => {
      const w: Waiting = { bundle, key: JSON.stringify(options), options, table, done: false, resolve, reject };
      this.waiting.push(w);
      void this.lane.run(() => this.turn(w));
    });
  }

  /** Explanations computed for requests that had waited (counts the requests, for tests and metrics). */
  joined = 0;

  private turn(head: Waiting): void {
    if (head.done) return;
    const group = [head];
    if (this.rowIndependent.get(head.bundle)) {
      let rows = head.table.numRows();
      for (const w of this.waiting) {
        if (w === head || w.done || w.bundle !== head.bundle || w.key !== head.key) continue;
        if (rows + w.table.numRows() > this.maxRows) break;
        group.push(w);
        rows += w.table.numRows();
      }
    }
    for (const w of group) w.done = true;
    this.waiting = this.waiting.filter((w) => !w.done);
    if (group.length === 1) {
      this.alone(head);
      return;
    }
    let all: ExplainedRecords;
    try {
      all = this.explain(head.bundle, head.table.concat(...group.slice(1).map((w) => w.table)), head.options);
    } catch {
      for (const w of group) this.alone(w);
      return;
    }
    this.joined += group.length - 1;
    let from = 0;
    for (const w of group) {
      const n = w.table.numRows();
      w.resolve(slice(all, from, n));
      from += n;
    }
  }

  private alone(w: Waiting): void {
    try {
      const why = this.explain(w.bundle, w.table, w.options);
      if (!this.rowIndependent.has(w.bundle)) this.rowIndependent.set(w.bundle, !SAMPLING.test(why.method));
      w.resolve(why);
    } catch (e) {
      w.reject(e);
    }
  }
}

/** Rows [from, from + n) of a joint explanation, as if explained alone. */
function slice(e: ExplainedRecords, from: number, n: number): ExplainedRecords {
  const C = e.columns.length;
  return {
    ...e,
    rows: n,
    values: e.values.slice(from * C, (from + n) * C),
    baseValues: e.baseValues.slice(from, from + n),
    predictions: e.predictions.slice(from, from + n),
    records: e.records.slice(from, from + n),
  };
}
