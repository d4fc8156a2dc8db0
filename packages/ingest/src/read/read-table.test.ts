import { Readable } from 'node:stream';
import { ParseError } from '@campaign-ml/core';
import { readTable, readTableSync, readTableWithInfo } from './read-table';
import type { ReadWarning } from './read-options';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('readTable: CSV typing', () => {
  it('types each column: numbers, booleans, dates (UTC), strings, null for empty', async () => {
    const { table, columnTypes } = await readTableWithInfo(
      b(
        'n,flag,when,label,bin\n1.5,True,2017-07-09 04:59:00,a,0\n,False,2017-07-10,b,1\n-2e3,,2017-07-11T01:02:03Z,,1\n',
      ),
    );
    expect(columnTypes).toEqual({ n: 'number', flag: 'boolean', when: 'date', label: 'string', bin: 'number' });
    expect(table.array('n')).toEqual([1.5, null, -2000]);
    expect(table.array('flag')).toEqual([true, false, null]);
    const when = table.array('when') as Date[];
    expect(when.map((d) => d.getTime())).toEqual([
      Date.UTC(2017, 6, 9, 4, 59),
      Date.UTC(2017, 6, 10),
      Date.UTC(2017, 6, 11, 1, 2, 3),
    ]);
    expect(table.array('label')).toEqual(['a', 'b', null]);
    expect(table.array('bin')).toEqual([0, 1, 1]);
  });

  it('a column that stops fitting later keeps every original text exactly', async () => {
    const { table, columnTypes } = await readTableWithInfo(
      b(
        'z,f,d\n007,True,2020-01-01\n5530.0,TRUE,2020-01-02 00:00:00\n12,true,2020/01/04T05:06Z\n1e3,x,oops\nabc,False,2020-01-03\n',
      ),
    );
    expect(columnTypes).toEqual({ z: 'string', f: 'string', d: 'string' });
    expect(table.array('z')).toEqual(['007', '5530.0', '12', '1e3', 'abc']);
    expect(table.array('f')).toEqual(['True', 'TRUE', 'true', 'x', 'False']);
    expect(table.array('d')).toEqual(['2020-01-01', '2020-01-02 00:00:00', '2020/01/04T05:06Z', 'oops', '2020-01-03']);
  });

  it('rejects impossible dates, hex and Infinity as numbers', async () => {
    const { columnTypes } = await readTableWithInfo(b('d,h,i\n2021-02-30,0x10,Infinity\n2021-02-28,1,1\n'));
    expect(columnTypes).toEqual({ d: 'string', h: 'string', i: 'string' });
  });

  it('quoted fields with delimiters, doubled quotes, newlines; CRLF; BOM', async () => {
    const text = '\ufeffid,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n';
    const t = await readTable(b(text));
    expect(t.columnNames()).toEqual(['id', 'text']);
    expect(t.array('text')).toEqual(['a, b', 'say "hi"', 'two\r\nlines']);
    expect(t.array('id')).toEqual([1, 2, 3]);
  });

  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1,5;2;3\n4;5;6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['|', 'a|b|c\n"x,y"|2|3\n4|5|6\n'],
  ])('sniffs the delimiter %j', async (delimiter, text) => {
    const r = await readTableWithInfo(b(text));
    expect(r.delimiter).toBe(delimiter);
    expect(r.table.columnNames()).toEqual(['a', 'b', 'c']);
  });

  it('options.delimiter overrides sniffing; decimal comma', async () => {
    const r = await readTableWithInfo(b('a;b\n1,5;2\n-0,25;3\n'), { decimal: ',' });
    expect(r.delimiter).toBe(';');
    expect(r.table.array('a')).toEqual([1.5, -0.25]);
    const forced = await readTableWithInfo(b('a,b;c\n1,2;3\n'), { delimiter: ';' });
    expect(forced.table.columnNames()).toEqual(['a,b', 'c']);
  });

  it('duplicate and blank header names are made unique and reported', async () => {
    const seen: ReadWarning[] = [];
    const r = await readTableWithInfo(b('name,name,,name.1,name\n1,2,3,4,5\n'), { onWarning: (w) => seen.push(w) });
    expect(r.table.columnNames()).toEqual(['name', 'name.2', 'column_3', 'name.1', 'name.3']);
    expect(r.warnings.map((w) => w.code)).toEqual(['DUPLICATE_HEADER', 'BLANK_HEADER', 'DUPLICATE_HEADER']);
    expect(seen).toEqual(r.warnings);
  });

  it('columnTypes forces a type; a value that does not fit names line and column', async () => {
    const t = await readTable(b('zip,ok,n\n02139,yes,1\n10001,0,2\n'), {
      columnTypes: { zip: 'string', ok: 'boolean' },
    });
    expect(t.array('zip')).toEqual(['02139', '10001']);
    expect(t.array('ok')).toEqual([true, false]);
    const err = await readTable(b('a,goal\n1,100\n2,5k\n'), { columnTypes: { goal: 'number' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ParseError);
    expect(err).toMatchObject({ code: 'TYPE_MISMATCH', row: 3, column: 'goal', value: '5k' });
    const d = await readTable(b('when\nyesterday\n'), { columnTypes: { when: 'date' } }).catch((e: unknown) => e);
    expect(d).toMatchObject({ code: 'TYPE_MISMATCH', row: 2, column: 'when' });
  });

  it('nullValues and header: false', async () => {
    const t = await readTable(b('1,NA\n2,3\n'), { header: false, nullValues: ['', 'NA'] });
    expect(t.columnNames()).toEqual(['column_1', 'column_2']);
    expect(t.array('column_2')).toEqual([null, 3]);
  });

  it('reads from a Buffer and a stream the same way; readTableSync agrees', async () => {
    const text = 'a,b\n1,x\n2,y\n';
    const fromStream = await readTable(Readable.from([b('a,b\n1,'), b('x\n2,y\n')]));
    const fromBuffer = await readTable(b(text));
    const sync = readTableSync(b(text));
    for (const t of [fromStream, sync]) expect(t.objects()).toEqual(fromBuffer.objects());
  });

  it('an all-empty column is null everywhere', async () => {
    const r = await readTableWithInfo(b('a,b\n1,\n2,\n'));
    expect(r.columnTypes.b).toBe('empty');
    expect(r.table.array('b')).toEqual([null, null]);
  });
});

describe('readTable: JSON and NDJSON', () => {
  it('a JSON array of objects; keys in first-seen order; missing keys are null', async () => {
    const r = await readTableWithInfo(b('[{"a":1,"b":"2020-01-01"},{"c":true,"a":null}]'));
    expect(r.format).toBe('json');
    expect(r.table.columnNames()).toEqual(['a', 'b', 'c']);
    expect(r.table.array('a')).toEqual([1, null]);
    expect((r.table.get('b', 0) as Date).getTime()).toBe(Date.UTC(2020, 0, 1));
    expect(r.table.array('c')).toEqual([null, true]);
  });

  it('NDJSON, sniffed from content, blank lines skipped', async () => {
    const r = await readTableWithInfo(b('{"a":1}\n\n{"a":2,"b":"x"}\n'));
    expect(r.format).toBe('ndjson');
    expect(r.table.objects()).toEqual([
      { a: 1, b: null },
      { a: 2, b: 'x' },
    ]);
  });
});
