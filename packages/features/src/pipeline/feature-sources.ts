/**
 * Which input columns an output feature is made from, read from the feature's name and the group
 * that made it: a group's features are named after its columns (`goal`, `country=US`,
 * `launched_at.month_sin`, `goal.missing`, `log1p(goal)`, `created_at→launched_at_days`, `pledged/goal`), under
 * the group's prefix. The longest column name that starts the feature's name is its source, and a
 * column named after `→` or `/` a second one. A feature no name rule places (a whole-matrix step's
 * `pca1`) is made from every column of its group, or of the pipeline when no group claims it.
 */
export interface SourceGroup {
  prefix: string;
  columns: readonly string[];
}

const LEADING_SEPARATORS = ['=', '.', '_', ':', '→', '/', '[', ' '];
const JOINERS = ['→', '/'];

export function featureSources(
  names: readonly string[],
  groups: readonly SourceGroup[],
  inputColumns: readonly string[],
): string[][] {
  return names.map((name) => {
    let claimed: string[] | null = null;
    for (const g of groups) {
      if (!name.startsWith(g.prefix)) continue;
      const bare = name.slice(g.prefix.length);
      const found = sourcesByName(bare, g.columns);
      if (found.length) return found;
      // A group that cannot name its source still claims the feature when its prefix is specific.
      if (g.prefix && !claimed) claimed = [...g.columns];
    }
    return claimed ?? [...inputColumns];
  });
}

function sourcesByName(bare: string, columns: readonly string[]): string[] {
  const first = longestLeading(bare, columns) ?? longestWrapped(bare, columns);
  if (!first) return [];
  const out = [first];
  const rest = bare.slice(first.length);
  for (const j of JOINERS) {
    const at = rest.indexOf(j);
    if (at < 0) continue;
    const second = longestLeading(rest.slice(at + j.length), columns);
    if (second && !out.includes(second)) out.push(second);
  }
  return out;
}

/** A column inside a function-style name: `log1p(goal)`. */
function longestWrapped(text: string, columns: readonly string[]): string | null {
  let best: string | null = null;
  for (const c of columns) {
    if (best && c.length <= best.length) continue;
    const at = text.indexOf(`(${c}`);
    if (at < 0) continue;
    const after = text.charAt(at + 1 + c.length);
    if (after === ')' || after === ',' || LEADING_SEPARATORS.includes(after)) best = c;
  }
  return best;
}

function longestLeading(text: string, columns: readonly string[]): string | null {
  let best: string | null = null;
  for (const c of columns) {
    if (best && c.length <= best.length) continue;
    if (text === c || (text.startsWith(c) && LEADING_SEPARATORS.includes(text.charAt(c.length)))) best = c;
  }
  return best;
}
