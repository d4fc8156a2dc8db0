import { InputError } from './errors';
import {
  column,
  concatRows,
  createMatrix,
  fromColumns,
  fromRows,
  get,
  sameNames,
  selectColumns,
  sliceRows,
  take,
  toRows,
} from './matrix';

describe('Matrix', () => {
  const m = fromRows(
    [
      [1, 2, 3],
      [4, null, 6],
      [7, 8, 9],
    ],
    ['a', 'b', 'c'],
  );

  it('stores values column-major with NaN for missing', () => {
    expect(Array.from(m.data.slice(0, 3))).toEqual([1, 4, 7]);
    expect(get(m, 1, 1)).toBeNaN();
    expect(Array.from(column(m, 'c'))).toEqual([3, 6, 9]);
  });

  it('fromColumns keeps order and names', () => {
    const f = fromColumns({ x: [1, 2], y: new Float64Array([3, 4]) });
    expect(f.columns).toEqual(['x', 'y']);
    expect(toRows(f)).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('selectColumns, sliceRows and take produce new matrices', () => {
    expect(toRows(selectColumns(m, ['c', 'a']))).toEqual([
      [3, 1],
      [6, 4],
      [9, 7],
    ]);
    expect(toRows(sliceRows(m, 1))).toEqual([
      [4, NaN, 6],
      [7, 8, 9],
    ]);
    expect(toRows(take(m, [2, 2, 0]))).toEqual([
      [7, 8, 9],
      [7, 8, 9],
      [1, 2, 3],
    ]);
    expect(toRows(concatRows([sliceRows(m, 0, 1), sliceRows(m, 2)]))).toEqual([
      [1, 2, 3],
      [7, 8, 9],
    ]);
  });

  it('rejects bad shapes and unknown columns with clear errors', () => {
    expect(() => createMatrix(2, 2, new Float64Array(3))).toThrow(/3 values but 2 rows x 2 columns/);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => fromColumns({ a: [1, 2], b: [1] })).toThrow(/column "b" has 1 values/);
    expect(() => selectColumns(m, ['zz'])).toThrow(InputError);
    expect(() => take(m, [3])).toThrow(/out of range/);
  });

  it('selectColumns picks many of many by name or index, in order, the first of duplicate names', () => {
    const names = Array.from({ length: 20 }, (_, c) => (c === 15 ? 'f3' : `f${c}`));
    const wide = createMatrix(
      2,
      20,
      Float64Array.from({ length: 40 }, (_, i) => i),
      names,
    );
    const picked = ['f19', 'f3', 0, 'f7', 'f1', 'f2', 'f4', 'f5', 'f6', 12];
    const s = selectColumns(wide, picked);
    expect(s.columns).toEqual(['f19', 'f3', 'f0', 'f7', 'f1', 'f2', 'f4', 'f5', 'f6', 'f12']);
    expect(toRows(s)).toEqual([
      [38, 6, 0, 14, 2, 4, 8, 10, 12, 24],
      [39, 7, 1, 15, 3, 5, 9, 11, 13, 25],
    ]);
    expect(() => selectColumns(wide, [...picked, 'nope'])).toThrow(/column "nope" is not in the matrix/);
    expect(() => selectColumns(wide, [...picked, 20])).toThrow(/out of range/);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(m)).toBe(true);
  });
});

describe('column names', () => {
  it('createMatrix shares a frozen names array and copies (then freezes) any other', () => {
    const frozen = Object.freeze(['a', 'b']);
    expect(createMatrix(1, 2, new Float64Array(2), frozen).columns).toBe(frozen);
    const open = ['a', 'b'];
    const m = createMatrix(1, 2, new Float64Array(2), open);
    expect(m.columns).not.toBe(open);
    expect(Object.isFrozen(m.columns)).toBe(true);
    open[0] = 'z';
    expect(m.columns).toEqual(['a', 'b']);
  });

  it('sameNames compares element by element', () => {
    expect(sameNames(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameNames(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(sameNames(['a'], ['a', 'b'])).toBe(false);
    expect(sameNames([], [])).toBe(true);
  });
});
