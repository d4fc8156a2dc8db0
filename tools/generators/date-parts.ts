/**
 * Timestamps as whole seconds since the Unix epoch (UTC) and their parts, formatted the way the
 * Kickstarter and iFood files write them (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD`).
 */

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export interface DateParts {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number; // 0-23
  weekday: (typeof WEEKDAYS)[number];
}

/** Epoch seconds of a UTC calendar time. */
export function epochSeconds(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
}

export function dateParts(seconds: number): DateParts {
  const d = new Date(seconds * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    weekday: WEEKDAYS[d.getUTCDay()],
  };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `YYYY-MM-DD HH:MM:SS` (UTC). */
export function formatDateTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DD` (UTC). */
export function formatDate(seconds: number): string {
  return formatDateTime(seconds).slice(0, 10);
}

/** Inverse of formatDateTime / formatDate (UTC); NaN when the text is not such a date. */
export function parseDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return NaN;
  return epochSeconds(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

export const DAY_SECONDS = 86400;
