import { duplicatesIdentifier, hiddenIdentifierReason } from './hidden-identifier';
import { missingPredicate } from './missing-tokens';

const isMissing = missingPredicate();
const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

describe('hiddenIdentifierReason', () => {
  it('finds row numbers from 0 or 1, as numbers or digit strings, whatever the name', () => {
    expect(
      hiddenIdentifierReason(
        'x',
        3,
        range(12, (i) => i),
        isMissing,
      ),
    ).toMatch(/row numbers \(0\.\.11\)/);
    expect(
      hiddenIdentifierReason(
        'x',
        3,
        range(12, (i) => String(i + 1)),
        isMissing,
      ),
    ).toMatch(/row numbers/);
  });

  it('finds unique integers that rise or fall with the rows (20+ rows), but not times', () => {
    const up = range(30, (i) => 500 + i * i);
    expect(hiddenIdentifierReason('ref', 2, up, isMissing)).toMatch(/rise/);
    expect(hiddenIdentifierReason('ref', 2, [...up].reverse(), isMissing)).toMatch(/fall/);
    expect(hiddenIdentifierReason('created_at', 2, up, isMissing)).toBeUndefined();
    expect(hiddenIdentifierReason('ref', 2, up.slice(0, 15), isMissing)).toBeUndefined();
  });

  it("finds a saved index: the first column with a blank header (ingest's column_1, pandas' Unnamed: 0)", () => {
    const shuffled = range(40, (i) => (i * 17) % 40);
    expect(hiddenIdentifierReason('column_1', 0, shuffled, isMissing)).toMatch(/saved index/);
    expect(hiddenIdentifierReason('Unnamed: 0', 0, shuffled, isMissing)).toMatch(/saved index/);
    expect(hiddenIdentifierReason('column_1', 1, shuffled, isMissing)).toBeUndefined();
  });

  it('leaves amounts alone: fractions, repeats, missing values, shuffled unique integers', () => {
    expect(
      hiddenIdentifierReason(
        'x',
        1,
        range(30, (i) => i + 0.5),
        isMissing,
      ),
    ).toBeUndefined();
    expect(
      hiddenIdentifierReason(
        'x',
        1,
        range(30, (i) => Math.floor(i / 2)),
        isMissing,
      ),
    ).toBeUndefined();
    expect(hiddenIdentifierReason('x', 1, [...range(29, (i) => i), null], isMissing)).toBeUndefined();
    expect(
      hiddenIdentifierReason(
        'x',
        1,
        range(40, (i) => (i * 17) % 40),
        isMissing,
      ),
    ).toBeUndefined();
  });
});

describe('duplicatesIdentifier', () => {
  it('matches value for value or at a constant integer offset, nothing else', () => {
    const id = range(10, (i) => (i * 7) % 10);
    expect(duplicatesIdentifier(id.map(String), id, isMissing)).toBe(true);
    expect(
      duplicatesIdentifier(
        id.map((v) => (v as number) + 1000),
        id,
        isMissing,
      ),
    ).toBe(true);
    expect(
      duplicatesIdentifier(
        id.map((v) => (v as number) * 2),
        id,
        isMissing,
      ),
    ).toBe(false);
  });
});
