import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { BinnedWindow, liveDriftReport, type LiveDriftReport } from '@campaign-ml/drift';
import type { ModelRuntime } from '../runtime/model-runtime';
import { predictionValues } from '../runtime/prediction-value';
import { sharedPlugin } from './shared-plugin';

/** The window's state: off, no reference in the bundle, not enough rows yet, or a report. */
export type LiveDriftStatus =
  | { status: 'off'; reason: string }
  | { status: 'unavailable'; bundleId: string; reason: string }
  | { status: 'collecting'; bundleId: string; minRows: number; window: LiveDriftReport['window'] }
  | ({ status: 'ready'; minRows: number } & LiveDriftReport);

export interface LiveDrift {
  /** The current report of the window, or why there is none. */
  report(): LiveDriftStatus;
  /** The window of the served bundle (undefined when off or the bundle keeps no reference). */
  readonly window: BinnedWindow | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    drift: LiveDrift;
  }
}

export interface DriftWindowOptions {
  /** Rows of the window; 0 turns it off. */
  rows: number;
  buckets: number;
  /** Rows needed before a report. */
  minRows: number;
}

interface State {
  runtime: ModelRuntime;
  window?: BinnedWindow;
  /** Why there is no window. */
  reason?: string;
}

/**
 * The live drift window: every record scored by /v1/predict and v2 infer is counted into the
 * served bundle's frozen bins (BinnedWindow: counts only, in a ring of buckets, so memory is fixed
 * whatever the traffic); GET /v1/drift and the drift gauges read liveDriftReport of it. A hot
 * reload starts a new, empty window for the new bundle; rows still being scored by the old one
 * are not counted.
 */
export const driftWindowPlugin = sharedPlugin<DriftWindowOptions>(
  'drift-window',
  async (app: FastifyInstance, opts) => {
    const start = (runtime: ModelRuntime): State => {
      if (opts.rows === 0) return { runtime, reason: 'the drift window is off (DRIFT_WINDOW=0)' };
      if (!runtime.bundle.document.reference)
        return {
          runtime,
          reason: `bundle "${runtime.id}" keeps no reference distributions to compare with; retrain it with a current pipeline`,
        };
      return { runtime, window: new BinnedWindow(runtime.bundle, { rows: opts.rows, buckets: opts.buckets }) };
    };
    let state = start(app.registry.current.runtime);

    app.registry.onReload((r) => {
      if (r.ok) state = start(app.registry.current.runtime);
    });
    app.registry.onScored((runtime, table, predictions) => {
      if (runtime !== state.runtime) {
        if (runtime !== app.registry.current.runtime) return; // scored by a bundle no longer served
        state = start(runtime);
      }
      state.window?.addTable(table, predictionValues(runtime.classes, predictions));
    });

    const report = (): LiveDriftStatus => {
      const { window, runtime } = state;
      if (!window) {
        return opts.rows === 0
          ? { status: 'off', reason: state.reason! }
          : { status: 'unavailable', bundleId: runtime.id, reason: state.reason! };
      }
      const counts = window.counts();
      if (counts.rows < opts.minRows) {
        return {
          status: 'collecting',
          bundleId: runtime.id,
          minRows: opts.minRows,
          window: { rows: counts.rows, seen: counts.seen, capacity: counts.capacity, buckets: counts.buckets },
        };
      }
      return { status: 'ready', minRows: opts.minRows, ...liveDriftReport(window, {}, counts) };
    };
    app.decorate('drift', {
      report,
      get window() {
        return state.window;
      },
    } satisfies LiveDrift);

    // Gauges, computed when Prometheus scrapes. Scores appear once the window has minRows rows.
    const registers = [app.metrics.registry];
    new Gauge({
      name: 'drift_window_rows',
      help: 'Rows in the live drift window',
      registers,
      collect() {
        this.set(state.window?.rows ?? 0);
      },
    });
    new Gauge({
      name: 'drift_score',
      help: 'PSI of each input column in the live drift window against the bundle reference (frozen bins)',
      labelNames: ['column'],
      registers,
      collect() {
        this.reset();
        const r = report();
        if (r.status !== 'ready') return;
        for (const c of r.columns) if (Number.isFinite(c.score)) this.set({ column: c.column }, c.score);
      },
    });
    new Gauge({
      name: 'prediction_drift_score',
      help: 'PSI of the predictions in the live drift window against the bundle reference (20 bins)',
      registers,
      collect() {
        this.reset();
        const r = report();
        if (r.status === 'ready' && r.prediction && Number.isFinite(r.prediction.score)) this.set(r.prediction.score);
      },
    });
    new Gauge({
      name: 'estimated_performance',
      help: 'Binary bundles: accuracy, precision, recall, F1 and ROC AUC of the live window estimated without labels (CBPE); trusted = 0 when the bundle failed its calibration check',
      labelNames: ['metric', 'trusted'],
      registers,
      collect() {
        this.reset();
        const r = report();
        const p = r.status === 'ready' ? r.performance : undefined;
        if (!p || p.status === 'not estimated') return;
        const trusted = p.status === 'estimated' ? '1' : '0';
        for (const [metric, v] of Object.entries(p.overall.estimated))
          if (Number.isFinite(v)) this.set({ metric, trusted }, v);
      },
    });
    new Gauge({
      name: 'estimated_performance_alert',
      help: 'Binary bundles: 1 when a metric estimated without labels (CBPE) left its bounds from the bundle test split',
      labelNames: ['metric'],
      registers,
      collect() {
        this.reset();
        const r = report();
        const p = r.status === 'ready' ? r.performance : undefined;
        if (!p || p.status === 'not estimated' || !p.overall.bounds) return;
        for (const metric of Object.keys(p.overall.bounds))
          this.set({ metric }, p.overall.alerts.includes(metric as never) ? 1 : 0);
      },
    });
  },
);
