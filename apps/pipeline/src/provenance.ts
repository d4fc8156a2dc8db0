import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BundleProvenance } from '@campaign-ml/bundle';
import type { PipelineConfig } from './config';

const PACKAGES = ['core', 'ingest', 'features', 'selection', 'models', 'tuning', 'tracking', 'bundle'];

/** Where a bundle came from: the data's hash, the config, package versions and the git commit. */
export async function provenance(dataSha256: string, rows: number, config: PipelineConfig): Promise<BundleProvenance> {
  const packageVersions: Record<string, string> = {};
  for (const p of PACKAGES) {
    try {
      const file = require.resolve(`@campaign-ml/${p}/package.json`);
      packageVersions[`@campaign-ml/${p}`] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      // not installed next to this app (e.g. a bundled build): leave it out
    }
  }
  packageVersions.node = process.versions.node;
  return { dataSha256, rows, config, packageVersions, gitSha: gitSha() };
}

function gitSha(): string | undefined {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: path.resolve(__dirname), stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}
