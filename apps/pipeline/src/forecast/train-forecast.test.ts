import * as path from 'node:path';
import { Bundle } from '@campaign-ml/bundle';
import { ConfigError, InputError } from '@campaign-ml/core';
import { parseConfig, type PipelineConfigInput } from '../config';
import { Progress } from '../progress';
import { train, type TrainResult } from '../train/train';
import type { ForecastMetricsDocument } from './train-forecast';
import { trainForecast } from './train-forecast';

const sample = path.resolve(__dirname, '../../../../data/engagement-sample.csv');
const base: PipelineConfigInput = {
  name: 'engagement-test',
  data: sample,
  target: 'engagement',
  timeseries: { entity: 'profile_id', time: 'date' },
  models: ['dummy', 'logistic', 'gradientBoosting'],
  tuning: { trials: 0, folds: 3 },
  tracking: { enabled: false },
};
const cfg = parseConfig(base);
const quiet = () => new Progress('quiet');
const strip = (r: TrainResult) =>
  JSON.stringify({
    ...r.metrics,
    stageTimesMs: undefined,
    models: r.metrics.models.map((m) => ({
      ...m,
      baseline: { ...m.baseline, fitMs: 0 },
      tuned: m.tuned && { ...m.tuned, trials: m.tuned.trials.map((t) => ({ ...t, durationMs: 0 })) },
    })),
  });

describe('the engagement forecast on the embedded sample', () => {
  let first: TrainResult;
  let m: ForecastMetricsDocument;
  beforeAll(async () => {
    first = await train(cfg, quiet()); // train() hands a timeseries config to trainForecast
    m = first.metrics as ForecastMetricsDocument;
  }, 180_000);

  it('reports RMSE, MAE, R² and MASE for every horizon and candidate, naive included', () => {
    expect(Object.keys(m.horizons)).toEqual(['7', '14', '21', '28']);
    for (const [days, h] of Object.entries(m.horizons)) {
      expect(h.days).toBe(Number(days));
      expect(h.target).toBe(`engagement_ahead_${h.weeks}`);
      expect(Object.keys(h.test).sort()).toEqual([
        'boostingLog1p',
        'dummy',
        'gradientBoosting',
        'logistic',
        'naive',
        'seasonalNaive',
        'windowMean',
      ]);
      for (const t of Object.values(h.test))
        for (const k of ['rmse', 'mae', 'r2', 'mase']) expect(Number.isFinite(t[k])).toBe(true);
      expect(h.test.naive.mase).toBeCloseTo(h.test.naive.mae / h.maseScale, 12);
      expect(Object.keys(h.cvRmse).sort()).toEqual(Object.keys(h.test).sort());
      expect(h.trainRows).toBeGreaterThan(1000);
      expect(h.testRows).toBeGreaterThan(300);
      // dummy (the training mean) explains nothing; the naive last value and the best model a lot
      expect(Math.abs(h.test.dummy.r2)).toBeLessThan(0.1);
      expect(h.naive.test.r2).toBeGreaterThan(0.5);
      expect(h.best.test.r2).toBeGreaterThan(0.5);
    }
    expect(m.models.map((r) => r.model)).toContain('naive_28d');
    expect(m.task).toBe('regression');
    expect(m.best).toEqual({ ...m.horizons['7'].best });
    expect(m.forecast.bundleHorizonDays).toBe(7);
  });

  it('serves, per horizon, the lowest CV RMSE (naive on ties) and is never worse than naive on the test weeks', () => {
    for (const h of Object.values(m.horizons)) {
      const served = h.best.model.replace(/_\d+d$/, '');
      expect(h.served.model).toBe(h.best.model);
      expect(h.best.cv.mean).toBe(h.cvRmse[served]);
      expect(h.cvRmse[served]).toBeLessThanOrEqual(h.cvRmse.naive);
      const naiveFolds = m.models.find((r) => r.model === `naive_${h.days}d`)!.baseline.cv.folds;
      if (served !== 'naive') h.best.cv.folds.forEach((v, f) => expect(v).toBeLessThan(naiveFolds[f]));
      expect(h.beatsNaive).toBe(h.best.test.rmse < h.naive.test.rmse);
      expect(h.rmseVsNaive).toBeCloseTo(h.best.test.rmse / h.naive.test.rmse, 12);
      expect(h.rmseVsNaive).toBeLessThanOrEqual(1);
      expect(first.report.warnings.some((w) => w.startsWith(`${h.days} d: ${h.served.title} serves`))).toBe(true);
      expect(first.report.warnings.some((w) => w.startsWith(`At ${h.days} days the served model`))).toBe(false);
      expect(m.models.find((r) => r.model === `naive_${h.days}d`)!.title).toBe(`Naive last value · ${h.days} d`);
    }
    expect(first.report.warnings[0]).toMatch(/bundle\.json serves the 7-day horizon/);
    expect(first.report.curves).toEqual([]);
    expect(first.report.importance.length).toBeGreaterThan(0);
  });

  it('trains only on weeks whose label is known before the cutoff; tests on weeks after it', () => {
    const cutoff = Date.parse(m.forecast.cutoff);
    const dates = first.testTable.array('date') as Date[];
    expect(Math.min(...dates.map((d) => d.getTime()))).toBeGreaterThanOrEqual(cutoff);
    const ref = first.bundle.reference!;
    expect(ref.rows).toBe(m.horizons['7'].trainRows);
  });

  it("gives the same metrics with timeseries.engine 'duckdb' (weekly features as SQL, out of core)", async () => {
    const sql = await train(
      parseConfig({ ...base, timeseries: { ...base.timeseries!, engine: 'duckdb', memoryLimit: '256MB' } }),
      quiet(),
    );
    const s = sql.metrics as ForecastMetricsDocument;
    for (const [days, h] of Object.entries(m.horizons)) {
      expect(s.horizons[days].trainRows).toBe(h.trainRows);
      expect(s.horizons[days].testRows).toBe(h.testRows);
      expect(s.horizons[days].served.model).toBe(h.served.model);
      for (const [name, t] of Object.entries(h.test)) expect(s.horizons[days].test[name].rmse).toBeCloseTo(t.rmse, 6);
    }
  }, 180_000);

  it('writes a bundle for the 7-day horizon that reproduces the test predictions bit for bit', () => {
    const bundle = Bundle.fromJSON(JSON.parse(JSON.stringify(first.bundle)));
    expect(bundle.document.target.column).toBe('engagement_ahead_1');
    expect(bundle.document.model.name).toBe(m.horizons['7'].best.model); // the option chosen for 7 days
    const cols = bundle.document.schema.columns.map((c) => c.name);
    expect(cols).toEqual(m.forecast.inputs);
    expect(cols.some((c) => c.includes('_ahead_'))).toBe(false);
    const again = bundle.scoreTable(first.testTable);
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.testScores.buffer))).toBe(true);
  });
});

