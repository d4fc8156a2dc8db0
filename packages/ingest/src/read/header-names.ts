import type { ReadWarning } from './read-options';

const WARN_LIMIT = 20;

/**
 * Column names from a header row: blanks become `column_<n>`, repeats become `name.1`, `name.2`...
 * (never clashing with a name already present). Each rename is reported as a warning (the first
 * 20 one by one, then one summary).
 */
export function uniqueHeaderNames(raw: readonly unknown[], warn: (w: ReadWarning) => void): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  for (const r of raw) if (r !== null && r !== undefined && String(r) !== '') taken.add(String(r));
  const used = new Set<string>();
  const nextSuffix = new Map<string, number>();
  let renamed = 0;
  const report = (w: ReadWarning): void => {
    renamed++;
    if (renamed <= WARN_LIMIT) warn(w);
  };
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    let name = r === null || r === undefined ? '' : String(r);
    if (name === '') {
      let k = i + 1;
      name = `column_${k}`;
      while (taken.has(name) || used.has(name)) name = `column_${++k}`;
      report({
        code: 'BLANK_HEADER',
        column: name,
        message: `column ${i + 1} has no name in the header; it is called "${name}"`,
      });
    } else if (used.has(name)) {
      const base = name;
      let k = nextSuffix.get(base) ?? 1;
      while (taken.has(`${base}.${k}`) || used.has(`${base}.${k}`)) k++;
      nextSuffix.set(base, k + 1);
      name = `${base}.${k}`;
      report({
        code: 'DUPLICATE_HEADER',
        column: name,
        message: `column ${i + 1} repeats the header name "${base}"; it is renamed "${name}"`,
      });
    }
    used.add(name);
    names.push(name);
  }
  if (renamed > WARN_LIMIT) {
    warn({
      code: 'HEADER_RENAMES',
      message: `${renamed - WARN_LIMIT} more header names were blank or repeated and were renamed the same way`,
    });
  }
  return names;
}
