import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { InputError } from '@campaign-ml/core';
import type { TableSource } from './read-options';

const CHUNK = 1 << 20;

/**
 * A source of bytes that can show its first bytes (for format and delimiter sniffing) and then be
 * read chunk by chunk from the start, without holding the whole input in memory.
 */
export class ByteSource {
  readonly path: string | undefined;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly buffered: Uint8Array[] = [];
  private bufferedBytes = 0;
  private done = false;

  private constructor(path: string | undefined, iterable: AsyncIterable<Uint8Array>) {
    this.path = path;
    this.iterator = iterable[Symbol.asyncIterator]();
  }

  static async open(source: TableSource): Promise<ByteSource> {
    if (typeof source === 'string') {
      try {
        const s = await stat(source);
        if (!s.isFile()) throw new InputError('NOT_A_FILE', `"${source}" is not a file`, { value: source });
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError('FILE_NOT_FOUND', `cannot open "${source}": ${(e as Error).message}`, { value: source });
      }
      return new ByteSource(source, createReadStream(source, { highWaterMark: CHUNK }));
    }
    if (source instanceof Uint8Array) return new ByteSource(undefined, chunksOf(source));
    if (isReadable(source)) return new ByteSource(undefined, asBytes(source as AsyncIterable<unknown>));
    throw new InputError('BAD_SOURCE', 'readTable needs a file path, a Buffer/Uint8Array or a Readable stream', {
      value: typeof source,
      expected: 'string | Buffer | Readable',
    });
  }

  /** At least `min` bytes from the start (fewer only when the input is shorter). */
  async head(min: number): Promise<Buffer> {
    while (this.bufferedBytes < min && !this.done) {
      const r = await this.iterator.next();
      if (r.done) this.done = true;
      else {
        this.buffered.push(r.value);
        this.bufferedBytes += r.value.length;
      }
    }
    return Buffer.concat(this.buffered);
  }

  /** Every chunk from the start (the peeked ones first). Can be consumed once. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    while (this.buffered.length > 0) yield this.buffered.shift() as Uint8Array;
    this.bufferedBytes = 0;
    if (this.done) return;
    for (;;) {
      const r = await this.iterator.next();
      if (r.done) return;
      yield r.value;
    }
  }

  /** The whole input as one buffer (formats that need random access: XLSX, JSON, Parquet). */
  async all(): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const c of this.chunks()) parts.push(c);
    return Buffer.concat(parts);
  }

  /** Stop reading early: release the file or stream (safe to call more than once). */
  async close(): Promise<void> {
    this.done = true;
    this.buffered.length = 0;
    this.bufferedBytes = 0;
    await this.iterator.return?.();
  }

  /** The remaining input as a Node stream. */
  stream(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }
}

function isReadable(x: unknown): boolean {
  return !!x && typeof x === 'object' && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, Math.min(bytes.length, i + CHUNK));
}

async function* asBytes(it: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const c of it) {
    if (c instanceof Uint8Array) yield c;
    else if (typeof c === 'string') yield Buffer.from(c, 'utf8');
    else
      throw new InputError('BAD_SOURCE', 'the stream must yield bytes or strings (not object mode)', {
        value: typeof c,
      });
  }
}
