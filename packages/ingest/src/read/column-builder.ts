import { ParseError, describeValue } from '@campaign-ml/core';
import type { ForcedType, ReadColumnType } from './read-options';
import { parseBooleanLoose, parseDate, parseNumeral } from '@campaign-ml/schema';

/**
 * The boolean literals the reader types by itself, in code order (code = index + 1), so that a
 * column that turns out to be text gives back each cell's own spelling. Words such as yes/no or
 * Y/N stay text here (they are data in many tables) and are typed by the schema's grammar.
 */
const BOOLEAN_SPELLINGS = ['true', 'false', 'True', 'False', 'TRUE', 'FALSE'] as const;

/** 1..6 for a boolean literal (odd = true), 0 when the text is not one. */
function booleanCode(text: string): number {
  const i = BOOLEAN_SPELLINGS.indexOf(text as (typeof BOOLEAN_SPELLINGS)[number]);
  return i + 1;
}

/** A number in the grammar's conventions (thousands separators, currency, percent; the decimal mark). */
function parseNumberText(text: string, decimalComma: boolean): number | undefined {
  return parseNumeral(text, decimalComma ? ',' : '.');
}

/** A date the reader types by itself: ISO 8601 or YYYY/MM/DD, as epoch milliseconds (UTC unless zoned). */
function parseDateText(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57 || text.length < 10 || text.length > 40) return undefined;
  return (parseDate(text, 'iso') ?? parseDate(text, 'ymd-slash'))?.getTime();
}

const EMPTY = 0;
const NUMBER = 1;
const BOOLEAN = 2;
const DATE = 3;
const STRING = 4;

// How a number's original text can be rebuilt if the column later turns out to be text.
const FMT_CANONICAL = 0; // String(value)
const FMT_DOT_ZERO = 1; // String(value) + '.0' (as pandas writes floats)
const FMT_RAW = 2; // kept in `raws`
const FMT_NULL = 3;

// How a date's original text can be rebuilt.
const DATE_NULL = 0;
const DATE_SPACE = 1; // YYYY-MM-DD HH:MM:SS
const DATE_DAY = 2; // YYYY-MM-DD
const DATE_ISO = 3; // Date#toISOString()
const DATE_RAW = 4; // kept in `raws`

const BOOL_TYPED_TRUE = 7;
const BOOL_TYPED_FALSE = 8;

const INTERN_LIMIT = 50_000;
const INITIAL_CAPACITY = 1024;

export interface ColumnBuilderOptions {
  forced?: ForcedType;
  decimalComma?: boolean;
}

/**
 * Builds one column value by value, deciding its type as it goes so that a large file never holds
 * its cells as strings unless the column really is text. Numbers, booleans and dates live in typed
 * arrays; if a later value does not fit, earlier values are turned back into their exact original
 * text and the column continues as strings. Forced types throw a ParseError on the first misfit.
 */
export class ColumnBuilder {
  readonly name: string;
  private readonly forced: ForcedType | undefined;
  private readonly decimalComma: boolean;
  private state: number;
  private length = 0;
  private nums: Float64Array = new Float64Array(0);
  private codes: Uint8Array = new Uint8Array(0);
  private raws: Map<number, string> | null = null;
  private strings: (string | null)[] = [];
  private intern: Map<string, string> | null | undefined;

  constructor(name: string, options: ColumnBuilderOptions = {}) {
    this.name = name;
    this.forced = options.forced;
    this.decimalComma = options.decimalComma ?? false;
    this.state = EMPTY;
    switch (this.forced) {
      case 'string':
        this.state = STRING;
        break;
      case 'number':
        this.toNumberState();
        break;
      case 'boolean':
        this.toBooleanState();
        break;
      case 'date':
        this.toDateState();
        break;
      default:
        break;
    }
  }

  get rows(): number {
    return this.length;
  }

  get type(): ReadColumnType {
    switch (this.state) {
      case NUMBER:
        return 'number';
      case BOOLEAN:
        return 'boolean';
      case DATE:
        return 'date';
      case STRING:
        return 'string';
      default:
        return 'empty';
    }
  }

  /** A missing value. */
  pushNull(): void {
    const i = this.length;
    switch (this.state) {
      case NUMBER:
        this.ensure(i);
        this.nums[i] = 0;
        this.codes[i] = FMT_NULL;
        break;
      case BOOLEAN:
        this.ensure(i);
        this.codes[i] = 0;
        break;
      case DATE:
        this.ensure(i);
        this.codes[i] = DATE_NULL;
        break;
      case STRING:
        this.strings.push(null);
        break;
      default:
        break;
    }
    this.length = i + 1;
  }

