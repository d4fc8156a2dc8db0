import { Readable } from 'node:stream';
import { ParseError } from '@campaign-ml/core';
import { readTable, readTableSync } from './read-table';

const csv = (text: string): Buffer => Buffer.from(text, 'utf8');

async function parseError(input: Buffer | Readable, options = {}): Promise<ParseError> {
  try {
    await readTable(input, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error('expected a ParseError');
}

describe('malformed CSV -> ParseError with the 1-based line', () => {
  it('a row with too many fields names its line and the header width', async () => {
    const e = await parseError(csv('a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n'));
    expect(e.code).toBe('RAGGED_ROW');
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/line 3 has 4 fields but the header has 3/);
  });

  it('a row with too few fields, and every ragged line is counted', async () => {
    const e = await parseError(csv('a,b,c\n1,2,3\n4,5\n6,7,8\n9\n'));
    expect(e.code).toBe('RAGGED_ROW');
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/also lines 5; 2 such lines/);
  });

  it('line numbers count the lines inside quoted multi-line fields', async () => {
    const e = await parseError(csv('a,b\n"x\ny\nz",1\n2,3,4\n'));
    expect(e.row).toBe(5);
  });

  it('an unclosed quote names the line where the quoted field opens', async () => {
    const e = await parseError(csv('a,b\n1,2\n3,"never closed\n4,5\n6,7\n'));
    expect(e.code).toBe('UNCLOSED_QUOTE');
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/never closed/);
  });

  it('an empty file', async () => {
    const e = await parseError(Buffer.alloc(0), { format: 'csv' });
    expect(e.code).toBe('EMPTY_FILE');
    expect(e.row).toBe(1);
    const blank = await parseError(csv('\n\n\n'), { format: 'csv' });
    expect(blank.code).toBe('EMPTY_FILE');
  });

  it('a header only is an error that says how to get an empty table instead', async () => {
    const e = await parseError(csv('a,b,c\n'));
    expect(e.code).toBe('NO_ROWS');
    expect(e.message).toMatch(/allowEmpty/);
    const t = await readTable(csv('a,b,c\n'), { allowEmpty: true });
    expect(t.numRows()).toBe(0);
    expect(t.columnNames()).toEqual(['a', 'b', 'c']);
  });

  it('a PNG file is refused as binary', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    const e = await parseError(png, { format: 'csv' });
    expect(e.code).toBe('BINARY_INPUT');
    expect(e.message).toMatch(/PNG image/);
    // without a format hint too
    expect((await parseError(png)).code).toBe('BINARY_INPUT');
  });

  it('NUL bytes in the middle of text name their line', async () => {
    const e = await parseError(Buffer.concat([csv('a,b\n1,2\n3,'), Buffer.from([0, 0, 0]), csv('\n')]));
    expect(e.code).toBe('BINARY_INPUT');
    expect(e.row).toBe(3);
  });

  it('invalid UTF-8 names the line, also when the bad byte arrives in a later stream chunk', async () => {
    const bytes = Buffer.concat([csv('name,n\nJosé,1\nab'), Buffer.from([0xc3, 0x28]), csv(',2\nok,3\n')]);
    const e = await parseError(bytes);
    expect(e.code).toBe('INVALID_UTF8');
    expect(e.row).toBe(3);
    // byte-by-byte stream: a valid 2-byte character split over chunks is fine, the bad one is not
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const e2 = await parseError(Readable.from(chunks));
    expect(e2.code).toBe('INVALID_UTF8');
    expect(e2.row).toBe(3);
    const good = [...csv('name,n\nJosé,1\n')].map((b) => Buffer.from([b]));
    const t = await readTable(Readable.from(good));
    expect(t.get('name', 0)).toBe('José');
  });

  it('a truncated multi-byte character at the end of input', async () => {
    const e = await parseError(Buffer.concat([csv('a\nx\n'), Buffer.from([0xe2, 0x82])]));
    expect(e.code).toBe('INVALID_UTF8');
    expect(e.row).toBe(3);
  });

  it('a single 10 MB line is read correctly, without hanging', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const t = await readTable(csv(`id,text\n1,"${big}"\n2,short\n`));
    expect(t.numRows()).toBe(2);
    expect((t.get('text', 0) as string).length).toBe(big.length);
    expect(t.get('text', 1)).toBe('short');
  });

  it('a 10 MB file that is one line and nothing else: a header without rows, or too many columns', async () => {
    const e = await parseError(csv('c'.repeat(10 * 1024 * 1024)), { format: 'csv' });
    expect(e.code).toBe('NO_ROWS');
    const wide = await parseError(csv('c,'.repeat(5 * 1024 * 1024)), { format: 'csv' });
    expect(wide.code).toBe('TOO_MANY_COLUMNS');
    expect(wide.row).toBe(1);
  });

  it('readTableSync reports the same problems', () => {
    expect(() => readTableSync(csv('a,b\n1\n'))).toThrow(expect.objectContaining({ code: 'RAGGED_ROW', row: 2 }));
    expect(() => readTableSync(csv('a,b\n"1,2\n'))).toThrow(
      expect.objectContaining({ code: 'UNCLOSED_QUOTE', row: 2 }),
    );
    expect(() => readTableSync(Buffer.from([0x61, 0x0a, 0xff, 0x0a]), { format: 'csv' })).toThrow(
      expect.objectContaining({ code: 'INVALID_UTF8', row: 2 }),
    );
  });
});

describe('malformed JSON and NDJSON', () => {
  it('NDJSON names the bad line', async () => {
    const e = await parseError(csv('{"a":1}\n\n{"a":2,}\n'), { format: 'ndjson' });
    expect(e.code).toBe('INVALID_JSON');
    expect(e.row).toBe(3);
  });

  it('JSON that is not an array of objects', async () => {
    expect((await parseError(csv('{"a": [1,2]}'), { format: 'json' })).code).toBe('NOT_AN_ARRAY');
    const e = await parseError(csv('[{"a":1}, 5]'), { format: 'json' });
    expect(e.code).toBe('NOT_AN_OBJECT');
    expect(e.row).toBe(2);
  });

  it('broken JSON text names a line', async () => {
    const e = await parseError(csv('[\n{"a":1},\n{"a":2\n]'), { format: 'json' });
    expect(e.code).toBe('INVALID_JSON');
    expect(e.row).toBeGreaterThanOrEqual(3);
  });
});
