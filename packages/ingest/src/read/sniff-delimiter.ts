/** Candidate delimiters, in order of preference on ties. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/**
 * Pick the delimiter from the first lines of the text: the candidate that splits the sampled lines
 * into the same number (> 1) of fields most consistently, then most often. Quoted text is ignored.
 */
export function sniffDelimiter(
  sample: string,
  candidates: readonly string[] = DELIMITER_CANDIDATES,
  quote = '"',
): string {
  const maxLines = 20;
  const counts: number[][] = candidates.map(() => []);
  const current = candidates.map(() => 0);
  let inQuote = false;
  let lines = 0;
  for (let i = 0; i < sample.length && lines < maxLines; i++) {
    const ch = sample[i];
    if (ch === quote) {
      inQuote = !inQuote;
      continue;
    }
    if (inQuote) continue;
    if (ch === '\n') {
      for (let c = 0; c < candidates.length; c++) {
        counts[c].push(current[c]);
        current[c] = 0;
      }
      lines++;
      continue;
    }
    const k = candidates.indexOf(ch);
    if (k >= 0) current[k]++;
  }
  if (lines === 0) for (let c = 0; c < candidates.length; c++) if (current[c] > 0) counts[c].push(current[c]);
  let best = candidates[0];
  let bestScore = -1;
  for (let c = 0; c < candidates.length; c++) {
    const xs = counts[c];
    if (xs.length === 0 || xs[0] === 0) continue;
    const same = xs.filter((x) => x === xs[0]).length / xs.length;
    const score = same * 1000 + Math.min(xs[0], 999);
    if (score > bestScore) {
      bestScore = score;
      best = candidates[c];
    }
  }
  return best;
}
