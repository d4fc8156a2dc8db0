import * as aq from 'arquero';
import type { Schema } from '@campaign-ml/schema';
import { plausibleRanges, rangeWarnings } from './plausibility';

const schema: Schema = {
  rows: 100,
  columns: [
    { name: 'age', type: 'integer', role: 'feature', required: true, missing: 0, min: 18, max: 64 },
    { name: 'delta', type: 'number', role: 'feature', required: true, missing: 0, min: -10, max: 10 },
    { name: 'id', type: 'identifier', role: 'id', required: true, missing: 0 },
    { name: 'y', type: 'number', role: 'target', required: true, missing: 0, min: 0, max: 1 },
  ],
};

describe('plausibility', () => {
  it('widens the training range by half its width, and never below 0 for a column that had no negatives', () => {
    expect(plausibleRanges(schema)).toEqual([
      { column: 'age', min: 18, max: 64, low: 0, high: 87 },
      { column: 'delta', min: -10, max: 10, low: -20, high: 20 },
    ]);
  });

  it('names each implausible value of a row; plausible rows and missing values get no warning', () => {
    const t = aq.table({ age: [-5, 30, 120, null], delta: [0, -25, 19, 3] });
    expect(rangeWarnings(t, plausibleRanges(schema))).toEqual([
      '"age" -5 is far outside the training range 18..64',
      '"delta" -25 is far outside the training range -10..10',
      '"age" 120 is far outside the training range 18..64',
      '',
    ]);
  });
});
