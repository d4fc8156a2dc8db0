import type { ColumnTable } from 'arquero';
import { detectLeakage, type LeakageFinding } from '@campaign-ml/features';
import type { PipelineConfig } from '../config';
import type { Progress } from '../progress';
import type { PreparedTarget } from './read-data';

export interface LeakageCheck {
  /** Columns that give the outcome away or, as warnings, separate only a rare class (those the config keeps left out). */
  findings: LeakageFinding[];
  /** Columns no recipe reads: the findings (with `leakage.action: drop`) and the configured drops. */
  drop: string[];
}

/** The leakage stage: columns that would not be known when a prediction is made, reported and dropped. */
export function checkLeakage(
  table: ColumnTable,
  y: PreparedTarget,
  cfg: PipelineConfig,
  progress: Progress,
): LeakageCheck {
  const keep = new Set(cfg.leakage.keep);
  const options = { target: cfg.target, task: y.task, positive: y.positiveValue, timeColumn: cfg.leakage.timeColumn };
  const findings = detectLeakage(table, options).filter((f) => !keep.has(f.column));
  const dropping = cfg.leakage.action === 'drop';
  // A warning (a rare class's evidence only, e.g. the newest rows still "live") is reported, never dropped.
  const flagged = dropping ? findings.filter((f) => f.severity === 'leak').map((f) => f.column) : [];
  const drop = [...new Set([...flagged, ...cfg.leakage.drop, ...cfg.features.drop])];
  for (const f of findings) {
    const action = f.severity === 'warning' ? ' (reported, kept)' : dropping ? ' (dropped)' : '';
    progress.info(`leakage: ${f.column} — ${f.reason}${action}`);
  }
  return { findings, drop };
}
