import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeBundle } from '@campaign-ml/bundle/node';
import type { PipelineConfig } from '../config';
import { renderReport } from '../report/report';
import type { TrainResult } from './train-result';

/**
 * Write a run's artifacts into `<out>/<run id>/`: bundle.json, metrics.json, report.html and the
 * trial log. Everything goes to a hidden staging folder first and is renamed into place at the
 * end, so an interrupted run never leaves a half-written run folder. `<out>/latest.json` and the
 * `<out>/latest` symlink point at the newest run.
 */
export async function writeRun(result: TrainResult, cfg: PipelineConfig): Promise<string> {
  const out = path.resolve(cfg.out);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '').replace('T', '-');
  const runId = `${stamp}-${cfg.name ?? path.basename(cfg.target).replace(/[^\w.-]/g, '_')}`;
  const staging = path.join(out, `.staging-${runId}-${process.pid}`);
  const final = path.join(out, runId);
  await fs.mkdir(staging, { recursive: true });
  try {
    await writeBundle(path.join(staging, 'bundle.json'), result.bundle);
    await fs.writeFile(path.join(staging, 'metrics.json'), `${JSON.stringify(result.metrics, null, 2)}\n`);
    await fs.writeFile(path.join(staging, 'report.html'), await renderReport(result.report));
    const trials = result.metrics.models.flatMap((m) => (m.tuned?.trials ?? []).map((t) => ({ model: m.model, ...t })));
    await fs.writeFile(path.join(staging, 'trials.json'), `${JSON.stringify(trials, null, 2)}\n`);
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(staging, final);
  } catch (e) {
    await fs.rm(staging, { recursive: true, force: true });
    throw e;
  }
  const latest = path.join(out, 'latest.json');
  await fs.writeFile(`${latest}.tmp`, `${JSON.stringify({ run: runId, path: final }, null, 2)}\n`);
  await fs.rename(`${latest}.tmp`, latest);
  // <out>/latest -> the newest run folder, swapped atomically (MODEL_PATH=runs/latest/bundle.json).
  const link = path.join(out, 'latest');
  try {
    await fs.rm(`${link}.tmp`, { force: true });
    await fs.symlink(runId, `${link}.tmp`, 'dir');
    await fs.rename(`${link}.tmp`, link);
  } catch {
    // No symlinks here (some Windows setups): latest.json still names the run.
  }
  return final;
}

/** Copy a run's bundle to a fixed path by temp file + rename, so a watching API swaps it in whole. */
export async function publishBundle(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(to)), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  await fs.copyFile(from, tmp);
  await fs.rename(tmp, to);
}

/** Remove staging folders left by runs that were killed (not interrupted) mid-write. */
export async function cleanStaging(out: string): Promise<void> {
  const dir = path.resolve(out);
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => e.startsWith('.staging-'))
      .map((e) => fs.rm(path.join(dir, e), { recursive: true, force: true })),
  );
}
