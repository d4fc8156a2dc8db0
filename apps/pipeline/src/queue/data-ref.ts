import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UnrecoverableError } from 'bullmq';

/**
 * Data by reference: a job names a file and its SHA-256 instead of carrying rows. The coordinator
 * writes each training set (and each fold's row indices) once, content-addressed, into a directory
 * every worker sees at the same path (a shared volume across machines); a worker reads it once,
 * checks the hash and keeps it for the next jobs.
 */
export interface DataRef {
  path: string;
  sha256: string;
}

type Arr = Float64Array | Uint32Array;

/** One file: a length-prefixed JSON header (meta and the arrays' types and lengths), then the arrays' bytes. */
export async function writeArrays(dir: string, meta: object, arrays: readonly Arr[]): Promise<DataRef> {
  const header = Buffer.from(
    JSON.stringify({
      meta,
      arrays: arrays.map((a) => ({ type: a instanceof Float64Array ? 'f64' : 'u32', length: a.length })),
    }),
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const parts = [len, header, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
  const bytes = Buffer.concat(parts);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await fs.mkdir(dir, { recursive: true });
  const file = path.resolve(dir, `${sha256}.bin`);
  const exists = await fs.stat(file).then(
    (s) => s.size === bytes.length,
    () => false,
  );
  if (!exists) {
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  }
  return { path: file, sha256 };
}

export interface ReadArrays {
  meta: Record<string, unknown>;
  arrays: Arr[];
}

/**
 * Read a file written by writeArrays and check it is the one the job names. A missing file or a
 * different hash fails the job at once (UnrecoverableError: retrying elsewhere cannot help, and
 * the reason says what to fix).
 */
export async function readArrays(ref: DataRef): Promise<ReadArrays> {
  const bytes = await readVerified(ref);
  const n = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + n).toString()) as {
    meta: Record<string, unknown>;
    arrays: Array<{ type: 'f64' | 'u32'; length: number }>;
  };
  let at = 4 + n;
  const arrays = header.arrays.map(({ type, length }) => {
    const size = length * (type === 'f64' ? 8 : 4);
    const copy = new ArrayBuffer(size);
    new Uint8Array(copy).set(bytes.subarray(at, at + size));
    at += size;
    return type === 'f64' ? new Float64Array(copy) : new Uint32Array(copy);
  });
  return { meta: header.meta, arrays };
}

/** The file's bytes when its SHA-256 is the one expected; else an UnrecoverableError naming both. */
export async function readVerified(ref: DataRef): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(ref.path);
  } catch (e) {
    throw new UnrecoverableError(
      `data file ${ref.path} cannot be read on this worker (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ` +
        "workers must see the coordinator's --queue-data directory at the same path",
    );
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== ref.sha256)
    throw new UnrecoverableError(
      `data file ${ref.path} has SHA-256 ${actual} but the job expects ${ref.sha256}: ` +
        'the file changed after the job was queued, or this worker sees another file at that path',
    );
  return bytes;
}

/** SHA-256 of a file, streamed (inputs to score may be larger than memory). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await fs.open(file, 'r');
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return hash.digest('hex');
}

/** sha256File, or an UnrecoverableError when it is not `ref.sha256`. */
export async function verifyFile(ref: DataRef): Promise<void> {
  let actual: string;
  try {
    actual = await sha256File(ref.path);
  } catch (e) {
    throw new UnrecoverableError(
      `file ${ref.path} cannot be read on this worker (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (actual !== ref.sha256)
    throw new UnrecoverableError(
      `file ${ref.path} has SHA-256 ${actual} but the job expects ${ref.sha256}: it changed after the job was queued`,
    );
}
