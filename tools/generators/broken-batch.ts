/**
 * Issue 12, item 5: a batch to score with a few broken lines among good ones — a line with one
 * field too many, one with a field too few, a quote opened and never closed, and a line with bytes
 * that are not UTF-8 — as hand-edited or badly exported files have them. Every other line must
 * still be scored; each broken one must be rejected naming its line.
 */
import { csv, type Cell } from './quirk-tables';

export interface BrokenBatch {
  bytes: Buffer;
  /** Data rows in the file (broken ones included). */
  rows: number;
  /** 1-based file lines that are broken, with what is wrong. */
  broken: { line: number; code: 'RAGGED_ROW' | 'UNCLOSED_QUOTE' | 'INVALID_UTF8' }[];
}

/** `rows` as CSV with the data rows at `every`-row intervals broken in turn (header = line 1). */
export function brokenBatch(header: readonly string[], rows: readonly Cell[][], every = 50): BrokenBatch {
  const lines = csv(header, rows).trimEnd().split('\n');
  const parts: Buffer[] = [Buffer.from(`${lines[0]}\n`)];
  const broken: BrokenBatch['broken'] = [];
  const kinds = ['extra', 'short', 'quote', 'utf8'] as const;
  for (let i = 1; i < lines.length; i++) {
    const kind = i % every === 0 ? kinds[(i / every - 1) % kinds.length] : undefined;
    const text = lines[i];
    const line = i + 1;
    if (kind === 'extra') {
      parts.push(Buffer.from(`${text},surplus\n`));
      broken.push({ line, code: 'RAGGED_ROW' });
    } else if (kind === 'short') {
      parts.push(Buffer.from(`${text.slice(0, text.lastIndexOf(','))}\n`));
      broken.push({ line, code: 'RAGGED_ROW' });
    } else if (kind === 'quote') {
      const cut = text.indexOf(',');
      parts.push(Buffer.from(`${text.slice(0, cut + 1)}"${text.slice(cut + 1)}\n`));
      broken.push({ line, code: 'UNCLOSED_QUOTE' });
    } else if (kind === 'utf8') {
      const cut = text.lastIndexOf(',');
      parts.push(
        Buffer.from(text.slice(0, cut + 1)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`${text.slice(cut + 1)}\n`),
      );
      broken.push({ line, code: 'INVALID_UTF8' });
    } else parts.push(Buffer.from(`${text}\n`));
  }
  return { bytes: Buffer.concat(parts), rows: lines.length - 1, broken };
}
