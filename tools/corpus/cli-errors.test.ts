/**
 * Issue 12, item 8: a typing error at training names the bad values and rows, and says the fix in
 * CLI terms (config keys), not library class names; the run exits with 2.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { missingTokenTable } from '../generators/missing-token-table';
import { pipelineCli } from './pipeline-cli';

const t = missingTokenTable();
let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-errors-'));
  await fs.writeFile(path.join(dir, 'census.csv'), t.csv);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function failing(types: string): Promise<{ code: number; stderr: string }> {
  const config = path.join(dir, 'config.yaml');
  await fs.writeFile(
    config,
    `data: ${path.join(dir, 'census.csv')}\ntarget: ${t.target}\nmodels: [logistic]\ntuning: { trials: 0 }\ntracking: { enabled: false }\nfeatures: { types: ${types} }\nout: ${path.join(dir, 'runs')}\n`,
  );
  try {
    await pipelineCli(['train', '--config', config, '--quiet']);
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
  throw new Error('training should have failed');
}

describe('typing errors a CLI user can act on', () => {
  it('a word in a number column: names it with its rows and offers the missing list', async () => {
    const { code, stderr } = await failing('{ age: integer }');
    expect(code).toBe(2);
    const rowsWithUnknown = t.rows.flatMap((r, i) => (r[0] === 'unknown' ? [i + 1] : []));
    expect(stderr).toContain(`found "unknown" (row ${rowsWithUnknown[0]})`);
    expect(stderr).toMatch(/missing: \["unknown"\]/);
    expect(stderr).toMatch(/features\.types/);
    expect(stderr).not.toMatch(/SchemaError|error\.problems|coerceToSchema/);
  }, 120_000);

  it('amounts forced to integer: says the type is what is wrong', async () => {
    const { stderr } = await failing('{ capital_gain: integer }');
    expect(stderr).toMatch(/column "capital_gain" \(\d+ values\): expected an integer, found "[\d.]+" \(row \d+\)/);
    expect(stderr).toMatch(/the column's type is what is wrong: .*features\.types: \{ "capital_gain": number \}/);
  }, 120_000);
});
