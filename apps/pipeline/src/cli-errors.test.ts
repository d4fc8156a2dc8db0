import { SchemaError, type Problem } from '@campaign-ml/core';
import { formatSchemaError } from './cli-errors';

const coercion = (column: string, expected: string, values: [unknown, number][]): Problem[] =>
  values.map(([value, row]) => ({
    code: 'COERCION_FAILED',
    column,
    row,
    value,
    expected,
    message: `column "${column}" expected ${expected}, found ${JSON.stringify(value)} (row ${row})`,
  }));

describe('formatSchemaError', () => {
  it('groups by column, names the bad values and rows, and counts the rest', () => {
    const rows: [unknown, number][] = Array.from({ length: 14 }, (_, i) => [`${i}.5`, i + 1]);
    const text = formatSchemaError(new SchemaError(coercion('charges', 'an integer', rows), 'Could not convert'));
    expect(text).toMatch(
      /column "charges" \(14 values\): expected an integer, found "0\.5" \(row 1\), "1\.5" \(row 2\), "2\.5" \(row 3\) and 11 more \(rows 4, 5, 6, 7, 8, 9, 10, 11, \.\.\.\)/,
    );
    // The values are numbers: the type is wrong, and the fix is the config key.
    expect(text).toMatch(/column's type is what is wrong: .*features\.types: \{ "charges": number \}/);
    expect(text).not.toMatch(/SchemaError|problems/);
  });

  it('suggests the missing list for words in a number column', () => {
    const text = formatSchemaError(
      new SchemaError(
        coercion('age', 'an integer', [
          ['unknown', 4],
          ['unknown', 9],
        ]),
        'Could not convert',
      ),
    );
    expect(text).toMatch(/found "unknown" \(row 4\), "unknown" \(row 9\)/);
    expect(text).toMatch(/missing: \["unknown"\]/);
  });
});