  /** A value read as text (CSV cells, strings in XLSX/JSON); typed by the column's rules. */
  pushText(text: string, line: number): void {
    const i = this.length;
    let s = this.state;
    if (s === EMPTY) s = this.startFromText(text);
    if (s === NUMBER) {
      const v = parseNumberText(text, this.decimalComma);
      if (v !== undefined) {
        this.ensure(i);
        this.nums[i] = v;
        const canon = String(v);
        if (canon === text) this.codes[i] = FMT_CANONICAL;
        else if (text.length === canon.length + 2 && text.endsWith('.0') && text.startsWith(canon))
          this.codes[i] = FMT_DOT_ZERO;
        else {
          this.codes[i] = FMT_RAW;
          (this.raws ??= new Map()).set(i, text);
        }
        this.length = i + 1;
        return;
      }
      if (this.forced === 'number') this.misfit(text, line, 'a number');
      this.toStringState();
    } else if (s === BOOLEAN) {
      let code = this.forced === 'boolean' ? 0 : booleanCode(text);
      if (code === 0 && this.forced === 'boolean') {
        const b = parseBooleanLoose(text);
        if (b === undefined) this.misfit(text, line, 'a boolean (true/false, yes/no, 1/0)');
        code = b ? BOOL_TYPED_TRUE : BOOL_TYPED_FALSE;
      }
      if (code !== 0) {
        this.ensure(i);
        this.codes[i] = code;
        this.length = i + 1;
        return;
      }
      this.toStringState();
    } else if (s === DATE) {
      const t = parseDateText(text);
      if (t !== undefined) {
        this.ensure(i);
        this.nums[i] = t;
        this.setDateCode(i, t, text);
        this.length = i + 1;
        return;
      }
      if (this.forced === 'date') this.misfit(text, line, 'a date (YYYY-MM-DD, optionally with HH:MM:SS)');
      this.toStringState();
    }
    this.pushString(text);
  }

