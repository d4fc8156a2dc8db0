import { SchemaError } from '@campaign-ml/core';
import { checkColumnsExist, parseConfig } from './config';
import { explainSettings } from './explain/explain-config';

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
      tuning: { trials: 20, sampler: 'tpe', folds: 5, outOfBag: true },
      leakage: { action: 'drop' },
    });
    expect(cfg.models).toEqual(['dummy', 'logistic', 'randomForest', 'gradientBoosting', 'mlp']);
    expect(parseConfig({ data: 'x.csv', target: 'state', tuning: { trials: 2 } }).tuning.outOfBag).toBe(true);
  });

  it('takes tuning.outOfBag as a boolean only', () => {
    expect(parseConfig({ data: 'x.csv', target: 'y', tuning: { outOfBag: false } }).tuning.outOfBag).toBe(false);
    expect(problems(() => parseConfig({ data: 'x.csv', target: 'y', tuning: { outOfBag: 'no' } }))[0]).toMatch(
      /^tuning.outOfBag: /,
    );
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

  it('takes explain: { describe, actionable, fixed }, checks their columns, and reads them back from a bundle', () => {
    const cfg = parseConfig({
      data: 'x.csv',
      target: 'state',
      explain: { describe: { goal: 'funding goal (USD)' }, actionable: ['goal', 'video'], fixed: ['country'] },
    });
    expect(cfg.explain).toEqual({
      describe: { goal: 'funding goal (USD)' },
      actionable: ['goal', 'video'],
      fixed: ['country'],
    });
    // The bundle's provenance.config is the parsed config as JSON.
    expect(explainSettings(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg.explain);
    expect(explainSettings({})).toEqual({ describe: {} });
    expect(explainSettings(undefined)).toEqual({ describe: {} });
    const msgs = problems(() => checkColumnsExist(cfg, ['state', 'goal', 'country']));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/explain.actionable\[1\]: column "video" is not in the data/);
    expect(
      problems(() => parseConfig({ data: 'x.csv', target: 'y', explain: { actionable: [], describ: {} } })).join('\n'),
    ).toMatch(/explain.actionable: [\s\S]*"describ"|"describ"[\s\S]*explain.actionable: /);
    expect(problems(() => parseConfig({ data: 'x.csv', target: 'y', explain: { describe: { goal: 3 } } }))[0]).toMatch(
      /^explain.describe.goal: /,
    );
  });
});
