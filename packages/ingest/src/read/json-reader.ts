import { ParseError } from '@campaign-ml/core';
import { ColumnBuilder } from './column-builder';
import type { ForcedType, ReadColumns } from './read-options';
import { Utf8Guard } from './utf8-guard';

export interface JsonSettings {
  nullValues: readonly string[];
  columnTypes: Record<string, ForcedType>;
  allowEmpty: boolean;
}

/** Builds columns from row objects; keys seen first come first; a missing key is null. */
class ObjectRows {
  private readonly builders = new Map<string, ColumnBuilder>();
  private rows = 0;
  private readonly nullSet: Set<string>;

  constructor(private readonly s: JsonSettings) {
    this.nullSet = new Set(s.nullValues);
  }

  add(obj: unknown, line: number, what: string): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new ParseError(
        'NOT_AN_OBJECT',
        `${what} is ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}, not an object with one key per column`,
        {
          row: line,
          expected: 'an object like {"column": value}',
        },
      );
    }
    const r = this.rows;
    for (const key of Object.keys(obj)) {
      let b = this.builders.get(key);
      if (!b) {
        b = new ColumnBuilder(key, { forced: this.s.columnTypes[key] });
        for (let i = 0; i < r; i++) b.pushNull();
        this.builders.set(key, b);
      }
      const v = (obj as Record<string, unknown>)[key];
      if (typeof v === 'string' && this.nullSet.has(v)) b.pushNull();
      else b.pushValue(v, line);
    }
    this.rows = r + 1;
    for (const b of this.builders.values()) if (b.rows < this.rows) b.pushNull();
  }

  finish(): ReadColumns {
    if (this.rows === 0 && !this.s.allowEmpty) {
      throw new ParseError('NO_ROWS', 'the JSON holds no rows; pass { allowEmpty: true } to get an empty table', {
        row: 1,
      });
    }
    const bs = [...this.builders.values()];
    return {
      names: bs.map((b) => b.name),
      columns: bs.map((b) => b.finish()),
      types: bs.map((b) => b.type),
      rows: this.rows,
    };
  }
}

function decode(bytes: Uint8Array): string {
  const guard = new Utf8Guard();
  guard.check(bytes);
  guard.end();
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** A JSON array of objects. */
export function readJsonBytes(bytes: Uint8Array, s: JsonSettings): ReadColumns {
  const text = decode(bytes);
  if (text.trim() === '')
    throw new ParseError('EMPTY_FILE', 'the file is empty: expected a JSON array of objects', { row: 1 });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const row = m ? lineAt(text, +m[1]) : undefined;
    throw new ParseError('INVALID_JSON', `${row ? `line ${row}: ` : ''}not valid JSON (${msg})`, { row });
  }
  if (!Array.isArray(data)) {
    throw new ParseError(
      'NOT_AN_ARRAY',
      'the JSON is not an array; expected [ {"column": value, ...}, ... ] (use format "ndjson" for one object per line)',
      {
        row: 1,
        expected: 'a JSON array of objects',
      },
    );
  }
  const rows = new ObjectRows(s);
  for (let i = 0; i < data.length; i++) rows.add(data[i], i + 1, `item ${i + 1} of the array`);
  return rows.finish();
}

/** Newline-delimited JSON: one object per line; blank lines are skipped. */
export function readNdjsonBytes(bytes: Uint8Array, s: JsonSettings): ReadColumns {
  const text = decode(bytes);
  if (text.trim() === '')
    throw new ParseError('EMPTY_FILE', 'the file is empty: expected one JSON object per line', { row: 1 });
  const rows = new ObjectRows(s);
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const chunk = text.slice(start, end).trim();
    if (chunk !== '') {
      let obj: unknown;
      try {
        obj = JSON.parse(chunk);
      } catch (e) {
        throw new ParseError('INVALID_JSON', `line ${line} is not valid JSON (${(e as Error).message})`, {
          row: line,
          value: chunk,
        });
      }
      rows.add(obj, line, `line ${line}`);
    }
    start = end + 1;
    line++;
  }
  return rows.finish();
}
