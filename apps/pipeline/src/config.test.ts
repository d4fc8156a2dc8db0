import { SchemaError } from '@campaign-ml/core';
import { checkColumnsExist, parseConfig } from './config';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SchemaError) return e.problems.map((p) => p.message);
    throw e;
  }
  throw new Error('expected a SchemaError');
}

describe('pipeline config', () => {
  it('fills defaults', () => {
    const cfg = parseConfig({ data: 'x.csv', target: 'state' });
    expect(cfg).toMatchObject({
      seed: 42,
      out: 'runs',
      split: { method: 'stratified', testSize: 0.2 },
      tuning: { trials: 20, sampler: 'tpe', folds: 5 },
      leakage: { action: 'drop' },
    });
    expect(cfg.models).toEqual(['dummy', 'logistic', 'randomForest', 'gradientBoosting', 'mlp']);
  });

  it('names unknown keys, wrong types and bad values with their path', () => {
    const msgs = problems(() =>
      parseConfig({
        data: 'x.csv',
        target: 'state',
        tunning: {},
        seed: 'forty-two',
        split: { testSize: 1.5 },
        models: ['xgboost'],
      }),
    );
    expect(msgs.join('\n')).toMatch(/"tunning"/);
    expect(msgs.join('\n')).toMatch(/^seed: /m);
    expect(msgs.join('\n')).toMatch(/^split.testSize: /m);
    expect(msgs.join('\n')).toMatch(/^models.0: /m);
    expect(msgs.length).toBe(4);
  });

  it('rejects a metric that does not fit the task and incomplete splits', () => {
    expect(
      problems(() => parseConfig({ data: 'x.csv', target: 'y', task: 'regression', tuning: { metric: 'rocAuc' } }))[0],
    ).toMatch(/tuning.metric: "rocAuc" is a classification metric but task is regression/);
    expect(problems(() => parseConfig({ data: 'x.csv', target: 'y', split: { method: 'time' } }))[0]).toMatch(
      /split.column and split.cutoff/,
    );
    expect(problems(() => parseConfig({ data: 'x.csv' }))[0]).toMatch(/^target: /);
  });

  it('names a target or column that is not in the data, with a suggestion', () => {
    const cfg = parseConfig({ data: 'x.csv', target: 'State', features: { drop: ['nope'] } });
    const msgs = problems(() => checkColumnsExist(cfg, ['state', 'goal']));
    expect(msgs[0]).toMatch(/target: column "State" is not in the data \(did you mean "state"\?\)/);
    expect(msgs[1]).toMatch(/features.drop\[0\]: column "nope"/);
  });
});
