/** The `explain` settings of a pipeline config, as a bundle's provenance.config carries them. */
export interface ExplainSettings {
  /** Column labels of the target-group sentences (`explain.describe`). */
  describe: Record<string, string>;
  /** Columns what-to-change advice may change (`explain.actionable`, the key the API's /v1/what-if reads). */
  actionable?: string[];
  /** Columns it never changes (`explain.fixed`). */
  fixed?: string[];
}

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/**
 * Read `explain: { describe, actionable, fixed }` from a training config stored in a bundle
 * (`bundle.document.provenance.config`). Bundles trained before these keys existed, or wrapped
 * by `pipeline bundle`, have none: empty labels and no lists.
 */
export function explainSettings(config: unknown): ExplainSettings {
  const e = ((config ?? {}) as Record<string, unknown>).explain;
  const ex = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
  const describe: Record<string, string> = {};
  if (ex.describe && typeof ex.describe === 'object')
    for (const [k, v] of Object.entries(ex.describe as Record<string, unknown>))
      if (typeof v === 'string') describe[k] = v;
  const actionable = stringList(ex.actionable);
  const fixed = stringList(ex.fixed);
  return { describe, ...(actionable ? { actionable } : {}), ...(fixed ? { fixed } : {}) };
}
