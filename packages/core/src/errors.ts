/**
 * Error classes shared by every package. Each carries a stable `code` and the details a person
 * needs to act: the row, column, value and what was expected. Messages say what to do.
 */

export interface ProblemDetails {
  /** 1-based data row (files: line number where known), when the problem is tied to a row. */
  row?: number;
  /** Column or field name. */
  column?: string;
  /** The offending value, as found. */
  value?: unknown;
  /** What was expected instead, in words ("a number", "one of: a, b"). */
  expected?: string;
}

export interface Problem extends ProblemDetails {
  code: string;
  message: string;
}

export class CampaignMlError extends Error {
  readonly code: string;
  readonly row?: number;
  readonly column?: string;
  readonly value?: unknown;
  readonly expected?: string;

  constructor(code: string, message: string, details: ProblemDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details.row !== undefined) this.row = details.row;
    if (details.column !== undefined) this.column = details.column;
    if (details.value !== undefined) this.value = details.value;
    if (details.expected !== undefined) this.expected = details.expected;
  }

  toJSON(): Problem {
    const { code, message, row, column, value, expected } = this;
    return { code, message, row, column, value, expected };
  }
}

/** Bad arguments or data handed to fit/predict/transform (shapes, labels, NaN targets...). */
export class InputError extends CampaignMlError {}

/** A file or stream that cannot be parsed; `row` is the 1-based line number. */
export class ParseError extends CampaignMlError {}

/** A configuration value that is missing, unknown or of the wrong type. */
export class ConfigError extends CampaignMlError {}

/** A serialized object that cannot be loaded (unknown kind, wrong version, corrupt arrays). */
export class SerializationError extends CampaignMlError {}

/** Work stopped because its AbortSignal fired. */
export class AbortError extends CampaignMlError {
  constructor(message = 'The operation was aborted.') {
    super('ABORTED', message);
  }
}

/**
 * Many problems found in one pass over a table (validation). The message names the first few;
 * `problems` holds all of them.
 */
export class SchemaError extends CampaignMlError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], headline = 'The data does not match the schema') {
    super('SCHEMA_MISMATCH', summarizeProblems(headline, problems), problems[0] ?? {});
    this.problems = problems;
  }

  override toJSON(): Problem & { problems: readonly Problem[] } {
    return { ...super.toJSON(), problems: this.problems };
  }
}

function summarizeProblems(headline: string, problems: readonly Problem[]): string {
  if (problems.length === 0) return `${headline}.`;
  const shown = problems.slice(0, 3).map((p) => p.message);
  const more = problems.length - shown.length;
  const tail = more > 0 ? `; ${more} more. See error.problems for all ${problems.length}.` : '.';
  return `${headline}: ${shown.join('; ')}${tail}`;
}

/** Render a value for an error message: short, quoted when a string. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(s);
  }
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
