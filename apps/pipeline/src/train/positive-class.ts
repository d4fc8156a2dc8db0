// Which label of a binary target is "positive" when the config does not say: the one whose
// name says it (yes, true, 1, success*, churn, default, bad, fraud...), else the minority class
// (the event a campaign predicts is usually the rarer one). The run says which rule chose it.

/** Label spellings that name the event, strongest first (matched case-insensitively, whole label). */
const POSITIVE_WORDS: readonly RegExp[] = [
  /^(?:1|1\.0|true|t|yes|y)$/,
  /^(?:positive|pos)$/,
  /^success/,
  /^(?:churn(?:ed)?|attrited(?: customer)?|attrition|exited|left)$/,
  /^(?:default(?:ed)?|bad|fraud(?:ulent)?|delinquent)$/,
  /^(?:won|win|converted|responded|accepted|approved|subscribed|purchased|clicked)$/,
  /^>\s*50k$/,
];

export interface PositiveChoice {
  label: string;
  /** How it was chosen, for the run's output: 'config', 'name' or 'minority'. */
  rule: 'config' | 'name' | 'minority';
  /** A sentence saying which label and why, and how to change it. */
  message: string;
}

/**
 * The positive label of a binary target: `configured` when given, else the label whose name says
 * it (both or neither: the next rule), else the minority class (a tie: the second in natural order).
 */
export function choosePositiveClass(
  labels: readonly string[],
  counts: ReadonlyMap<string, number>,
  configured?: string,
): PositiveChoice {
  const change = 'pass --positive <label> (config key `positive`) to change it';
  if (configured !== undefined)
    return { label: configured, rule: 'config', message: `positive class "${configured}" (from the config)` };
  for (const word of POSITIVE_WORDS) {
    const hits = labels.filter((l) => word.test(l.trim().toLowerCase()));
    if (hits.length === 1)
      return {
        label: hits[0],
        rule: 'name',
        message: `positive class "${hits[0]}" (its name marks the event; the other label is "${labels.find((l) => l !== hits[0])}"); ${change}`,
      };
  }
  const [a, b] = labels;
  const label = (counts.get(a) ?? 0) < (counts.get(b) ?? 0) ? a : b;
  const share = (counts.get(label) ?? 0) / ((counts.get(a) ?? 0) + (counts.get(b) ?? 0));
  return {
    label,
    rule: 'minority',
    message: `positive class "${label}" (the minority class, ${(100 * share).toFixed(1)}% of rows; no label name marks the event); ${change}`,
  };
}
