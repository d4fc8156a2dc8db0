import { InputError } from '@campaign-ml/core';
import { timeOrderedFolds } from './time-folds';

const WEEK = 7 * 86_400_000;

describe('timeOrderedFolds', () => {
  // 40 weeks, 3 rows per week, rows shuffled in time.
  const times = Float64Array.from({ length: 120 }, (_, i) => ((i * 37) % 40) * WEEK);

  it('expands in time: each fold validates on a later block and trains only on earlier weeks', () => {
    const folds = timeOrderedFolds(times, 4);
    expect(folds).toHaveLength(4);
    let prevEnd = -Infinity;
    for (const f of folds) {
      const trainMax = Math.max(...Array.from(f.train, (i) => times[i]));
      const testMin = Math.min(...Array.from(f.test, (i) => times[i]));
      expect(trainMax).toBeLessThan(testMin);
      expect(testMin).toBeGreaterThan(prevEnd);
      prevEnd = Math.max(...Array.from(f.test, (i) => times[i]));
      expect(f.test.length % 3).toBe(0); // a week's rows are never split
    }
    expect(folds[3].train.length).toBeGreaterThan(folds[0].train.length);
  });

  it('purges training rows whose label would fall inside the validation block', () => {
    const folds = timeOrderedFolds(times, 4, 2 * WEEK);
    const plain = timeOrderedFolds(times, 4);
    for (let k = 0; k < folds.length; k++) {
      const testMin = Math.min(...Array.from(folds[k].test, (i) => times[i]));
      for (const i of folds[k].train) expect(times[i] + 2 * WEEK).toBeLessThan(testMin);
      expect(plain[k].train.length - folds[k].train.length).toBe(6);
    }
  });

  it('refuses impossible requests', () => {
    expect(() => timeOrderedFolds(new Float64Array(10), 3)).toThrow(InputError);
    expect(() => timeOrderedFolds(times, 1)).toThrow(/folds must be an integer >= 2/);
  });
});
