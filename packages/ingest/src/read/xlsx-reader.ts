import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { InputError, ParseError } from '@campaign-ml/core';
import { ColumnBuilder } from './column-builder';
import { uniqueHeaderNames } from './header-names';
import type { ForcedType, ReadColumns, ReadWarning } from './read-options';

export interface XlsxSettings {
  sheet?: string;
  nullValues: readonly string[];
  columnTypes: Record<string, ForcedType>;
  allowEmpty: boolean;
  warn: (w: ReadWarning) => void;
}

interface SheetLike extends AsyncIterable<{ number: number; values: unknown }> {
  name?: string;
}

/**
 * Read one sheet with exceljs's streaming reader (a workbook is never fully held as cell objects).
 * Excel dates stay Date, formula cells give their cached result, text cells are typed like CSV.
 */
export async function readXlsx(input: string | Readable, s: XlsxSettings): Promise<ReadColumns> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(
    input as never,
    {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'cache',
      worksheets: 'emit',
      entries: 'emit',
    } as never,
  );
  const seen: string[] = [];
  let result: ReadColumns | undefined;
  try {
    for await (const ws of reader as unknown as AsyncIterable<SheetLike>) {
      const name = ws.name ?? `Sheet${seen.length + 1}`;
      seen.push(name);
      if (result || (s.sheet !== undefined && s.sheet !== name)) {
        for await (const _row of ws) void _row; // skip this sheet
        continue;
      }
      result = await readSheet(ws, s);
    }
  } catch (e) {
    if (e instanceof ParseError || e instanceof InputError) throw e;
    throw new ParseError(
      'XLSX_INVALID',
      `the workbook cannot be read: ${(e as Error).message}; is it a valid .xlsx file?`,
      {
        expected: 'an .xlsx workbook',
      },
    );
  }
  if (!result) {
    if (s.sheet !== undefined) {
      throw new InputError(
        'SHEET_NOT_FOUND',
        `the workbook has no sheet named "${s.sheet}"; its sheets are: ${seen.join(', ') || '(none)'}`,
        {
          value: s.sheet,
          expected: `one of: ${seen.join(', ')}`,
        },
      );
    }
    throw new ParseError('EMPTY_FILE', 'the workbook has no sheets', { row: 1 });
  }
  return result;
}

async function readSheet(ws: SheetLike, s: XlsxSettings): Promise<ReadColumns> {
  const nullSet = new Set(s.nullValues);
  let builders: ColumnBuilder[] | null = null;
  let names: string[] = [];
  let headerRow = 0;
  const errorCells = new Map<string, number>();
  let overflowWarned = false;
  for await (const row of ws) {
    const values = row.values as unknown[];
    if (!Array.isArray(values)) continue;
    if (builders === null) {
      let last = values.length - 1;
      while (last >= 1 && cellValue(values[last]) === null) last--;
      if (last < 1) continue; // leading blank row
      const header: unknown[] = [];
      for (let c = 1; c <= last; c++) header.push(cellValue(values[c]));
      names = uniqueHeaderNames(header, s.warn);
      builders = names.map((n) => new ColumnBuilder(n, { forced: s.columnTypes[n] }));
      headerRow = row.number;
      continue;
    }
    const line = row.number;
    let any = false;
    for (let c = 1; c < values.length; c++) if (cellValue(values[c]) !== null) any = true;
    if (!any) continue; // blank row
    for (let c = 0; c < builders.length; c++) {
      const raw = values[c + 1];
      const v = cellValue(raw);
      if (v === null || (typeof v === 'string' && nullSet.has(v))) builders[c].pushNull();
      else if (v === ERROR_CELL) {
        errorCells.set(names[c], (errorCells.get(names[c]) ?? 0) + 1);
        builders[c].pushNull();
      } else builders[c].pushValue(v, line);
    }
    if (!overflowWarned && values.length - 1 > builders.length) {
      for (let c = builders.length + 1; c < values.length; c++) {
        if (cellValue(values[c]) !== null) {
          overflowWarned = true;
          s.warn({
            code: 'CELLS_BEYOND_HEADER',
            row: line,
            message: `row ${line} has values right of the last named column (column ${c}); they are ignored`,
          });
          break;
        }
      }
    }
  }
  if (builders === null)
    throw new ParseError('EMPTY_FILE', 'the sheet is empty: expected a header row with column names', { row: 1 });
  for (const [column, count] of errorCells) {
    s.warn({
      code: 'ERROR_CELLS',
      column,
      message: `column "${column}" has ${count} Excel error cells (#N/A, #DIV/0!...) read as missing`,
    });
  }
  const rows = builders.length > 0 ? builders[0].rows : 0;
  if (rows === 0 && !s.allowEmpty) {
    throw new ParseError(
      'NO_ROWS',
      `the sheet has a header (row ${headerRow}) but no data rows; pass { allowEmpty: true } to get an empty table`,
      {
        row: headerRow + 1,
      },
    );
  }
  return { names, columns: builders.map((b) => b.finish()), types: builders.map((b) => b.type), rows };
}

const ERROR_CELL = Symbol('error-cell');

/** An exceljs cell value -> null | number | string | boolean | Date | ERROR_CELL. */
function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if ('result' in o || 'formula' in o || 'sharedFormula' in o) return cellValue(o.result);
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
  if ('error' in o) return ERROR_CELL;
  if (typeof o.text === 'string') return o.text;
  return JSON.stringify(o);
}