describe('forecast tuning and config errors', () => {
  const h7 = { entity: 'profile_id', time: 'date', horizons: [7] };

  it('tunes on time-ordered folds and keeps baseline and tuned side by side', async () => {
    const r = await trainForecast(
      parseConfig({ ...base, models: ['logistic'], timeseries: h7, tuning: { trials: 3, folds: 3 } }),
      quiet(),
    );
    const m = r.metrics as ForecastMetricsDocument;
    expect(Object.keys(m.horizons)).toEqual(['7']);
    const ridge = m.models.find((x) => x.model === 'logistic_7d')!;
    expect(ridge.tuned?.trials).toHaveLength(3);
    expect(ridge.tuned!.trials[0].C).toBe(1); // the defaults are trial 0...
    expect(ridge.tuned!.cv.mean).toBeLessThanOrEqual(ridge.baseline.cv.mean); // ...so tuning never reports worse
    expect(ridge.tuned!.cv.folds).toHaveLength(3);
    expect(m.models.find((x) => x.model === 'naive_7d')!.tuned).toBeUndefined();
  });

  it('gives the same metrics and predictions for the same config and seed', async () => {
    const c = parseConfig({ ...base, models: ['dummy', 'gradientBoosting'], timeseries: h7 });
    const [a, b] = [await trainForecast(c, quiet()), await trainForecast(c, quiet())];
    expect(strip(b)).toBe(strip(a));
    expect(Buffer.from(b.testScores.buffer).equals(Buffer.from(a.testScores.buffer))).toBe(true);
  }, 30_000);

  it('refuses a classification task, other horizons than whole weeks, and a cutoff with no test weeks', async () => {
    await expect(trainForecast(parseConfig({ ...base, task: 'binary' }), quiet())).rejects.toThrow(ConfigError);
    await expect(
      trainForecast(
        parseConfig({ ...base, timeseries: { entity: 'profile_id', time: 'date', horizons: [10] } }),
        quiet(),
      ),
    ).rejects.toThrow(/multiples of 7/);
    const late = trainForecast(
      parseConfig({ ...base, timeseries: { entity: 'profile_id', time: 'date', cutoff: '2030-01-01' } }),
      quiet(),
    );
    await expect(late).rejects.toThrow(InputError);
    await expect(
      trainForecast(
        parseConfig({ ...base, timeseries: { entity: 'profile_id', time: 'date', cutoff: 'soon' } }),
        quiet(),
      ),
    ).rejects.toThrow(/not a date/);
    await expect(trainForecast(parseConfig({ ...base, models: ['mlp'] }), quiet())).rejects.toThrow(/forecast trains/);
  });
});
