import { ConfigError, expectKind, registerLoader } from '@campaign-ml/core';
import type { Serialized } from '@campaign-ml/core';
import { makeTable, newColumn } from '../pipeline/table-columns';
import type { FittedTableStep, Table, TableStep } from '../pipeline/table-step';
import { MS_PER_DAY, dateMillis } from './date-values';

/**
 * Calendar parts, all in UTC: weekday 0 = Monday .. 6 = Sunday; weekend 1 on Saturday/Sunday;
 * month 1..12; day of month; hour 0..23; year; dayOfYear 1..366; epochDays = days since 1970-01-01.
 */
export type DatePart = 'weekday' | 'weekend' | 'month' | 'day' | 'hour' | 'year' | 'dayOfYear' | 'epochDays';

const ALL_PARTS: readonly DatePart[] = ['weekday', 'weekend', 'month', 'day', 'hour', 'year', 'dayOfYear', 'epochDays'];
const PERIOD: Partial<Record<DatePart, number>> = { weekday: 7, month: 12, hour: 24, dayOfYear: 366 };

export interface DatePartsOptions {
  /** Default ['weekday', 'weekend', 'month', 'hour']. */
  parts?: readonly DatePart[];
  /** Also emit `column.part_sin` / `column.part_cos` for the periodic parts (weekday, month, hour, dayOfYear). */
  cyclic?: boolean;
  /** Keep the plain numeric parts when cyclic is on. Default true. */
  keepRaw?: boolean;
}

/** Calendar features of every date column: `launched_at.weekday`, `launched_at.month_sin`, ... Missing stays missing. */
export class DateParts implements TableStep<FittedDateParts> {
  readonly input = 'table';
  readonly params: Readonly<Required<DatePartsOptions>>;

  constructor(options: DatePartsOptions = {}) {
    const parts = options.parts ?? ['weekday', 'weekend', 'month', 'hour'];
    const bad = parts.find((p) => !ALL_PARTS.includes(p));
    if (bad)
      throw new ConfigError('INVALID_OPTION', `unknown date part "${bad}"; use one of ${ALL_PARTS.join(', ')}`, {
        value: bad,
      });
    this.params = Object.freeze({
      parts: [...parts],
      cyclic: options.cyclic ?? false,
      keepRaw: options.keepRaw ?? true,
    });
  }

  fit(table: Table): FittedDateParts {
    for (const name of table.columnNames()) dateMillis(table, name); // fail early on non-dates
    return new FittedDateParts(table.columnNames(), this.params.parts, this.params.cyclic, this.params.keepRaw);
  }
}

const KIND = 'features/DateParts';

export class FittedDateParts implements FittedTableStep {
  readonly input = 'table';
  readonly featureNamesIn: readonly string[];
  readonly featureNamesOut: readonly string[];

  constructor(
    columns: readonly string[],
    readonly parts: readonly DatePart[],
    readonly cyclic: boolean,
    readonly keepRaw: boolean,
  ) {
    this.featureNamesIn = Object.freeze([...columns]);
    const names: string[] = [];
    for (const c of columns) {
      for (const p of parts) {
        if (keepRaw || !cyclic || !PERIOD[p]) names.push(`${c}.${p}`);
        if (cyclic && PERIOD[p]) names.push(`${c}.${p}_sin`, `${c}.${p}_cos`);
      }
    }
    this.featureNamesOut = Object.freeze(names);
    Object.freeze(this);
  }

  transform(table: Table): Table {
    const out: Float64Array[] = [];
    for (const c of this.featureNamesIn) {
      const t = dateMillis(table, c);
      const n = t.length;
      for (const p of this.parts) {
        const raw = newColumn(n);
        for (let i = 0; i < n; i++) raw[i] = datePart(t[i], p);
        const period = PERIOD[p];
        if (this.keepRaw || !this.cyclic || !period) out.push(raw);
        if (this.cyclic && period) {
          const sin = newColumn(n);
          const cos = newColumn(n);
          const origin = p === 'month' || p === 'dayOfYear' ? 1 : 0;
          const w = (2 * Math.PI) / period;
          for (let i = 0; i < n; i++) {
            sin[i] = Math.sin(w * (raw[i] - origin));
            cos[i] = Math.cos(w * (raw[i] - origin));
          }
          out.push(sin, cos);
        }
      }
    }
    return makeTable(this.featureNamesOut, out);
  }

  toJSON(): Serialized {
    return {
      kind: KIND,
      version: 1,
      columns: [...this.featureNamesIn],
      parts: [...this.parts],
      cyclic: this.cyclic,
      keepRaw: this.keepRaw,
    };
  }

  static fromJSON(json: Serialized): FittedDateParts {
    expectKind(json, KIND, 1);
    return new FittedDateParts(
      json.columns as string[],
      json.parts as DatePart[],
      json.cyclic as boolean,
      json.keepRaw as boolean,
    );
  }
}

registerLoader(KIND, FittedDateParts.fromJSON);

/** One calendar part of an epoch-ms time (UTC); NaN in, NaN out. Arithmetic only (no Date per value). */
export function datePart(t: number, part: DatePart): number {
  if (t !== t) return NaN;
  const days = Math.floor(t / MS_PER_DAY);
  switch (part) {
    case 'weekday':
      return (((days + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday (3 with Monday = 0)
    case 'weekend':
      return (((days + 3) % 7) + 7) % 7 >= 5 ? 1 : 0;
    case 'hour':
      return Math.floor((t - days * MS_PER_DAY) / 3_600_000);
    case 'epochDays':
      return t / MS_PER_DAY;
    default: {
      // Civil date from days since epoch (H. Hinnant's algorithm).
      const z = days + 719468;
      const era = Math.floor(z / 146097);
      const doe = z - era * 146097;
      const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
      const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
      const mp = Math.floor((5 * doy + 2) / 153);
      const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
      const month = mp < 10 ? mp + 3 : mp - 9;
      const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
      if (part === 'month') return month;
      if (part === 'day') return day;
      if (part === 'year') return year;
      return days - Math.floor(Date.UTC(year, 0, 1) / MS_PER_DAY) + 1; // dayOfYear
    }
  }
}
