import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCsvBytes, type CsvSettings } from './csv-reader';
import { readPlainCsv } from './plain-csv';
import type { ReadColumns, ReadWarning } from './read-options';
import { readTableWithInfo } from './read-table';

const settings = (warnings: ReadWarning[] = []): CsvSettings => ({
  quote: '"',
  decimalComma: false,
  header: true,
  nullValues: [''],
  columnTypes: {},
  allowEmpty: false,
  warn: (w) => warnings.push(w),
  badRows: 'fail',
});

/** Both readers on the same text: the plain one must give the full one's table exactly (Object.is per value). */
function both(text: string | Buffer, delimiter = ','): { plain: ReadColumns | undefined; full: ReadColumns } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const plainWarnings: ReadWarning[] = [];
  const fullWarnings: ReadWarning[] = [];
  const plain = readPlainCsv(bytes, delimiter, settings(plainWarnings));
  const full = readCsvBytes(bytes, delimiter, settings(fullWarnings));
  if (plain) {
    expect(plain.names).toEqual(full.names);
    expect(plain.types).toEqual(full.types);
    expect(plain.rows).toBe(full.rows);
    plain.columns.forEach((col, c) =>
      col.forEach((v, r) => {
        const w = full.columns[c][r];
        if (!Object.is(v, w) && !(v instanceof Date && w instanceof Date && v.getTime() === w.getTime()))
          throw new Error(`column ${full.names[c]} row ${r}: plain ${String(v)}, full ${String(w)}`);
      }),
    );
    expect(plainWarnings).toEqual(fullWarnings);
  } else expect(plainWarnings).toEqual([]);
  return { plain, full };
}

/** A deterministic stream of doubles over many magnitudes (no Math.random in this codebase). */
function doubles(count: number): number[] {
  let s = 12345;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: count }, () => (next() - 0.3) * 10 ** Math.floor(next() * 40 - 20));
}

describe('readPlainCsv: the same table as the full reader, faster', () => {
  it('reads every shape of plain number exactly as Number(text)', () => {
    const shapes = [
      '0',
      '-0',
      '7',
      '-12',
      '+3',
      '3.25',
      '.5',
      '1.',
      '0.1',
      '0.30000000000000004',
      '1e-7',
      '1E5',
      '1.5e+3',
      '2.5E-3',
      '123456789012345',
      '1234567890123456',
      '123456789012345678',
      '1e22',
      '1e23',
      '9007199254740993',
      '5e-324',
      '1.7976931348623157e308',
      '0.000001234',
      '100000000000000000000000',
      '007',
      '4.35',
      '1e-22',
    ];
    const random = doubles(3000).map(String);
    const values = [...shapes, ...random];
    const text = `x,y\n${values.map((v, i) => `${v},${values[values.length - 1 - i]}`).join('\n')}\n`;
    const { plain, full } = both(text);
    expect(plain).toBeDefined();
    expect(full.types).toEqual(['number', 'number']);
    expect(plain!.columns[0].slice(0, 4)).toEqual([0, -0, 7, -12]);
    expect(Object.is(plain!.columns[0][1], -0)).toBe(true);
  });

  it('keeps missing cells (leading, inside, a column that is all missing), text, booleans, dates, UTF-8', () => {
    const text =
      'n,m,s,b,d,e\n,1.5,a,True,2020-01-01,\n,,Zürich,False,2020-01-02 03:04:05,\n3,-2,,,,\n4,1e3,Łódź,TRUE,2020-01-03T00:00:00Z,\n';
    const { plain, full } = both(text);
    expect(plain).toBeDefined();
    expect(full.types).toEqual(['number', 'number', 'string', 'boolean', 'date', 'empty']);
    expect(plain!.columns[0]).toEqual([null, null, 3, 4]);
    expect(plain!.columns[2]).toEqual(['a', 'Zürich', null, 'Łódź']);
  });

  it('reads CRLF line ends, skips empty lines, a last line without a newline, other delimiters, repeated names', () => {
    expect(both('a,b\r\n1,x\r\n\r\n2,y\r\n').plain).toBeDefined();
    expect(both('a,b\n1,x\n\n\n2,y').plain).toBeDefined();
    expect(both('a;b;a\n1;x;3\n2;y;4\n', ';').plain).toBeDefined();
    expect(both('a\tb\n1\tx\n', '\t').plain).toBeDefined();
    expect(both('a,,a\n1,2,3\n').plain!.names).toEqual(['a', 'column_2', 'a.1']);
  });

  it('a column of numbers that meets text turns into text: not plain, the full reader keeps the original texts', () => {
    for (const text of ['z\n007\n1.50\nabc\n', 'z\n1\n5k\n', 'z\n1\n 2\n', 'z\n1\n1e999\n', 'z\n1\n-\n']) {
      const { plain, full } = both(text);
      expect(plain).toBeUndefined();
      expect(full.rows).toBeGreaterThan(0);
    }
    // A column that starts as text stays with the builder: still plain.
    expect(both('z,n\nabc,1\n007,2\n 3 ,3\n').plain).toBeDefined();
  });

  it('hands quotes, a byte-order mark, lone CRs, ragged lines, invalid UTF-8 and header-only files back', () => {
    expect(readPlainCsv(Buffer.from('a,b\n"1",2\n'), ',', settings())).toBeUndefined();
    expect(both('\ufeffa,b\n1,2\n').plain).toBeUndefined();
    expect(both('a,b\r1,2\r').plain).toBeUndefined();
    expect(readPlainCsv(Buffer.from('a,b\n1,2\n3,4,5\n1,2\n'), ',', settings())).toBeUndefined();
    expect(readPlainCsv(Buffer.from('a,b\n1,2\n3\n'), ',', settings())).toBeUndefined();
    const bad = Buffer.concat([Buffer.from('a,b\n1,x'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expect(readPlainCsv(bad, ',', settings())).toBeUndefined();
    expect(readPlainCsv(Buffer.from('a,b\n'), ',', settings())).toBeUndefined();
    expect(readPlainCsv(Buffer.from('a,b\n1,2\n'), ',', { ...settings(), nullValues: ['', 'NA'] })).toBeUndefined();
    expect(
      readPlainCsv(Buffer.from('a,b\n1,2\n'), ',', { ...settings(), columnTypes: { a: 'string' } }),
    ).toBeUndefined();
  });

  it('readTable on a file: the plain reader and the streamed full reader give the same table and types', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plain-csv-'));
    try {
      const values = doubles(2000);
      const rows = values.map((v, i) => `${v},${i % 7 === 0 ? '' : `c${i % 5}`},${i % 3 === 0 ? '' : i}`);
      for (const [name, text] of [
        ['plain.csv', `v,c,i\n${rows.join('\n')}\n`],
        ['quoted.csv', `v,c,i\n${rows.join('\n')}\n1,"c,9",2\n`],
      ]) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        const fromFile = await readTableWithInfo(file);
        const streamed = await readTableWithInfo(fs.createReadStream(file));
        expect(fromFile.columnTypes).toEqual(streamed.columnTypes);
        for (const c of ['v', 'c', 'i']) expect(fromFile.table.array(c)).toEqual(streamed.table.array(c));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
