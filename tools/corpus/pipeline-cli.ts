/** The pipeline CLI as a user runs it (`tsx apps/pipeline/src/main.ts ...`), for the corpus tests. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(root, 'apps/pipeline/src/main.ts');

/** Runs the CLI; resolves to its stdout, rejects (with stderr on the error) when it exits non-zero. */
export async function pipelineCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(tsx, [main, ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
}

/** `train ... --json` with tracking and the ensemble off; resolves to the run directory. */
export async function trainCli(args: string[]): Promise<{ runDir: string; stderr: string }> {
  const { stdout, stderr } = await pipelineCli(['train', ...args, '--no-ensemble', '--no-tracking', '--json']);
  return { runDir: (JSON.parse(stdout) as { runDir: string }).runDir, stderr };
}
