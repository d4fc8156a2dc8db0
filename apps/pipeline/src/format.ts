/** A score as the CLI, the progress lines and the report print it: four decimals, "–" when missing. */
export function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '–' : v.toFixed(4);
}