  /** A value that already has a type (XLSX numbers/booleans/dates, JSON values, Parquet values). */
  pushValue(value: unknown, line: number): void {
    if (value === null || value === undefined) return this.pushNull();
    if (typeof value === 'string') return this.pushText(value, line);
    const i = this.length;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return this.pushNull();
      if (this.state === EMPTY) this.toNumberState();
      if (this.state === NUMBER) {
        this.ensure(i);
        this.nums[i] = value;
        this.codes[i] = FMT_CANONICAL;
        this.length = i + 1;
        return;
      }
      if (this.forced === 'boolean' && (value === 0 || value === 1))
        return this.pushBooleanCode(value === 1 ? BOOL_TYPED_TRUE : BOOL_TYPED_FALSE);
      if (this.forced && this.forced !== 'string') this.misfit(value, line, `a ${this.forced}`);
      this.toStringState();
      return this.pushString(String(value));
    }
    if (typeof value === 'boolean') {
      if (this.state === EMPTY) this.toBooleanState();
      if (this.state === BOOLEAN) return this.pushBooleanCode(value ? BOOL_TYPED_TRUE : BOOL_TYPED_FALSE);
      if (this.forced && this.forced !== 'string') this.misfit(value, line, `a ${this.forced}`);
      this.toStringState();
      return this.pushString(String(value));
    }
    if (value instanceof Date) {
      const t = value.getTime();
      if (Number.isNaN(t)) return this.pushNull();
      if (this.state === EMPTY) this.toDateState();
      if (this.state === DATE) {
        this.ensure(i);
        this.nums[i] = t;
        this.codes[i] = DATE_ISO;
        this.length = i + 1;
        return;
      }
      if (this.forced && this.forced !== 'string') this.misfit(value, line, `a ${this.forced}`);
      this.toStringState();
      return this.pushString(value.toISOString());
    }
    if (typeof value === 'bigint') {
      const n = Number(value);
      if (Number.isSafeInteger(n)) return this.pushValue(n, line);
      if (this.forced === 'number') this.misfit(String(value), line, 'a number that fits a double exactly');
      this.toStringState();
      return this.pushString(String(value));
    }
    return this.pushText(JSON.stringify(value), line);
  }

  /** A value that is text by its source's own type (Parquet strings): never re-typed unless forced. */
  pushTypedText(text: string, line: number): void {
    if (this.forced && this.forced !== 'string') return this.pushText(text, line);
    if (this.state !== STRING) this.toStringState();
    this.pushString(text);
  }

  /** The finished column: numbers, booleans, Dates or strings, with null for missing. */
  finish(): unknown[] {
    const n = this.length;
    switch (this.state) {
      case NUMBER: {
        const out: (number | null)[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.codes[i] === FMT_NULL ? null : this.nums[i];
        return out;
      }
      case BOOLEAN: {
        const out: (boolean | null)[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const c = this.codes[i];
          out[i] = c === 0 ? null : c === BOOL_TYPED_TRUE || (c < BOOL_TYPED_TRUE && c % 2 === 1);
        }
        return out;
      }
      case DATE: {
        const out: (Date | null)[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.codes[i] === DATE_NULL ? null : new Date(this.nums[i]);
        return out;
      }
      case STRING:
        return this.strings;
      default:
        return new Array(n).fill(null);
    }
  }

  private startFromText(text: string): number {
    if (this.forced) return this.state;
    if (parseNumberText(text, this.decimalComma) !== undefined) this.toNumberState();
    else if (booleanCode(text) !== 0) this.toBooleanState();
    else if (parseDateText(text) !== undefined) this.toDateState();
    else this.toStringState();
    return this.state;
  }

  private pushBooleanCode(code: number): void {
    const i = this.length;
    this.ensure(i);
    this.codes[i] = code;
    this.length = i + 1;
  }

  private pushString(text: string): void {
    const map = this.intern === undefined ? (this.intern = new Map()) : this.intern;
    if (map !== null) {
      const known = map.get(text);
      if (known !== undefined) {
        this.strings.push(known);
      } else {
        if (map.size >= INTERN_LIMIT) this.intern = null;
        else map.set(text, text);
        this.strings.push(text);
      }
    } else {
      this.strings.push(text);
    }
    this.length++;
  }

  /** Remember how a date was written without keeping the string when it has a standard shape. */
  private setDateCode(i: number, t: number, text: string): void {
    const iso = new Date(t).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    if (text.length === 19 && text === `${iso.slice(0, 10)} ${iso.slice(11, 19)}`) this.codes[i] = DATE_SPACE;
    else if (text.length === 10 && text === iso.slice(0, 10)) this.codes[i] = DATE_DAY;
    else if (text === iso) this.codes[i] = DATE_ISO;
    else {
      this.codes[i] = DATE_RAW;
      (this.raws ??= new Map()).set(i, text);
    }
  }

  private dateText(i: number): string | null {
    const c = this.codes[i];
    if (c === DATE_NULL) return null;
    if (c === DATE_RAW) return this.raws?.get(i) ?? null;
    const iso = new Date(this.nums[i]).toISOString();
    if (c === DATE_SPACE) return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    if (c === DATE_DAY) return iso.slice(0, 10);
    return iso;
  }

  private misfit(value: unknown, line: number, expected: string): never {
    throw new ParseError(
      'TYPE_MISMATCH',
      `column "${this.name}" is forced to ${this.forced} but line ${line} holds ${describeValue(value)}, not ${expected}; ` +
        `fix the value or change columnTypes["${this.name}"]`,
      { row: line, column: this.name, value, expected },
    );
  }

  private ensure(i: number): void {
    if (i < this.codes.length) return;
    const cap = Math.max(INITIAL_CAPACITY, this.codes.length * 2);
    const codes = new Uint8Array(cap);
    codes.set(this.codes);
    this.codes = codes;
    if (this.state === NUMBER || this.state === DATE) {
      const nums = new Float64Array(cap);
      nums.set(this.nums);
      this.nums = nums;
    }
  }

  private fillNullsTo(): void {
    // Called when leaving EMPTY: earlier rows were all missing.
    for (let i = 0; i < this.length; i++) {
      this.ensure(i);
      if (this.state === NUMBER) this.codes[i] = FMT_NULL;
      else if (this.state === BOOLEAN) this.codes[i] = 0;
      else if (this.state === DATE) this.codes[i] = DATE_NULL;
      else this.strings.push(null);
    }
  }

  private toNumberState(): void {
    this.state = NUMBER;
    this.fillNullsTo();
  }

  private toBooleanState(): void {
    this.state = BOOLEAN;
    this.fillNullsTo();
  }

  private toDateState(): void {
    this.state = DATE;
    this.fillNullsTo();
  }

  /** Turn everything read so far back into its original text and continue as a string column. */
  private toStringState(): void {
    const prev = this.state;
    const n = this.length;
    this.state = STRING;
    const out: (string | null)[] = new Array(n);
    if (prev === EMPTY) out.fill(null);
    else if (prev === NUMBER) {
      for (let i = 0; i < n; i++) {
        const c = this.codes[i];
        if (c === FMT_NULL) out[i] = null;
        else if (c === FMT_CANONICAL) out[i] = String(this.nums[i]);
        else if (c === FMT_DOT_ZERO) out[i] = `${String(this.nums[i])}.0`;
        else out[i] = this.raws?.get(i) ?? String(this.nums[i]);
      }
    } else if (prev === BOOLEAN) {
      for (let i = 0; i < n; i++) {
        const c = this.codes[i];
        out[i] =
          c === 0 ? null : c === BOOL_TYPED_TRUE ? 'true' : c === BOOL_TYPED_FALSE ? 'false' : BOOLEAN_SPELLINGS[c - 1];
      }
    } else if (prev === DATE) {
      for (let i = 0; i < n; i++) out[i] = this.dateText(i);
    }
    this.strings = out;
    this.nums = new Float64Array(0);
    this.codes = new Uint8Array(0);
    this.raws = null;
  }
}
