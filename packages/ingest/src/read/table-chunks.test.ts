import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { ColumnTable } from 'arquero';
import { ConfigError, ParseError } from '@campaign-ml/core';
import { readTable } from './read-table';
import { readTableChunks, type ChunkedReadOptions, type TableChunk } from './table-chunks';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

async function collect(
  source: Parameters<typeof readTableChunks>[0],
  options: ChunkedReadOptions,
): Promise<TableChunk[]> {
  const out: TableChunk[] = [];
  for await (const c of readTableChunks(source, options)) out.push(c);
  return out;
}

/** Row objects of every chunk, in order. */
const rowsOf = (chunks: TableChunk[]) => chunks.flatMap((c) => c.table.objects() as Record<string, unknown>[]);

/** A stream that hands its bytes over `size` at a time (splits quoted fields and multi-byte characters). */
const trickle = (bytes: Buffer, size: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );

const CSV =
  'id,text,n\n1,"a, b",1.5\n2,"say ""hi""",\n3,"two\nlines",007\n4,naïve café,x\n5,,2\n6,日本語,3\n7,last,4\n';

describe('readTableChunks: CSV row batches', () => {
  it('yields consecutive chunks with global offsets that add up to the whole read (forced types)', async () => {
    const whole = (await readTable(b(CSV), { columnTypes: { n: 'string' } })).objects();
    for (const chunkRows of [1, 2, 3, 7, 100]) {
      const chunks = await collect(b(CSV), { chunkRows, columnTypes: { n: 'string' } });
      expect(chunks.map((c) => c.offset)).toEqual(
        Array.from({ length: Math.ceil(7 / chunkRows) }, (_, i) => i * chunkRows),
      );
      expect(chunks.map((c) => c.table.numRows())).toEqual(chunks.map((c) => Math.min(chunkRows, 7 - c.offset)));
      expect(chunks.every((c) => c.streamed && c.format === 'csv')).toBe(true);
      expect(rowsOf(chunks)).toEqual(whole);
    }
  });

  it('keeps quoted newlines and multi-byte characters split across byte chunks', async () => {
    const chunks = await collect(trickle(b(CSV), 1), { chunkRows: 2, columnTypes: { n: 'string' } });
    expect(rowsOf(chunks).map((r) => r.text)).toEqual([
      'a, b',
      'say "hi"',
      'two\nlines',
      'naïve café',
      null,
      '日本語',
      'last',
    ]);
    // Bytes up to each chunk's last row, whatever the byte chunks were.
    expect(chunks[0].bytesRead).toBe(Buffer.byteLength(CSV.split('\n').slice(0, 3).join('\n')) + 1);
    expect(chunks[chunks.length - 1].bytesRead).toBe(Buffer.byteLength(CSV));
  });

  it('types each chunk on its own unless columnTypes forces it', async () => {
    const chunks = await collect(b(CSV), { chunkRows: 2 });
    // Chunk 1 has 1.5 and a blank (numbers); chunk 2 has 007 and x (text, kept as written).
    expect(chunks[0].table.array('n')).toEqual([1.5, null]);
    expect(chunks[1].table.array('n')).toEqual(['007', 'x']);
  });

  it('reports the path size for progress and reads a .tsv file by its name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-chunks-'));
    try {
      const file = path.join(dir, 'x.tsv');
      fs.writeFileSync(file, 'a\tb\n1\tx\n2\ty\n3\tz\n');
      const chunks = await collect(file, { chunkRows: 2 });
      expect(chunks.map((c) => [c.format, c.bytesTotal, c.table.numRows()])).toEqual([
        ['tsv', 16, 2],
        ['tsv', 16, 1],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stopping early releases the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-chunks-'));
    try {
      const file = path.join(dir, 'big.csv');
      fs.writeFileSync(file, `i\n${Array.from({ length: 50_000 }, (_, i) => i).join('\n')}\n`);
      // The file's own descriptors (other work in this process may open and close others meanwhile).
      const openOnFile = () =>
        fs.readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
          } catch {
            return false;
          }
        }).length;
      let seen: ColumnTable | undefined;
      for await (const c of readTableChunks(file, { chunkRows: 100 })) {
        seen = c.table;
        expect(openOnFile()).toBeGreaterThan(0);
        break;
      }
      expect(seen?.array('i')).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (let i = 0; i < 50 && openOnFile() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(openOnFile()).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('header only: one empty chunk with allowEmpty, else the same NO_ROWS error as readTable', async () => {
    const chunks = await collect(b('a,b\n'), { allowEmpty: true });
    expect(chunks).toHaveLength(1);
    expect(chunks[0].table.columnNames()).toEqual(['a', 'b']);
    expect(chunks[0].table.numRows()).toBe(0);
    await expect(collect(b('a,b\n'), {})).rejects.toThrow(/header .* but no data rows/);
    await expect(collect(b(''), {})).rejects.toThrow(ParseError);
  });

  it('errors name whole-input lines, also after earlier chunks were yielded', async () => {
    const text = `a,b\n${Array.from({ length: 30 }, (_, i) => `${i},x`).join('\n')}\n1,2,3\n`;
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const c of readTableChunks(b(text), { chunkRows: 10 })) got.push(c.offset);
      })(),
    ).rejects.toThrow(/line 32 has 3 fields but the header has 2/);
    expect(got).toEqual([0, 10, 20]);
    await expect(collect(b('a,b\n1,x\n2,y\nz,w\n'), { chunkRows: 1, columnTypes: { a: 'number' } })).rejects.toThrow(
      /forced to number but line 4 holds "z"/,
    );
  });

  it('rejects a bad chunk size', async () => {
    await expect(collect(b(CSV), { chunkRows: 0 })).rejects.toThrow(ConfigError);
    await expect(collect(b(CSV), { chunkRows: 2.5 })).rejects.toThrow(/chunkRows must be a positive integer/);
  });
});

