import { formatFloat, toCsv } from './csv-writer';

describe('toCsv', () => {
  it('quotes only fields that need it and doubles quotes', () => {
    const text = toCsv(
      ['a', 'b', 'c'],
      [
        { a: 'plain', b: 'x, y', c: 'say "hi"' },
        { a: 'line\nbreak', b: null, c: 'ok' },
      ],
    );
    expect(text).toBe('a,b,c\nplain,"x, y","say ""hi"""\n"line\nbreak",,ok\n');
  });

  it('writes booleans as True/False and float columns the way Python does', () => {
    const text = toCsv(
      ['n', 'f', 'b'],
      [
        { n: 5530, f: 5530, b: true },
        { n: 3, f: 0.1 + 0.2, b: false },
      ],
      { floatColumns: ['f'] },
    );
    expect(text).toBe('n,f,b\n5530,5530.0,True\n3,0.30000000000000004,False\n');
  });

  it('supports another delimiter, a BOM and no final newline', () => {
    const text = toCsv(['x', 'y'], [{ x: 1, y: 'a;b' }], { delimiter: ';', bom: true, trailingNewline: false });
    expect(text).toBe('\uFEFFx;y\n1;"a;b"');
  });

  it('formats floats like Python repr', () => {
    expect(formatFloat(0)).toBe('0.0');
    expect(formatFloat(1.31629521)).toBe('1.31629521');
    expect(formatFloat(723.9623655)).toBe('723.9623655');
  });
});
