import { InputError, SchemaError } from './errors';
import { checkClassLabels, checkPredictColumns, checkSampleWeight, checkXy } from './input-checks';
import { fromRows } from './matrix';
import { progressReporter, throwIfAborted } from './progress';

const X = fromRows([[1], [2], [3]], ['a']);

describe('input checks', () => {
  it('rejects NaN or infinite labels, mismatched lengths and empty matrices', () => {
    expect(() => checkXy(X, [0, NaN, 1])).toThrow(/label at row 1 is NaN/);
    expect(() => checkXy(X, [0, Infinity, 1])).toThrow(InputError);
    expect(() => checkXy(X, [0, 1])).toThrow(/X has 3 rows but y has 2 labels/);
    expect(() => checkXy(fromRows([], []), [])).toThrow(/empty matrix/);
  });

  it('rejects a single class and labels outside 0..k-1', () => {
    expect(() => checkClassLabels([1, 1, 1])).toThrow(/single class/);
    expect(() => checkClassLabels([0, 1, 2], 2)).toThrow(/integers 0..1/);
    expect(() => checkClassLabels([0, 1.5])).toThrow(InputError);
    expect(checkClassLabels([0, 2, 1]).classes).toBe(3);
  });

  it('checks weights and prediction columns', () => {
    expect(() => checkSampleWeight([1, -1, 1], 3)).toThrow(/row 1 is -1/);
    expect(() => checkSampleWeight([0, 0, 0], 3)).toThrow(/zero/);
    expect(() => checkPredictColumns(X, ['a', 'b'])).toThrow(/fitted on 2 features but X has 1/);
    expect(() => checkPredictColumns(X, ['b'])).toThrow(/feature 0 is "a" but the model expects "b"/);
  });

  it('error details carry code, row and value', () => {
    try {
      checkXy(X, [0, NaN, 1]);
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_LABEL', row: 1 });
    }
    const err = new SchemaError([
      { code: 'A', message: 'one', row: 1 },
      { code: 'B', message: 'two' },
      { code: 'C', message: 'three' },
      { code: 'D', message: 'four' },
    ]);
    expect(err.message).toMatch(/one; two; three; 1 more. See error.problems for all 4/);
  });
});

describe('progress and abort', () => {
  it('reports progress and stops on abort', () => {
    const seen: number[] = [];
    const ctl = new AbortController();
    const tick = progressReporter('work', 10, { onProgress: (p) => seen.push(p.done), signal: ctl.signal }, 5);
    for (let i = 1; i <= 10; i++) tick(i);
    expect(seen).toEqual([1, 6, 10]);
    ctl.abort();
    expect(() => tick(11)).toThrow(/aborted/);
    expect(() => throwIfAborted(ctl.signal)).toThrow();
  });
});
