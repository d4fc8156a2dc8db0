import { choosePositiveClass } from './positive-class';

const counts = (entries: [string, number][]) => new Map(entries);

describe('choosePositiveClass', () => {
  it.each([
    [['0', '1'], '1'],
    [['False', 'True'], 'True'],
    [['no', 'yes'], 'yes'],
    [['failed', 'successful'], 'successful'],
    [['Churned', 'Stayed'], 'Churned'],
    [['bad', 'good'], 'bad'],
    [['No', 'Yes'], 'Yes'],
    [['<=50K', '>50K'], '>50K'],
    [['Attrited Customer', 'Existing Customer'], 'Attrited Customer'],
  ])('picks the label whose name marks the event: %j -> %s, whatever the counts', (labels, want) => {
    // The named label is the majority here: the name still wins.
    const c = counts([
      [labels[0], 10],
      [labels[1], 10],
    ]);
    c.set(want, 90);
    const choice = choosePositiveClass(labels, c);
    expect(choice).toMatchObject({ label: want, rule: 'name' });
    expect(choice.message).toMatch(/--positive <label>/);
  });

  it('otherwise picks the minority class, and says so', () => {
    const choice = choosePositiveClass(
      ['north', 'south'],
      counts([
        ['north', 70],
        ['south', 30],
      ]),
    );
    expect(choice).toMatchObject({ label: 'south', rule: 'minority' });
    expect(choice.message).toMatch(/minority class, 30\.0% of rows/);
    const other = choosePositiveClass(
      ['north', 'south'],
      counts([
        ['north', 20],
        ['south', 80],
      ]),
    );
    expect(other.label).toBe('north');
  });

  it('keeps the configured label', () => {
    expect(choosePositiveClass(['no', 'yes'], counts([]), 'no')).toMatchObject({ label: 'no', rule: 'config' });
  });
});
