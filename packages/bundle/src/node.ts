import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SerializationError } from '@campaign-ml/core';
import { Bundle, type BundleDocument } from './bundle';

/** Read and check a bundle file. */
export async function readBundle(file: string): Promise<Bundle> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new SerializationError('BUNDLE_NOT_FOUND', `cannot read bundle ${file}: ${reason}`, { value: file });
  }
  return Bundle.fromJSON(text);
}

/** Write a bundle atomically: a temp file in the same folder, then rename. */
export async function writeBundle(file: string, doc: BundleDocument): Promise<void> {
  Bundle.fromJSON(doc); // never write a bundle that would not load
  await writeFileAtomic(file, JSON.stringify(doc));
}

/** Write a file atomically: a crash never leaves half of it (temp file in the same folder, then rename). */
export async function writeFileAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
