/**
 * The words of target-group sentences, by language. Add a language by adding an entry with the
 * same fields; `describeTargetGroup({ language })` picks it (or `templates` passes one directly).
 */
export interface SentenceTemplates {
  /** "Income between 61,000 and 98,000" */
  between(label: string, lo: string, hi: string): string;
  /** "Income of 98,000 or more" */
  atLeast(label: string, lo: string): string;
  /** "Income up to 61,000" */
  atMost(label: string, hi: string): string;
  /** "Education: PhD or Master" (one or more values) */
  oneOf(label: string, values: readonly string[]): string;
  /** A curve that is high everywhere: "Income: any value" */
  anyValue(label: string): string;
  /** Joins the ranges of one column: "Income between 1 and 2 or 5,000 or more" */
  orRanges(conditions: readonly string[]): string;
  yes: string;
  no: string;
  /** The group's figures. */
  figures(f: GroupFigures): string;
  /** The whole sentence: a condition and its figures. */
  sentence(condition: string, figures: string): string;
  /** The name of the group meeting every condition at once. */
  allTogether: string;
  formatNumber(v: number, fractionDigits: number): string;
  formatPercent(share: number): string;
  /** A date (UTC midnight-based), for datetime columns. */
  formatDate(ms: number): string;
}

/** Figures of a group, already formatted. */
export interface GroupFigures {
  /** Share of rows in the group ("22%"). */
  share: string;
  /** What the rate is: 'rate' (probability of a class) or 'mean' (regression). */
  measure: 'rate' | 'mean';
  predicted: string;
  predictedOverall: string;
  predictedLift: string;
  observed?: string;
  observedOverall?: string;
  observedLift?: string;
}

const en: SentenceTemplates = {
  between: (label, lo, hi) => `${label} between ${lo} and ${hi}`,
  atLeast: (label, lo) => `${label} of ${lo} or more`,
  atMost: (label, hi) => `${label} up to ${hi}`,
  oneOf: (label, values) => `${label}: ${values.join(' or ')}`,
  anyValue: (label) => `${label}: any value`,
  orRanges: (conditions) => conditions.join(' or '),
  yes: 'yes',
  no: 'no',
  figures: (f) => {
    const what = f.measure === 'rate' ? 'rate' : 'mean';
    const observed =
      f.observed !== undefined
        ? `; observed ${what} ${f.observed} vs ${f.observedOverall}, lift ${f.observedLift}`
        : '';
    return `${f.share} of rows; predicted ${what} ${f.predicted} vs ${f.predictedOverall} overall, lift ${f.predictedLift}${observed}`;
  },
  sentence: (condition, figures) => `${condition} (${figures})`,
  allTogether: 'All of these together',
  formatNumber: (v, digits) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }),
  formatPercent: (share) => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`,
  formatDate: (ms) => new Date(ms).toISOString().slice(0, 10),
};

export const TEMPLATES: Readonly<Record<string, SentenceTemplates>> = { en };
