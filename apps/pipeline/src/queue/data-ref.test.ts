import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readArrays, writeArrays } from './data-ref';
import { fromWire, toWire } from './wire';

describe('data by reference', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'data-ref-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('round-trips arrays bit for bit, content-addressed', async () => {
    const x = Float64Array.from([1.5, NaN, -0, Infinity]);
    const idx = Uint32Array.from([3, 1, 4]);
    const ref = await writeArrays(dir, { rows: 4 }, [x, idx]);
    expect(path.basename(ref.path)).toBe(`${ref.sha256}.bin`);
    expect((await writeArrays(dir, { rows: 4 }, [x, idx])).path).toBe(ref.path);
    const back = await readArrays(ref);
    expect(back.meta).toEqual({ rows: 4 });
    expect(Buffer.from(back.arrays[0].buffer).equals(Buffer.from(x.buffer))).toBe(true);
    expect(Array.from(back.arrays[1])).toEqual([3, 1, 4]);
  });

  it('fails without retry, naming the file and both hashes, when the file is not the one the job names', async () => {
    const ref = await writeArrays(dir, {}, [Float64Array.from([1, 2])]);
    const copy = path.join(dir, 'changed.bin');
    await fs.copyFile(ref.path, copy);
    await fs.appendFile(copy, 'x');
    const err = await readArrays({ path: copy, sha256: ref.sha256 }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'UnrecoverableError' });
    expect((err as Error).message).toMatch(
      new RegExp(`changed.bin has SHA-256 [0-9a-f]{64} but the job expects ${ref.sha256}`),
    );
    const missing = await readArrays({ path: path.join(dir, 'nope.bin'), sha256: ref.sha256 }).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(/nope.bin cannot be read on this worker \(ENOENT\)/);
  });

  it('wire: typed arrays, NaN and infinities survive JSON', () => {
    const v = {
      s: { rocAuc: NaN, loss: -Infinity },
      p: Float64Array.from([0.25, 1e-300]),
      l: Int32Array.from([-1, 2]),
    };
    const back = fromWire<typeof v>(JSON.parse(JSON.stringify(toWire(v))));
    expect(back.s.rocAuc).toBeNaN();
    expect(back.s.loss).toBe(-Infinity);
    expect(back.p).toEqual(v.p);
    expect(back.l).toBeInstanceOf(Int32Array);
    expect(Array.from(back.l)).toEqual([-1, 2]);
  });
});
