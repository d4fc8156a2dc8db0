import type { TopLevelSpec } from 'vega-lite';

/**
 * Charts for report.html, rendered to inline SVG by Vega-Lite at build time: the report opens
 * offline, with no script at all.
 */

type Row = Record<string, string | number>;

const base = {
  width: 300,
  height: 240,
  background: 'white',
  config: { font: 'system-ui, sans-serif', view: { stroke: '#ddd' } },
} as const;

// Vega is ESM-only with top-level await, so it is loaded with a dynamic import (once).
let libs: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vl] = await libs;
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Lines per series (ROC, PR, learning curves). `diagonal` adds the chance line for ROC. */
export function lineChart(opts: {
  title: string;
  rows: Row[];
  x: string;
  y: string;
  series?: string;
  xTitle?: string;
  yTitle?: string;
  diagonal?: boolean;
  domain?: [number, number];
}): TopLevelSpec {
  const scale = opts.domain ? { domain: opts.domain } : { zero: false };
  const lines = {
    mark: { type: 'line', interpolate: 'linear', strokeWidth: 2 },
    encoding: {
      x: { field: opts.x, type: 'quantitative', title: opts.xTitle ?? opts.x, scale },
      y: { field: opts.y, type: 'quantitative', title: opts.yTitle ?? opts.y, scale },
      ...(opts.series ? { color: { field: opts.series, type: 'nominal', title: null } } : {}),
      order: { field: '_order', type: 'quantitative' },
    },
  };
  const layers: unknown[] = [lines];
  if (opts.diagonal) {
    layers.unshift({
      data: {
        values: [
          { [opts.x]: 0, [opts.y]: 0 },
          { [opts.x]: 1, [opts.y]: 1 },
        ],
      },
      mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
      encoding: { x: { field: opts.x, type: 'quantitative' }, y: { field: opts.y, type: 'quantitative' } },
    });
  }
  return {
    ...base,
    title: opts.title,
    data: { values: opts.rows.map((r, i) => ({ ...r, _order: i })) },
    layer: layers,
  } as TopLevelSpec;
}

/** Horizontal bars, largest first (feature importance). */
export function barChart(opts: {
  title: string;
  rows: Row[];
  label: string;
  value: string;
  valueTitle?: string;
}): TopLevelSpec {
  return {
    ...base,
    height: Math.max(120, 16 * opts.rows.length),
    title: opts.title,
    data: { values: opts.rows },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: opts.label, type: 'nominal', sort: '-x', title: null },
      x: { field: opts.value, type: 'quantitative', title: opts.valueTitle ?? opts.value },
    },
  } as TopLevelSpec;
}

/** Confusion matrix as a heat map with counts. */
export function heatmap(opts: {
  title: string;
  rows: Array<{ actual: string; predicted: string; count: number }>;
}): TopLevelSpec {
  return {
    ...base,
    width: 240,
    height: 240,
    title: opts.title,
    data: { values: opts.rows },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted' },
      y: { field: 'actual', type: 'nominal', title: 'actual' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, legend: null } },
      },
      { mark: { type: 'text', fontSize: 13 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Calibration (reliability) diagram: mean predicted vs observed frequency per bin. */
export function calibrationChart(rows: Row[]): TopLevelSpec {
  return lineChart({
    title: 'Calibration',
    rows,
    x: 'predicted',
    y: 'observed',
    series: 'model',
    diagonal: true,
    domain: [0, 1],
    xTitle: 'mean predicted probability',
    yTitle: 'fraction positive',
  });
}

/** Points per fold and model with the mean as a tick (CV spread). */
export function foldSpreadChart(opts: {
  title: string;
  rows: Array<{ model: string; fold: number; score: number }>;
  metric: string;
}): TopLevelSpec {
  return {
    ...base,
    title: opts.title,
    data: { values: opts.rows },
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.7 },
        encoding: {
          y: { field: 'model', type: 'nominal', title: null },
          x: { field: 'score', type: 'quantitative', title: opts.metric, scale: { zero: false } },
          color: { field: 'model', type: 'nominal', legend: null },
        },
      },
      {
        mark: { type: 'tick', color: 'black', thickness: 2 },
        encoding: {
          y: { field: 'model', type: 'nominal' },
          x: { aggregate: 'mean', field: 'score', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * SHAP summary (beeswarm): one row per column (largest mean |SHAP| on top), one point per record at
 * its SHAP value, jittered vertically, coloured by the record's value of that column (rank: low
 * blue, high red; grey for categories and missing values).
 */
export function beeswarmChart(opts: {
  title: string;
  rows: Array<{ column: string; shap: number; rank: number; jitter: number }>;
  order: string[];
  xTitle: string;
}): TopLevelSpec {
  return {
    ...base,
    width: 420,
    height: { step: 26 },
    title: opts.title,
    data: { values: opts.rows },
    mark: { type: 'circle', size: 14, opacity: 0.7 },
    encoding: {
      y: { field: 'column', type: 'nominal', sort: opts.order, title: null },
      yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-0.6, 0.6] } },
      x: { field: 'shap', type: 'quantitative', title: opts.xTitle },
      color: {
        field: 'rank',
        type: 'quantitative',
        scale: { domain: [0, 1], range: ['#1f77e0', '#c0c0c0', '#e0233a'] },
        title: 'value (rank)',
      },
    },
  } as TopLevelSpec;
}

/** SHAP dependence: a column's value (x) against its SHAP value (y), one point per record. */
export function dependenceChart(opts: {
  title: string;
  rows: Array<{ value: number | string; shap: number }>;
  numeric: boolean;
  column: string;
  yTitle: string;
}): TopLevelSpec {
  return {
    ...base,
    title: opts.title,
    data: { values: opts.rows },
    mark: { type: 'circle', size: 18, opacity: 0.6, color: '#4c78a8' },
    encoding: {
      x: {
        field: 'value',
        type: opts.numeric ? 'quantitative' : 'nominal',
        title: opts.column,
        // A nominal axis is a point scale, where "zero" means nothing (Vega-Lite warns on stderr).
        ...(opts.numeric ? { scale: { zero: false } } : {}),
      },
      y: { field: 'shap', type: 'quantitative', title: opts.yTitle },
    },
  } as TopLevelSpec;
}
