import * as path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { readTable, readTableWithInfo } from './read-table';

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('readTable: XLSX', () => {
  it('real dates stay Date, formulas give their result, numbers stored as text are typed like CSV', async () => {
    const bytes = await workbook((wb) => {
      wb.addWorksheet('notes').addRow(['ignored']);
      const ws = wb.addWorksheet('data');
      ws.addRow(['when', 'n', 'total', 'code', 'flag', 'label']);
      ws.addRow([new Date(Date.UTC(2020, 0, 2, 3, 4, 5)), '12', { formula: 'B2*2', result: 24 }, '007', true, 'a']);
      ws.addRow([new Date(Date.UTC(2021, 5, 6)), '3.5', { formula: 'B3*2', result: 7 }, 'x', false, null]);
      ws.getColumn(1).numFmt = 'yyyy-mm-dd hh:mm:ss';
    });
    const r = await readTableWithInfo(bytes, { sheet: 'data' });
    expect(r.format).toBe('xlsx');
    expect(r.columnTypes).toEqual({
      when: 'date',
      n: 'number',
      total: 'number',
      code: 'string',
      flag: 'boolean',
      label: 'string',
    });
    expect((r.table.array('when') as Date[]).map((d) => d.getTime())).toEqual([
      Date.UTC(2020, 0, 2, 3, 4, 5),
      Date.UTC(2021, 5, 6),
    ]);
    expect(r.table.array('n')).toEqual([12, 3.5]);
    expect(r.table.array('total')).toEqual([24, 7]);
    expect(r.table.array('code')).toEqual(['007', 'x']);
    expect(r.table.array('label')).toEqual(['a', null]);
  });

  it('reads the first sheet by default, from a stream too; an unknown sheet name lists the sheets', async () => {
    const bytes = await workbook((wb) => {
      const a = wb.addWorksheet('first');
      a.addRow(['x']);
      a.addRow([1]);
      wb.addWorksheet('second').addRow(['y']);
    });
    const t = await readTable(Readable.from([bytes]));
    expect(t.objects()).toEqual([{ x: 1 }]);
    await expect(readTable(bytes, { sheet: 'nope' })).rejects.toMatchObject({
      code: 'SHEET_NOT_FOUND',
      message: expect.stringMatching(/first, second/),
    });
  });

  it('a forced type that a cell does not fit is a ParseError naming the sheet row', async () => {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('s');
      ws.addRow(['goal']);
      ws.addRow([5]);
      ws.addRow(['5k']);
    });
    await expect(readTable(bytes, { columnTypes: { goal: 'number' } })).rejects.toMatchObject({
      code: 'TYPE_MISMATCH',
      row: 3,
      column: 'goal',
    });
  });
});

describe('readTable: Parquet', () => {
  it('reads the pandas fixture (int64 as numbers, strings kept)', async () => {
    const r = await readTableWithInfo(path.join(__dirname, '__fixtures__', 'simple.parquet'));
    expect(r.format).toBe('parquet');
    expect(r.table.objects()).toEqual([
      { A: 1, B: 'foo' },
      { A: 2, B: 'foo' },
      { A: 3, B: 'foo' },
    ]);
  });
});
