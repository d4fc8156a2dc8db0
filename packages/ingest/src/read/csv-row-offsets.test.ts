import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ParseError } from '@campaign-ml/core';
import { CsvRecordScanner, csvByteRange, csvRowOffsets, type CsvRowPosition } from './csv-row-offsets';
import { readTableChunks, type ChunkedReadOptions, type TableChunk } from './table-chunks';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-offsets-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: string | Buffer, ext = 'csv'): string {
  const p = path.join(dir, `f${n++}.${ext}`);
  fs.writeFileSync(p, content);
  return p;
}

async function collect(p: string, options: ChunkedReadOptions): Promise<TableChunk[]> {
  const out: TableChunk[] = [];
  for await (const c of readTableChunks(p, options)) out.push(c);
  return out;
}

const STRINGS = { columnTypes: { id: 'string', text: 'string', n: 'string' } } as const;

/** What the reader gives: rows with their global row number, and the bad rows. */
async function readAll(p: string, options: ChunkedReadOptions) {
  const chunks = await collect(p, { chunkRows: 2, badRows: 'collect', ...STRINGS, ...options });
  return {
    rows: chunks.flatMap((c) =>
      (c.table.objects() as Record<string, unknown>[]).map((r, i) => ({ at: c.offset + i, ...r })),
    ),
    bad: chunks.flatMap((c) => c.badRows ?? []),
  };
}

/** Every way to cut the file in two parts (and in one part per row): the parts read alone equal the whole read. */
async function expectPartsEqualWhole(p: string): Promise<void> {
  const whole = await readAll(p, {});
  const count = await csvRowOffsets(p);
  expect(count).toBeDefined();
  const rows = count!.rows;
  expect(rows).toBe(whole.rows.length);
  const cuts = [
    [0, rows],
    ...Array.from({ length: rows + 1 }, (_, k) => [0, k, rows]),
    Array.from({ length: rows + 1 }, (_, k) => k),
  ];
  for (const at of cuts) {
    const scan = (await csvRowOffsets(p, { at }))!;
    expect(scan.at.map((x) => x.row)).toEqual(at);
    const parts = { rows: [] as unknown[], bad: [] as unknown[] };
    for (let i = 0; i + 1 < at.length; i++) {
      if (at[i] === at[i + 1]) continue;
      const part = await readAll(p, { byteRange: csvByteRange(scan, scan.at[i], scan.at[i + 1]) });
      parts.rows.push(...part.rows);
      parts.bad.push(...part.bad);
    }
    expect(parts).toEqual(whole);
  }
}

/** Positions of every row, the bytes fed `size` at a time. */
function scanBytes(bytes: Buffer, size: number): { rows: CsvRowPosition[]; header: unknown; irregular?: string } {
  const rows: CsvRowPosition[] = [];
  const s = new CsvRecordScanner(44, 34, (p) => rows.push(p));
  for (let i = 0; i < bytes.length; i += size) s.feed(bytes.subarray(i, i + size));
  s.end();
  return { rows, header: s.header, irregular: s.irregular };
}