describe('readTableChunks: formats read whole', () => {
  it('slices JSON and Parquet into chunks with offsets', async () => {
    const json = await collect(b(JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }])), { chunkRows: 2, format: 'json' });
    expect(json.map((c) => [c.offset, c.streamed, c.table.array('a')])).toEqual([
      [0, false, [1, 2]],
      [2, false, [3]],
    ]);
    const parquet = path.join(__dirname, '__fixtures__/simple.parquet');
    const whole = await readTable(parquet);
    const chunks = await collect(parquet, { chunkRows: 1 });
    expect(chunks).toHaveLength(whole.numRows());
    expect(rowsOf(chunks)).toEqual(whole.objects());
  });
});

describe("readTableChunks with badRows: 'collect'", () => {
  const text = Buffer.concat([
    b('a,b,c\n1,x,2\n3,"multi\nline",4\n5,y,6,7\n8,z\n9,"w,10\n11,v,12\n13,'),
    Buffer.from([0xff]),
    b(',14\n15,5" screen,16\n17,"open,18\n19,u,20\n21,"last\n22,s,23\n'),
  ]);

  it.each([
    ['at once', () => text],
    ['trickled 3 bytes at a time', () => trickle(text, 3)],
  ])('keeps row numbers, lists each broken line, reads on after it (%s)', async (_name, source) => {
    const chunks = await collect(source(), { chunkRows: 4, badRows: 'collect', columnTypes: { a: 'string' } });
    const rows = rowsOf(chunks);
    const bad = chunks.flatMap((c) => c.badRows ?? []);
    expect(bad.map((r) => [r.row, r.line, r.code])).toEqual([
      [2, 5, 'RAGGED_ROW'],
      [3, 6, 'RAGGED_ROW'],
      [4, 7, 'UNCLOSED_QUOTE'],
      [6, 9, 'INVALID_UTF8'],
      [8, 11, 'UNCLOSED_QUOTE'],
      [10, 13, 'UNCLOSED_QUOTE'],
    ]);
    for (const r of bad) {
      expect(rows[r.row]).toEqual({ a: null, b: null, c: null });
      expect(r.message).toContain(`line ${r.line} `);
    }
    // A quoted field over two lines is a good row; a quote inside an unquoted field is a character.
    expect(rows[1]).toEqual({ a: '3', b: 'multi\nline', c: 4 });
    expect(rows[5]).toEqual({ a: '11', b: 'v', c: 12 });
    expect(rows[7]).toEqual({ a: '15', b: '5" screen', c: 16 });
    expect(rows[9]).toEqual({ a: '19', b: 'u', c: 20 });
    expect(rows).toHaveLength(12);
    expect(rows[11]).toEqual({ a: '22', b: 's', c: 23 });
  });

  it('fails on the first broken line by default', async () => {
    await expect(collect(text, { chunkRows: 4 })).rejects.toThrow(ParseError);
  });
});
