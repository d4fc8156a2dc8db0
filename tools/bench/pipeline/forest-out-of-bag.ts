/**
 * The random-forest stage of `train` scored out of bag (the default) against k-fold CV
 * (`--no-out-of-bag`), runs interleaved so both see the same machine load: the stage's wall time
 * of each run, the median ratio, and the forest's CV and test ROC AUC.
 *
 *   npx tsx tools/bench/pipeline/forest-out-of-bag.ts [repeats] [-- train flags]
 *
 * Default flags: the embedded sample, --models randomForest --trials 4 --no-ensemble. For the
 * Kickstarter study table: -- --config apps/pipeline/examples/kickstarter.yaml --models randomForest --trials 4
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'apps/pipeline/src/main.ts');
const repeats = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 2;
const dash = process.argv.indexOf('--');
const flags = dash > 0 ? process.argv.slice(dash + 1) : ['--models', 'randomForest', '--trials', '4', '--no-ensemble'];
const out = mkdtempSync(path.join(os.tmpdir(), 'bench-forest-oob-'));

interface Run {
  stageSeconds: number;
  cv: number;
  test: number;
}

function train(extra: string[]): Run {
  const stdout = execFileSync(
    process.execPath,
    ['--import', 'tsx', main, 'train', ...flags, '--out', out, '--no-tracking', '--json', ...extra],
    { cwd: root, maxBuffer: 256 << 20 },
  ).toString();
  const { metrics } = JSON.parse(stdout) as {
    metrics: {
      stageTimesMs: Record<string, number>;
      models: Array<{
        model: string;
        baseline: { cv: { mean: number }; test: { rocAuc: number } };
        tuned?: { cv: { mean: number }; test: { rocAuc: number } };
      }>;
    };
  };
  const rf = metrics.models.find((m) => m.model === 'randomForest')!;
  const kept = rf.tuned ?? rf.baseline;
  return { stageSeconds: metrics.stageTimesMs['Random forest'] / 1000, cv: kept.cv.mean, test: kept.test.rocAuc };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

try {
  const kfold: Run[] = [];
  const oob: Run[] = [];
  for (let i = 0; i < repeats; i++) {
    kfold.push(train(['--no-out-of-bag']));
    oob.push(train([]));
  }
  const show = (name: string, runs: Run[]) =>
    console.log(
      `${name.padEnd(12)} forest stage ${runs.map((r) => r.stageSeconds.toFixed(1)).join(' / ')} s; CV AUC ${runs[0].cv.toFixed(4)}; test AUC ${runs[0].test.toFixed(4)}`,
    );
  show('k-fold', kfold);
  show('out-of-bag', oob);
  const ratios = kfold.map((k, i) => oob[i].stageSeconds / k.stageSeconds);
  console.log(
    `out-of-bag / k-fold forest stage time: median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
