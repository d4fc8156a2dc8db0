import { ConfigError } from '@campaign-ml/core';

/** Where a database is: a URL (`sqlite:path`, `postgres://...`) or a SQLite file path. */
export interface DatabaseLocation {
  /** `sqlite:path/to.db`, `sqlite://path`, `sqlite::memory:`, or `postgres://user@host:5432/db`. */
  url?: string;
  /** A SQLite file path (the embedded default). */
  path?: string;
}

export type ResolvedLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Decide the dialect from the location; a bare url without a scheme is a SQLite file path. */
export function resolveLocation(loc: DatabaseLocation): ResolvedLocation {
  if (loc.url && loc.path) throw new ConfigError('AMBIGUOUS_DATABASE', 'give either url or path, not both');
  if (loc.path) return { dialect: 'sqlite', path: loc.path };
  const url = loc.url;
  if (!url)
    throw new ConfigError(
      'MISSING_DATABASE',
      'no database given; pass { url: "postgres://..." } or { path: "file.db" }',
      { expected: 'url or path' },
    );
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const m = /^sqlite:(?:\/\/)?(.*)$/i.exec(url);
  if (m) {
    if (!m[1])
      throw new ConfigError('MISSING_DATABASE', `"${url}" names no SQLite file; write sqlite:path/to/file.db`, {
        value: url,
      });
    return { dialect: 'sqlite', path: m[1] };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(
      'UNSUPPORTED_DATABASE',
      `unsupported database URL "${url.replace(/\/\/[^@/]*@/, '//***@')}"`,
      {
        expected: 'sqlite:path or postgres://user@host:port/db',
      },
    );
  }
  return { dialect: 'sqlite', path: url };
}
