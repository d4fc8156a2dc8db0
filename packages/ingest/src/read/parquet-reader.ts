import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { ParseError } from '@campaign-ml/core';
import { ColumnBuilder } from './column-builder';
import type { ForcedType, ReadColumns } from './read-options';

export interface ParquetSettings {
  columnTypes: Record<string, ForcedType>;
  allowEmpty: boolean;
}

/** A Parquet file via hyparquet: top-level columns; INT64 as numbers when exact, else strings. */
export async function readParquetBytes(bytes: Uint8Array, s: ParquetSettings): Promise<ReadColumns> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let names: string[];
  let rows: Record<string, unknown>[];
  try {
    const metadata = parquetMetadata(file);
    names = topLevelNames(metadata.schema as { name: string; num_children?: number }[]);
    rows = (await parquetReadObjects({ file, metadata })) as Record<string, unknown>[];
  } catch (e) {
    throw new ParseError('PARQUET_INVALID', `the Parquet file cannot be read: ${(e as Error).message}`, {
      expected: 'a Parquet file',
    });
  }
  if (rows.length === 0 && !s.allowEmpty) {
    throw new ParseError('NO_ROWS', 'the Parquet file holds no rows; pass { allowEmpty: true } to get an empty table', {
      row: 1,
    });
  }
  const builders = names.map((n) => new ColumnBuilder(n, { forced: s.columnTypes[n] }));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < builders.length; c++) {
      const v = row[names[c]];
      if (typeof v === 'string') builders[c].pushTypedText(v, r + 1);
      else builders[c].pushValue(v, r + 1);
    }
  }
  return { names, columns: builders.map((b) => b.finish()), types: builders.map((b) => b.type), rows: rows.length };
}

function topLevelNames(schema: { name: string; num_children?: number }[]): string[] {
  const names: string[] = [];
  const rootChildren = schema[0]?.num_children ?? 0;
  let i = 1;
  for (let k = 0; k < rootChildren && i < schema.length; k++) {
    names.push(schema[i].name);
    // skip the subtree of a nested column
    let pending = schema[i].num_children ?? 0;
    i++;
    while (pending > 0 && i < schema.length) {
      pending += (schema[i].num_children ?? 0) - 1;
      i++;
    }
  }
  return names;
}
