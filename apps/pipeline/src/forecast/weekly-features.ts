import type { ColumnTable } from 'arquero';
import { ConfigError, InputError } from '@campaign-ml/core';
import {
  addHorizonTargets,
  addLags,
  addRollingMeans,
  dropAllMissingInputs,
  resamplePanel,
  type PanelAggregate,
} from '@campaign-ml/features';
import { addLastObserved } from './last-observed';

/** How the daily panel becomes the weekly feature table. */
export interface WeeklyFeatureSpec {
  entity: string;
  time: string;
  /** The column to forecast (e.g. engagement); its weekly value `h` weeks ahead is the label. */
  target: string;
  /** Horizons in days, multiples of 7 (7, 14, 21, 28 = 1..4 weeks ahead). */
  horizons: readonly number[];
  /** Lags 1..lags (weeks) of every weekly column. */
  lags: number;
  /** Rolling-mean windows in weeks (current week included). */
  rolling: readonly number[];
  /** Per-column weekly aggregate; default: `last` for level columns (followers...), `sum` otherwise. */
  aggregate?: Readonly<Record<string, PanelAggregate>>;
}

export interface HorizonTarget {
  days: number;
  weeks: number;
  /** The label column, `<target>_ahead_<weeks>`. */
  column: string;
}

export interface WeeklyFeatures {
  /** One row per entity and week (stamped with the week's Sunday), inputs and horizon labels. */
  table: ColumnTable;
  /** Columns known at the end of each row's week: the model inputs. */
  inputs: string[];
  /** The column holding the last observed weekly target value (the naive forecast). */
  lastValue: string;
  targets: HorizonTarget[];
  aggregate: Record<string, PanelAggregate>;
  /** Weekly rows before rows without any input were dropped. */
  weeklyRows: number;
}

/** Column names that hold a level (a stock such as a follower count): a week keeps its last value. */
export const LEVEL_NAME = /follow|subscri|fans|members|total|cumul|balance|level/i;

/** The default weekly aggregate for each numeric column other than entity and time. */
export function defaultAggregate(table: ColumnTable, entity: string, time: string): Record<string, PanelAggregate> {
  const out: Record<string, PanelAggregate> = {};
  for (const name of table.columnNames()) {
    if (name === entity || name === time) continue;
    const v = table.array(name) as ArrayLike<unknown>;
    let numeric = false;
    let other = false;
    for (let i = 0; i < v.length && !other; i++) {
      const x = v[i];
      if (typeof x === 'number') numeric = true;
      else if (x !== null && x !== undefined) other = true;
    }
    if (numeric && !other) out[name] = LEVEL_NAME.test(name) ? 'last' : 'sum';
  }
  return out;
}

/** Horizons in days -> weeks; every horizon must be a whole number of weeks. */
export function horizonWeeks(horizons: readonly number[]): number[] {
  return horizons.map((days, i) => {
    if (!Number.isInteger(days) || days < 7 || days % 7 !== 0) {
      throw new ConfigError(
        'INVALID_HORIZON',
        `timeseries.horizons[${i}] is ${days} days; the forecast is weekly, so use multiples of 7 (7, 14, 21, 28)`,
        {
          column: `timeseries.horizons[${i}]`,
          value: days,
          expected: 'a multiple of 7 days',
        },
      );
    }
    return days / 7;
  });
}

/**
 * The forecast's feature builder. A sparse daily per-entity panel becomes one row per entity and
 * week (Monday-Sunday UTC, stamped with the Sunday): weekly sums (last value for levels such as
 * followers) and the number of observed days; then, per entity and by time (not by row), lags
 * 1..k and rolling means of every weekly column, the last observed target value and the weeks
 * since it, and the labels `<target>_ahead_<w>` (never inputs). Every input at week t is computed
 * from days up to the end of week t only; rows without any input are dropped.
 */
export function buildWeeklyFeatures(daily: ColumnTable, spec: WeeklyFeatureSpec): WeeklyFeatures {
  const weeks = horizonWeeks(spec.horizons);
  const aggregate = { ...(spec.aggregate ?? defaultAggregate(daily, spec.entity, spec.time)) };
  if (!(spec.target in aggregate)) {
    throw new InputError(
      'NON_NUMERIC_TARGET',
      `the forecast target "${spec.target}" is not a numeric column of the daily panel`,
      {
        column: spec.target,
        expected: 'a numeric column',
      },
    );
  }
  const panel = { entity: spec.entity, time: spec.time, step: 'week' as const };
  const weekly = resamplePanel(daily, {
    entity: spec.entity,
    time: spec.time,
    aggregate,
    to: 'week',
    countColumn: 'observed_days',
  });
  const current = [...Object.keys(aggregate), 'observed_days'];
  let t = addLags(weekly, { ...panel, columns: current, lags: spec.lags });
  if (spec.rolling.length) t = addRollingMeans(t, { ...panel, columns: current, windows: spec.rolling });
  const last = addLastObserved(t, { ...panel, column: spec.target });
  t = last.table;
  t = addHorizonTargets(t, { ...panel, column: spec.target, horizons: weeks });
  const targets = weeks.map((w, i) => ({ days: spec.horizons[i], weeks: w, column: `${spec.target}_ahead_${w}` }));
  const labels = new Set(targets.map((x) => x.column));
  const inputs = t.columnNames().filter((c) => c !== spec.entity && c !== spec.time && !labels.has(c));
  const weeklyRows = t.numRows();
  // Counts (observed days, weeks since) are never missing; a row needs at least one observed value.
  const values = inputs.filter((c) => !c.startsWith('observed_days') && c !== last.weeksSinceColumn);
  t = dropAllMissingInputs(t, { columns: values });
  return { table: t, inputs, lastValue: last.valueColumn, targets, aggregate, weeklyRows };
}
