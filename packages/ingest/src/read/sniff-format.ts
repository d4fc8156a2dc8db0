import { ParseError } from '@campaign-ml/core';
import type { ReadFormat } from './read-options';

const EXTENSIONS: Record<string, ReadFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
  pq: 'parquet',
};

/** Format named by a file's extension (`.csv.gz` and unknown extensions give undefined). */
export function formatFromPath(path: string): ReadFormat | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? EXTENSIONS[m[1].toLowerCase()] : undefined;
}

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  if (head.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[i] !== bytes[i]) return false;
  return true;
}

/** Binary formats we recognise but cannot read as a table, with a hint for the user. */
const FOREIGN: { magic: number[]; what: string }[] = [
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive (decompress it first)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old .xls workbook (save it as .xlsx or CSV)' },
  { magic: [0xff, 0xfe], what: 'UTF-16 text (save it as UTF-8)' },
  { magic: [0xfe, 0xff], what: 'UTF-16 text (save it as UTF-8)' },
];

/** Format from the first bytes of the content; text that is not JSON is taken as CSV. */
export function sniffFormat(head: Uint8Array): ReadFormat {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'xlsx';
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return 'parquet';
  let i = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x7b) return 'ndjson';
  return 'csv';
}

/**
 * Refuse content that is plainly not text (images, archives, NUL bytes) before a text parser
 * turns it into nonsense. `format` is the text format the caller expected.
 */
export function checkTextContent(head: Uint8Array, format: ReadFormat): void {
  for (const f of FOREIGN) {
    if (startsWith(head, f.magic)) {
      throw new ParseError('BINARY_INPUT', `the input looks like ${f.what}, not ${format.toUpperCase()} text`, {
        row: 1,
        expected: `${format.toUpperCase()} text`,
      });
    }
  }
  if (format !== 'xlsx' && startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    throw new ParseError(
      'BINARY_INPUT',
      `the input is a ZIP archive (an .xlsx workbook?), not ${format.toUpperCase()} text; pass { format: 'xlsx' } if it is a workbook`,
      {
        row: 1,
        expected: `${format.toUpperCase()} text`,
      },
    );
  }
}
