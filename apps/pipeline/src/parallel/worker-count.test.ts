import * as os from 'node:os';
import { workerCount } from './worker-count';

describe('workerCount', () => {
  it('defaults to two workers, or one on a single core', () => {
    expect(workerCount({})).toBe(Math.min(2, os.availableParallelism()));
    expect(workerCount({ CAMPAIGN_ML_WORKERS: ' ' })).toBe(Math.min(2, os.availableParallelism()));
  });

  it('takes CAMPAIGN_ML_WORKERS when it is a positive integer', () => {
    expect(workerCount({ CAMPAIGN_ML_WORKERS: '1' })).toBe(1);
    expect(workerCount({ CAMPAIGN_ML_WORKERS: '3' })).toBe(3);
  });

  it('names the variable and the expected value when it is not', () => {
    for (const bad of ['0', '-2', '1.5', 'two']) {
      expect(() => workerCount({ CAMPAIGN_ML_WORKERS: bad })).toThrow(
        /CAMPAIGN_ML_WORKERS must be a positive integer .*got "/,
      );
    }
  });
});
