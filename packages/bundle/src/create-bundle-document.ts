import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleDocument } from './bundle';

/** What a bundle holds: every field of the document but the four createBundleDocument fills in. */
export type BundleContent = Omit<BundleDocument, 'format' | 'version' | 'id' | 'createdAt'>;

/** Who the bundle is: by default a fresh id and the current time. */
export interface BundleIdentity {
  /** The bundle's id. Default: `<name>-<first 8 hex digits of provenance.dataSha256>-<createdAt, base-36 ms>`. */
  id?: string;
  /** The first part of the default id, e.g. the run's name (default "bundle"). */
  name?: string;
  /** When the bundle was made (default: now). */
  createdAt?: Date;
}

/**
 * A bundle document: the format and version this release writes, an id and a creation time,
 * then the content in the order given. The one place a bundle document is put together, so a
 * new format version changes here only.
 *
 * ```ts
 * const content = { task, target, schema, features, model, metrics, provenance };
 * await writeBundle('bundle.json', createBundleDocument(content, { name: 'kickstarter' }));
 * ```
 */
export function createBundleDocument(content: BundleContent, identity: BundleIdentity = {}): BundleDocument {
  const createdAt = identity.createdAt ?? new Date();
  const stamp = createdAt.getTime().toString(36);
  const id = identity.id ?? `${identity.name ?? 'bundle'}-${content.provenance.dataSha256.slice(0, 8)}-${stamp}`;
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, id, createdAt: createdAt.toISOString(), ...content };
}
