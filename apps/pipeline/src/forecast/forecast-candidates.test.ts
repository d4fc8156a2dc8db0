import { createRng, fromColumns, load, type Regressor } from '@campaign-ml/core';
import { forecastCandidates } from './forecast-candidates';

const spec = {
  target: 'engagement',
  lastValue: 'engagement_last',
  lags: 2,
  rolling: [2],
  weeks: 1,
  season: 4,
  seed: 1,
  weeklyColumns: ['engagement', 'posts'],
};

describe('forecast candidates', () => {
  it('leaves the recurrent candidates out unless sequenceModels asks for them', () => {
    expect(forecastCandidates(spec).map((c) => c.name)).toEqual(['naive', 'windowMean', 'boostingLog1p']);
  });

  it('adds lstmLog1p and gruLog1p over lags..1 and the current week, servable and exact through JSON', () => {
    const cands = forecastCandidates({ ...spec, sequenceModels: ['lstm', 'gru'] });
    expect(cands.map((c) => c.name)).toEqual(['naive', 'windowMean', 'boostingLog1p', 'lstmLog1p', 'gruLog1p']);
    expect(cands[3].how).toContain('last 3 weeks of engagement, posts');
    const rng = createRng(2);
    const n = 120;
    const col = () => Float64Array.from({ length: n }, () => Math.round(rng.uniform(0, 50)));
    const X = fromColumns({
      engagement_lag_2: col(),
      posts_lag_2: col(),
      engagement_lag_1: col(),
      posts_lag_1: col(),
      engagement: col(),
      posts: col(),
      engagement_mean_2: col(),
      engagement_last: col(),
    });
    const y = col();
    for (const c of cands.slice(3)) {
      const m = c.create().fit(X, y);
      const pred = m.predict(X);
      expect(pred.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect(load<Regressor>(JSON.stringify(m)).predict(X)).toEqual(pred);
    }
  });
});
