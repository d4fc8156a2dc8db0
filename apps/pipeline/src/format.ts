/** A score as the CLI, the progress lines and the report print it: four decimals, "–" when missing. */
export function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '–' : v.toFixed(4);
}

/** The test metrics a person reads first, as `rocAuc 0.8123, f1Score 0.7012, accuracy 0.7650`. */
export function headline(test: Record<string, number>): string {
  const shown = Object.entries(test).filter(([k]) => ['rocAuc', 'f1Score', 'accuracy', 'rmse', 'r2'].includes(k));
  return shown.map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
}