describe('csvRowOffsets and readTableChunks({ byteRange })', () => {
  it('quoted fields holding delimiters, quotes and line breaks (\\n and \\r\\n) stay inside their row', async () => {
    await expectPartsEqualWhole(
      file('id,text,n\n1,"a, b",1\n2,"say ""hi""",2\n3,"two\nlines",3\n4,"three\r\nlines\nhere",4\n5,x"y,5\n6,"",6\n'),
    );
  });

  it('CRLF line ends, a BOM before the header, empty lines and a last line without a line break', async () => {
    const p = file('\uFEFFid,text,n\r\n1,a,1\r\n\r\n2,"b\r\nc",2\r\n3,c,3\n\n4,d,4');
    await expectPartsEqualWhole(p);
    const scan = (await csvRowOffsets(p, { at: [0, 1, 2, 3, 4] }))!;
    expect(scan.header).toEqual({ end: 14, line: 2, lineFeeds: 1 });
    expect(scan.at.map((x) => [x.row, x.line, x.lineFeeds])).toEqual([
      [0, 2, 1],
      [1, 4, 3],
      [2, 7, 5],
      [3, 9, 7],
      [4, 9, 7],
    ]);
    expect(scan.at[4].byte).toBe(fs.statSync(p).size);
    // The BOM stays out of the first column's name when the header is read for a part.
    const part = await readAll(p, { byteRange: csvByteRange(scan, scan.at[2], scan.at[4]) });
    expect(part.rows).toEqual([
      { at: 2, id: '3', text: 'c', n: '3' },
      { at: 3, id: '4', text: 'd', n: '4' },
    ]);
  });

  it('a lone \\r ends a line, as the reader reads it', async () => {
    await expectPartsEqualWhole(file('id,text,n\r1,a,1\r2,"b\rc",2\r3,c,3\r'));
  });

  it('unreadable rows (too many fields, invalid UTF-8) keep the whole file’s row and line numbers', async () => {
    const p = file(
      Buffer.concat([
        Buffer.from('id,text,n\n1,"x\ny",1\n2,a,b,c\n3,c,3\n4,'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(',4\n5,"p\r\nq",5\n6,z,6\n'),
      ]),
    );
    await expectPartsEqualWhole(p);
    const scan = (await csvRowOffsets(p, { at: [3, 6] }))!;
    const part = await readAll(p, { byteRange: csvByteRange(scan, scan.at[0], scan.at[1]) });
    expect(part.bad.map((b) => [b.row, b.line, b.code])).toEqual([[3, 6, 'INVALID_UTF8']]);
    const whole = await readAll(p, {});
    expect(whole.bad.map((b) => [b.row, b.line, b.code])).toEqual([
      [1, 4, 'RAGGED_ROW'],
      [3, 6, 'INVALID_UTF8'],
    ]);
  });

  it('an error in a part names the line of the whole file', async () => {
    const p = file('id,text,n\n1,"a\nb",1\n2,b,2\n3,c,3,4\n');
    const scan = (await csvRowOffsets(p, { at: [2, 3] }))!;
    const err = await collect(p, { ...STRINGS, byteRange: csvByteRange(scan, scan.at[0], scan.at[1]) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParseError);
    expect((err as Error).message).toMatch(/^line 5 has 4 fields but the header has 3/);
  });

  it('a part reads the header and its own bytes only: garbling every other byte changes nothing', async () => {
    const text = 'id,text,n\n1,a,1\n2,"b\nc",2\n3,c,3\n4,d,4\n5,e,5\n';
    const p = file(text);
    const scan = (await csvRowOffsets(p, { at: [2, 4] }))!;
    const range = csvByteRange(scan, scan.at[0], scan.at[1]);
    const before = await readAll(p, { byteRange: range });
    const bytes = Buffer.from(text);
    bytes.fill(0x22, range.header.end, range.start); // quotes: any read of them would break the rows
    bytes.fill(0, range.end);
    fs.writeFileSync(p, bytes);
    expect(await readAll(p, { byteRange: range })).toEqual(before);
    expect(before.rows).toEqual([
      { at: 2, id: '3', text: 'c', n: '3' },
      { at: 3, id: '4', text: 'd', n: '4' },
    ]);
  });

  it('bytes fed in any chunk size give the same positions (a chunk may end inside \\r\\n or "")', () => {
    const bytes = Buffer.from('\uFEFFid,text,n\r\n1,"a""b",1\r\n\r\n2,"b\r\nc",2\r3,"",3\n4,d,4');
    const whole = scanBytes(bytes, bytes.length);
    expect(whole.rows.map((r) => r.row)).toEqual([0, 1, 2, 3]);
    for (const size of [1, 2, 3, 5]) expect(scanBytes(bytes, size)).toEqual(whole);
  });

  it('gives up on quoting the reader repairs, on non-CSV input and without a header line', async () => {
    expect(await csvRowOffsets(file('id,text,n\n1,"a"b,1\n'))).toBeUndefined();
    expect(await csvRowOffsets(file('id,text,n\n1,"open,1\n2,b,2\n'))).toBeUndefined();
    // A record over two lines with the wrong field count: the reader re-reads its lines one by one.
    expect(await csvRowOffsets(file('id,text,n\n1,"a\nb"\n2,b,2\n'))).toBeUndefined();
    expect(await csvRowOffsets(file('[{"a":1}]', 'json'))).toBeUndefined();
    expect(await csvRowOffsets(file('a,b\n1,2\n'), { header: false })).toBeUndefined();
    const p = file('[{"a":1}]', 'json');
    const range = { start: 0, end: 1, row: 0, line: 2, lineFeeds: 1, header: { end: 0, line: 2, lineFeeds: 1 } };
    await expect(collect(p, { byteRange: range })).rejects.toThrow(ConfigError);
  });

  it('a TSV file and a sniffed semicolon delimiter', async () => {
    await expectPartsEqualWhole(file('id\ttext\tn\n1\t"a\tb"\t1\n2\t"x\ny"\t2\n3\tc\t3\n', 'tsv'));
    await expectPartsEqualWhole(file('id;text;n\n1;"a;b";1\n2;"x\ny";2\n3;c;3\n'));
  });
});
