import { createRng } from '@campaign-ml/core';
import { MedianPruner, NopPruner } from './pruner';
import { GridSampler, RandomSampler, TpeSampler } from './samplers';
import { categorical, float, int, logFloat, type SearchSpace } from './space';
import { optimize, trialLog } from './study';
import { TrialPruned, type FrozenTrial } from './trial';

const space: SearchSpace = {
  x: float(-2, 2),
  lr: logFloat(1e-4, 1),
  depth: int(2, 10),
  kind: categorical(['a', 'b', 'c']),
};
// Best at x = 0.3, lr = 0.01, depth = 6, kind = 'b'.
const loss = (p: Record<string, unknown>) =>
  ((p.x as number) - 0.3) ** 2 +
  (Math.log10(p.lr as number) + 2) ** 2 / 4 +
  ((p.depth as number) - 6) ** 2 / 16 +
  (p.kind === 'b' ? 0 : 0.1);

describe('search spaces', () => {
  it('rejects invalid distributions', () => {
    expect(() => float(1, 0)).toThrow(/low must be <= high/);
    expect(() => logFloat(0, 1)).toThrow(/log scale needs low > 0/);
    expect(() => int(1.5, 3)).toThrow(/integer bounds/);
    expect(() => categorical([])).toThrow(/at least one choice/);
  });

  it('samples values inside the bounds, on the int grid, and conditional params only when active', async () => {
    const cond: SearchSpace = {
      penalty: categorical(['l2', 'elasticnet']),
      l1Ratio: float(0, 1, { when: { penalty: ['elasticnet'] } }),
      n: int(10, 100, { step: 10 }),
    };
    const study = await optimize(() => 0, { space: cond, nTrials: 40, sampler: new RandomSampler(), seed: 1 });
    for (const t of study.trials) {
      expect('l1Ratio' in t.params).toBe(t.params.penalty === 'elasticnet');
      expect((t.params.n as number) % 10).toBe(0);
      expect(t.params.n).toBeGreaterThanOrEqual(10);
      expect(t.params.n).toBeLessThanOrEqual(100);
    }
    expect(() =>
      new RandomSampler().sample({
        space: { a: float(0, 1, { when: { b: [1] } }) },
        trials: [],
        direction: 'maximize',
        trialNumber: 0,
        rng: createRng(1),
      }),
    ).toThrow(/depends on "b"/);
  });
});

describe('optimize', () => {
  it('is reproducible for a seed', async () => {
    const run = () => optimize((p) => loss(p), { space, nTrials: 25, direction: 'minimize', seed: 7 });
    const [a, b] = [await run(), await run()];
    expect(a.trials.map((t) => t.params)).toEqual(b.trials.map((t) => t.params));
    const c = await optimize((p) => loss(p), { space, nTrials: 25, direction: 'minimize', seed: 8 });
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  it('TPE finds better points than random search with the same budget', async () => {
    // Averaged over seeds: TPE is a heuristic and can lose a single run to luck.
    let tpeSum = 0;
    let rndSum = 0;
    for (let seed = 0; seed < 8; seed++) {
      const tpe = await optimize((p) => loss(p), {
        space,
        nTrials: 60,
        direction: 'minimize',
        seed,
        sampler: new TpeSampler(),
      });
      const rnd = await optimize((p) => loss(p), {
        space,
        nTrials: 60,
        direction: 'minimize',
        seed,
        sampler: new RandomSampler(),
      });
      tpeSum += tpe.bestTrial.value;
      rndSum += rnd.bestTrial.value;
    }
    expect(tpeSum).toBeLessThan(0.7 * rndSum);
  });

  it('grid search visits every combination once before repeating', async () => {
    const grid = new GridSampler({ grid: { x: [0, 1, 2] } });
    const study = await optimize((p) => -loss({ ...p, lr: 0.01, depth: 6 }), {
      space: { x: float(0, 2), kind: categorical(['a', 'b']) },
      nTrials: 6,
      sampler: grid,
      pruner: new NopPruner(),
    });
    const seen = new Set(study.trials.map((t) => `${t.params.x}/${t.params.kind}`));
    expect(seen.size).toBe(6);
    expect(study.bestTrial.params).toEqual({ x: 0, kind: 'b' });
  });

  it('the median pruner stops trials worse than the median at the same step', () => {
    const done = (v: number[]): FrozenTrial => ({
      number: 0,
      params: {},
      value: v[v.length - 1],
      state: 'complete',
      intermediate: v.map((x, i) => [i, x] as [number, number]),
      durationMs: 0,
    });
    const finished = [done([0.8, 0.82]), done([0.7, 0.71]), done([0.9, 0.9])];
    const pruner = new MedianPruner({ nStartupTrials: 3 });
    expect(pruner.shouldPrune([[0, 0.6]], finished, 'maximize')).toBe(true);
    expect(pruner.shouldPrune([[0, 0.85]], finished, 'maximize')).toBe(false);
    expect(pruner.shouldPrune([[0, 0.6]], finished, 'minimize')).toBe(false);
    expect(new MedianPruner({ nStartupTrials: 4 }).shouldPrune([[0, 0.1]], finished, 'maximize')).toBe(false);
  });

  it('records pruned and failed trials in the log and goes on', async () => {
    const study = await optimize(
      (p, trial) => {
        if (trial.number === 2) throw new Error('diverged');
        for (let fold = 0; fold < 3; fold++) {
          trial.report(-loss(p), fold);
          if (trial.shouldPrune()) throw new TrialPruned(fold);
        }
        return -loss(p);
      },
      { space, nTrials: 30, seed: 3, pruner: new MedianPruner({ nStartupTrials: 5 }) },
    );
    const states = study.trials.map((t) => t.state);
    expect(states[2]).toBe('failed');
    expect(study.trials[2].error).toBe('diverged');
    expect(states).toContain('pruned');
    expect(study.bestTrial.state).toBe('complete');
    const log = trialLog(study);
    expect(log).toHaveLength(30);
    expect(log[0]).toMatchObject({ number: 0, state: 'complete' });
  });

  it('fails clearly when no trial completes, and stops on abort', async () => {
    await expect(optimize(() => NaN, { space, nTrials: 2 })).rejects.toThrow(
      /no trial completed; trial 0: the objective returned NaN/,
    );
    const ctl = new AbortController();
    await expect(
      optimize(
        () => {
          ctl.abort();
          return 1;
        },
        { space, nTrials: 5, signal: ctl.signal },
      ),
    ).rejects.toThrow(/aborted/);
  });

  it('evaluates enqueued params first', async () => {
    const study = await optimize((p) => -loss(p), {
      space,
      nTrials: 3,
      enqueue: [{ x: 0.3, lr: 0.01, depth: 6, kind: 'b' }],
    });
    expect(study.trials[0].params).toEqual({ x: 0.3, lr: 0.01, depth: 6, kind: 'b' });
    expect(study.bestTrial.number).toBe(0);
  });
});
