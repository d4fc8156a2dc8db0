import { fileURLToPath } from 'node:url';
import { FileStore } from './file-store';
import { RestStore } from './rest-store';
import type { Tracker } from './tracker';

/**
 * The tracker for a URI, as MLflow reads MLFLOW_TRACKING_URI: `http(s)://...` → the REST API of a
 * tracking server; `file:///...` or a plain path → the file store; nothing → `./mlruns`.
 */
export function createTracker(uri: string | undefined = process.env.MLFLOW_TRACKING_URI): Tracker {
  if (!uri) return new FileStore('mlruns');
  if (/^https?:\/\//i.test(uri)) return new RestStore(uri);
  if (uri.startsWith('file:')) return new FileStore(fileURLToPath(uri));
  return new FileStore(uri);
}
