import type { ColumnTable } from 'arquero';
import * as aq from 'arquero';
import { ConfigError, createRng, type Rng } from '@campaign-ml/core';
import type { Bundle } from '@campaign-ml/bundle';
import {
  changedColumns,
  counterfactualSetMetrics,
  type CounterfactualSetMetrics,
  type MetricColumn,
} from './cf-metrics';
import { targetEvaluator, type CounterfactualTarget, type TargetCheck } from './cf-target';
import {
  candidateValues,
  columnDomain,
  fromNumber,
  inDomain,
  toNumber,
  type ColumnDomain,
  type ColumnRange,
} from './column-domain';

/** `column` may not fall before (notBefore) or after (notAfter) another column of the same record. */
export interface RelationConstraint {
  column: string;
  notBefore?: string;
  notAfter?: string;
}

export interface CounterfactualOptions {
  /** Columns the search may change. */
  actionable: readonly string[];
  /** Columns that never change (they win over `actionable`). */
  fixed?: readonly string[];
  target: CounterfactualTarget;
  /** How many counterfactuals to return at most. Default 4. */
  k?: number;
  /** Seed of the random part of the search. Default 0. */
  seed?: number;
  /** Per-column ranges inside the observed range (numbers; dates as ISO strings or epoch ms). */
  ranges?: Readonly<Record<string, ColumnRange>>;
  /** Monotone constraints: a column may only go up ('increase') or down ('decrease'). */
  monotone?: Readonly<Record<string, 'increase' | 'decrease'>>;
  /** Relations between columns, checked on every counterfactual that changes one of them. */
  relations?: readonly RelationConstraint[];
  /** Most columns one counterfactual changes. Default: all actionable ones. */
  maxChanges?: number;
  /** Partial solutions kept per search level. Default 40. */
  beamWidth?: number;
  /** Random multi-column candidates scored with the first level (seeded). Default 200. */
  randomSamples?: number;
  /** Training data: MAD computed from it instead of approximated from the bundle's reference. */
  data?: ColumnTable;
  /** Weights of the DiCE-style pick: proximity 0.2, sparsity 0.2, diversity 5 (DiCE's genetic defaults). */
  weights?: { proximity?: number; sparsity?: number; diversity?: number };
}

export interface CounterfactualChange {
  column: string;
  /** Raw JSON values, as a record carries them (dates as ISO strings). */
  from: unknown;
  to: unknown;
}

export interface Counterfactual {
  /** The complete record, raw as the input record (unchanged fields exactly as given). */
  record: Record<string, unknown>;
  /** The target class's probability (classifiers), or the predicted value (regression). */
  probability: number;
  /** Whether it reaches the target (always true for the returned ones). */
  valid: boolean;
  changes: CounterfactualChange[];
  /** MAD-scaled distance to the original record (smaller is closer). */
  proximity: number;
  /** Columns changed. */
  sparsity: number;
}

export interface CounterfactualResult {
  original: { probability: number; meetsTarget: boolean };
  /** The class whose probability is reported, or null (regression). */
  targetClass: string | null;
  counterfactuals: Counterfactual[];
  metrics: CounterfactualSetMetrics;
  /** Candidate records scored, and the scoreTable calls that scored them. */
  evaluated: number;
  scoreCalls: number;
}

type Typed = Record<string, unknown>;
interface Variant {
  changes: Map<string, unknown>;
  key: string;
}
interface Scored extends Variant, TargetCheck {
  proximity: number;
}

function keyOf(changes: Map<string, unknown>): string {
  return [...changes.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([c, v]) => `${c}=${v instanceof Date ? v.getTime() : JSON.stringify(v)}`)
    .join('|');
}

function variant(changes: Map<string, unknown>): Variant {
  return { changes, key: keyOf(changes) };
}

function raw(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}

function checkColumns(names: unknown, field: string, known: ReadonlySet<string>): string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    throw new ConfigError('INVALID_OPTION', `${field} must be a list of column names`, { column: field, value: names });
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length)
    throw new ConfigError('UNKNOWN_COLUMN', `${field} names "${unknown[0]}", which the model does not read`, {
      column: `${field}.${unknown[0]}`,
      value: unknown[0],
      expected: `one of: ${[...known].join(', ')}`,
    });
  return names as string[];
}

function positiveInt(v: unknown, field: string, fallback: number, max = Infinity): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max)
    throw new ConfigError(
      'INVALID_OPTION',
      `${field} must be an integer from 1 to ${max}, found ${JSON.stringify(v)}`,
      {
        column: field,
        value: v,
      },
    );
  return v;
}

/**
 * What-to-change advice: up to `k` diverse records, each changing only actionable columns of
 * `record`, that reach the target. The search is a seeded beam over sparse changes:
 *
 * 1. every single-column change over candidate values (reference deciles, the observed range's
 *    ends, the current value scaled or moved by MADs, every other category), plus
 *    `randomSamples` random multi-column changes, scored in one `scoreTable` call;
 * 2. while fewer than k kinds of valid change (columns, categories, directions; not a superset of a
 *    smaller valid kind) are found, the `beamWidth` closest-to-target invalid records of the
 *    last level each get one more column changed (one call per level, up to `maxChanges`);
 * 3. post-hoc sparsity on the closest three of every kind: a change that is not needed is reverted; a numeric or date change is
 *    moved back toward the original value as far as the target still holds (one call per round);
 * 4. records that only go further the same way as another one (the same columns and categories,
 *    every number or date moved at least as far in the same direction) are dropped; then a DiCE-style
 *    greedy pick of k: closest first, then the one that best trades the set's
 *    diversity (det of K, K_ij = 1 / (1 + distance)) against proximity and sparsity.
 *
 * Every candidate stays inside its column's domain (the training data's observed range narrowed by
 * `ranges`, integer columns integral, categories the reference saw, `monotone` directions) and
 * satisfies `relations`. Fixed and non-actionable columns never change.
 */
export function counterfactuals(
  bundle: Bundle,
  record: Record<string, unknown>,
  options: CounterfactualOptions,
): CounterfactualResult {
  if (!options || typeof options !== 'object')
    throw new ConfigError('MISSING_OPTION', 'options { actionable, target } are required', { column: 'options' });
  const inputs = new Set(bundle.features.inputColumns);
  const fixed = new Set(checkColumns(options.fixed, 'fixed', inputs));
  const actionable = checkColumns(options.actionable, 'actionable', inputs).filter((c) => !fixed.has(c));
  if (actionable.length === 0)
    throw new ConfigError(
      'NO_ACTIONABLE',
      'no column may change: name at least one actionable column that is not fixed',
      {
        column: 'actionable',
      },
    );
  const evaluator = targetEvaluator(bundle, options.target);
  const k = positiveInt(options.k, 'k', 4, 100);
  const maxChanges = positiveInt(options.maxChanges, 'maxChanges', actionable.length);
  const beamWidth = positiveInt(options.beamWidth, 'beamWidth', 40);
  const randomSamples = options.randomSamples === 0 ? 0 : positiveInt(options.randomSamples, 'randomSamples', 200);
  const schemaNames = new Set(bundle.document.schema.columns.map((c) => c.name));
  for (const field of ['ranges', 'monotone'] as const) {
    for (const c of Object.keys(options[field] ?? {}))
      if (!actionable.includes(c))
        throw new ConfigError('UNKNOWN_COLUMN', `${field}.${c}: "${c}" is not an actionable column`, {
          column: `${field}.${c}`,
        });
  }
  for (const [c, dir] of Object.entries(options.monotone ?? {}))
    if (dir !== 'increase' && dir !== 'decrease')
      throw new ConfigError('INVALID_OPTION', `monotone.${c} must be "increase" or "decrease"`, {
        column: `monotone.${c}`,
        value: dir,
      });
  const relations = options.relations ?? [];
  relations.forEach((r, i) => {
    const other = r.notBefore ?? r.notAfter;
    for (const [f, name] of [
      ['column', r.column],
      [r.notBefore !== undefined ? 'notBefore' : 'notAfter', other],
    ] as const)
      if (typeof name !== 'string' || !schemaNames.has(name))
        throw new ConfigError(
          'UNKNOWN_COLUMN',
          `relations[${i}].${f} names ${JSON.stringify(name)}, not a schema column`,
          {
            column: `relations[${i}].${f}`,
            value: name,
          },
        );
  });

  const typedTable = bundle.recordsToTable([record]);
  const columnNames = typedTable.columnNames();
  const original: Typed = {};
  for (const c of columnNames) original[c] = typedTable.get(c, 0);
  const domains = new Map<string, ColumnDomain>(
    actionable.map((c) => [
      c,
      columnDomain(bundle, c, { range: options.ranges?.[c], direction: options.monotone?.[c], data: options.data }),
    ]),
  );
  const candidates = new Map(actionable.map((c) => [c, candidateValues(domains.get(c)!, original[c])]));
  const schemaOf = new Map(bundle.document.schema.columns.map((c) => [c.name, c]));
  const metricColumns: MetricColumn[] = bundle.features.inputColumns.map((c) => {
    const d = domains.get(c);
    const t = schemaOf.get(c)?.type;
    const continuous = t === 'number' || t === 'integer' || t === 'datetime';
    return { name: c, mad: continuous ? (d?.mad ?? 1) : undefined };
  });
  const valueOf = (v: Variant, c: string): unknown => (v.changes.has(c) ? v.changes.get(c) : original[c]);
  const proximityOf = (v: Variant): number => {
    let d = 0;
    for (const [c, val] of v.changes) {
      const dom = domains.get(c)!;
      if (dom.kind === 'numeric' || dom.kind === 'datetime') {
        const a = toNumber(original[c]);
        d += Number.isFinite(a) ? Math.abs(toNumber(val) - a) / dom.mad : 1;
      } else d += 1;
    }
    return d;
  };
  const relationsHold = (v: Variant): boolean => {
    for (const r of relations) {
      const other = (r.notBefore ?? r.notAfter)!;
      if (!v.changes.has(r.column) && !v.changes.has(other)) continue;
      const a = toNumber(valueOf(v, r.column));
      const b = toNumber(valueOf(v, other));
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (r.notBefore !== undefined && a < b) return false;
      if (r.notAfter !== undefined && a > b) return false;
    }
    return true;
  };

  let evaluated = 0;
  let scoreCalls = 0;
  const seen = new Map<string, Scored>();
  const score = (variants: readonly Variant[]): Scored[] => {
    const fresh: Variant[] = [];
    const keys = new Set<string>();
    for (const v of variants)
      if (!seen.has(v.key) && !keys.has(v.key) && relationsHold(v)) {
        keys.add(v.key);
        fresh.push(v);
      }
    if (fresh.length) {
      const cols: Record<string, unknown[]> = {};
      for (const c of columnNames) cols[c] = fresh.map((v) => valueOf(v, c));
      const scores = bundle.scoreTable(aq.table(cols));
      scoreCalls++;
      evaluated += fresh.length;
      fresh.forEach((v, i) => seen.set(v.key, { ...v, ...evaluator.check(scores, i), proximity: proximityOf(v) }));
    }
    return variants.filter((v) => seen.has(v.key)).map((v) => seen.get(v.key)!);
  };

  const originalCheck = score([variant(new Map())])[0];
  const rank = (a: Scored, b: Scored) =>
    a.gap - b.gap || a.proximity - b.proximity || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const rng: Rng = createRng(options.seed ?? 0);

  // 1. single changes and seeded random multi-column changes
  const level: Variant[] = [];
  for (const c of actionable) for (const v of candidates.get(c)!) level.push(variant(new Map([[c, v]])));
  const withValues = actionable.filter((c) => candidates.get(c)!.length > 0);
  for (let s = 0; s < randomSamples && withValues.length > 0; s++) {
    const size = 1 + rng.int(Math.min(maxChanges, withValues.length));
    const changes = new Map<string, unknown>();
    for (const i of rng.sampleIndices(withValues.length, size)) {
      const vals = candidates.get(withValues[i])!;
      changes.set(withValues[i], vals[rng.int(vals.length)]);
    }
    level.push(variant(changes));
  }
  score(level);
  // Distinct kinds of valid change (columns, categories, directions): records of one kind collapse
  // into the closest in the sparsity pass, so the beam goes on until k kinds are found.
  const kindOf = (v: Variant): string =>
    [...v.changes]
      .map(
        ([c, x]) =>
          `${c}:${typeof x === 'number' || x instanceof Date ? Math.sign(toNumber(x) - toNumber(original[c])) : String(x)}`,
      )
      .sort()
      .join('|');
  // Kinds not explained by a smaller valid kind (a subset of its changes) count toward k.
  const minimalKinds = (): number => {
    const kinds = [...new Set([...seen.values()].filter((v) => v.valid && v.changes.size > 0).map(kindOf))].map(
      (kd) => new Set(kd.split('|')),
    );
    return kinds.filter((a) => !kinds.some((b) => b.size < a.size && [...b].every((t) => a.has(t)))).length;
  };

  // 2. beam: add one more change to the closest-to-target invalid records of the previous level
  for (let size = 2; size <= maxChanges && minimalKinds() < k; size++) {
    const beam = [...seen.values()]
      .filter((s) => !s.valid && s.changes.size === size - 1)
      .sort(rank)
      .slice(0, beamWidth);
    const next: Variant[] = [];
    for (const b of beam)
      for (const c of actionable) {
        if (b.changes.has(c)) continue;
        for (const v of candidates.get(c)!) next.push(variant(new Map([...b.changes, [c, v]])));
      }
    if (next.length === 0) break;
    score(next);
  }

  // 3. post-hoc sparsity on the best valid records
  // The closest few of every kind, so that the sparsity pass works on varied records.
  const byKind = new Map<string, Scored[]>();
  for (const v of seen.values())
    if (v.valid && v.changes.size > 0) {
      const kd = kindOf(v);
      byKind.set(kd, [...(byKind.get(kd) ?? []), v]);
    }
  let pool = [...byKind.values()]
    .flatMap((list) => list.sort((a, b) => a.proximity - b.proximity || rank(a, b)).slice(0, 3))
    .sort((a, b) => a.changes.size - b.changes.size || a.proximity - b.proximity || rank(a, b))
    .slice(0, Math.max(50 * k, 200));
  pool = revertUnneeded(pool, score, maxChanges);
  pool = moveTowardOriginal(pool, score, domains, original, relationsHold);

  // 4. distinct, then a diverse pick
  const distinct = new Map<string, Scored>();
  for (const p of pool) if (p.valid && !distinct.has(p.key)) distinct.set(p.key, p);
  const undominated = dropDominated([...distinct.values()], original);
  const picked = pickDiverse(undominated, k, metricColumns, valueOf, options.weights);
  const typedRecords = picked.map((p) => {
    const t: Typed = { ...original };
    for (const [c, v] of p.changes) t[c] = v;
    return t;
  });
  const result: Counterfactual[] = picked.map((p, i) => {
    const out = { ...record };
    const changes: CounterfactualChange[] = [];
    for (const c of changedColumns(metricColumns, original, typedRecords[i])) {
      out[c] = raw(typedRecords[i][c]);
      changes.push({ column: c, from: raw(original[c]), to: raw(typedRecords[i][c]) });
    }
    return {
      record: out,
      probability: p.value,
      valid: p.valid,
      changes,
      proximity: p.proximity,
      sparsity: changes.length,
    };
  });
  return {
    original: { probability: originalCheck.value, meetsTarget: originalCheck.valid },
    targetClass: evaluator.className,
    counterfactuals: result,
    metrics: counterfactualSetMetrics(metricColumns, original, typedRecords, k),
    evaluated,
    scoreCalls,
  };
}

type ScoreFn = (variants: readonly Variant[]) => Scored[];

/** Revert changes the target does not need, the one that brings the record closest first, until none can go. */
function revertUnneeded(pool: Scored[], score: ScoreFn, rounds: number): Scored[] {
  let current = pool;
  for (let r = 0; r < rounds; r++) {
    const trials: Variant[] = [];
    for (const p of current)
      if (p.changes.size > 1)
        for (const c of p.changes.keys()) {
          const m = new Map(p.changes);
          m.delete(c);
          trials.push(variant(m));
        }
    if (trials.length === 0) break;
    const scored = new Map(score(trials).map((s) => [s.key, s]));
    let improved = false;
    current = current.map((p) => {
      let best: Scored | undefined;
      if (p.changes.size > 1)
        for (const c of p.changes.keys()) {
          const m = new Map(p.changes);
          m.delete(c);
          const s = scored.get(keyOf(m));
          if (s?.valid && (!best || s.proximity < best.proximity)) best = s;
        }
      if (best) improved = true;
      return best ?? p;
    });
    if (!improved) break;
  }
  return current;
}

const STEPS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** After the coarse pass: points up to halfway back (consecutive STEPS are at most 2x apart). */
const FINE_STEPS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/**
 * Move each numeric or date change back toward the original value: the smallest step of the way
 * (STEPS, then FINE_STEPS of the value found) at which the target still holds.
 */
function moveTowardOriginal(
  pool: Scored[],
  score: ScoreFn,
  domains: ReadonlyMap<string, ColumnDomain>,
  original: Typed,
  relationsHold: (v: Variant) => boolean,
): Scored[] {
  let current = pool;
  const columns = [...domains.values()].filter((d) => d.kind === 'numeric' || d.kind === 'datetime');
  for (const d of columns) {
    for (const grid of ['coarse', 'fine'] as const) {
      const trials = new Map<number, { t: number; v: Variant }[]>();
      current.forEach((p, i) => {
        if (!p.changes.has(d.name)) return;
        const from = toNumber(original[d.name]);
        const to = toNumber(p.changes.get(d.name));
        if (!Number.isFinite(from)) return;
        const steps = grid === 'coarse' ? STEPS : FINE_STEPS;
        const list: { t: number; v: Variant }[] = [];
        for (const t of steps) {
          const value = fromNumber(d, from + t * (to - from));
          const n = toNumber(value);
          if (n === from || n === to || !inDomain(d, value, original[d.name])) continue;
          const m = new Map(p.changes);
          m.set(d.name, value);
          const v = variant(m);
          if (relationsHold(v)) list.push({ t, v });
        }
        if (list.length) trials.set(i, list);
      });
      if (trials.size === 0) continue;
      const scored = new Map(score([...trials.values()].flatMap((l) => l.map((x) => x.v))).map((s) => [s.key, s]));
      current = current.map((p, i) => {
        const list = trials.get(i);
        if (!list) return p;
        for (const { v } of list.sort((a, b) => a.t - b.t)) {
          const s = scored.get(v.key);
          if (s?.valid && s.proximity <= p.proximity) return s;
        }
        return p;
      });
    }
  }
  return current;
}

/**
 * Drop a record dominated by another: the same changed columns and category values, and every
 * numeric or date change in the same direction and at least as far from the original. "Cut the goal
 * to 1" adds nothing next to "cut the goal to 3,500"; diversity alone would prefer it.
 */
function dropDominated(pool: Scored[], original: Typed): Scored[] {
  const dominates = (a: Scored, b: Scored): boolean => {
    if (a.key === b.key || a.changes.size !== b.changes.size) return false;
    for (const [c, va] of a.changes) {
      if (!b.changes.has(c)) return false;
      const vb = b.changes.get(c);
      const o = toNumber(original[c]);
      const x = toNumber(va);
      const y = toNumber(vb);
      if (typeof va === 'number' || va instanceof Date) {
        if (!Number.isFinite(o) || Math.sign(x - o) !== Math.sign(y - o) || Math.abs(y - o) < Math.abs(x - o))
          return false;
      } else if (va !== vb) return false;
    }
    return true;
  };
  return pool.filter((b) => !pool.some((a) => dominates(a, b)));
}

/** DiCE-style greedy pick: the closest first, then the best trade of det(K) against proximity and sparsity. */
function pickDiverse(
  pool: Scored[],
  k: number,
  columns: readonly MetricColumn[],
  valueOf: (v: Variant, c: string) => unknown,
  weights: CounterfactualOptions['weights'] = {},
): Scored[] {
  const wp = weights.proximity ?? 0.2;
  const ws = weights.sparsity ?? 0.2;
  const wd = weights.diversity ?? 5;
  const n = columns.length;
  const cost = (p: Scored) => (wp * p.proximity) / n + (ws * p.changes.size) / n;
  const sorted = [...pool].sort((a, b) => cost(a) - cost(b) || (a.key < b.key ? -1 : 1));
  const picked: Scored[] = [];
  const dist = (a: Scored, b: Scored) => {
    let d = 0;
    for (const c of columns) {
      const x = valueOf(a, c.name);
      const y = valueOf(b, c.name);
      const same = x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
      if (same) continue;
      d += c.mad === undefined ? 1 : Math.min(Math.abs(toNumber(x) - toNumber(y)) / c.mad, 1e6) || 1;
    }
    return d;
  };
  while (picked.length < k && picked.length < sorted.length) {
    let best: Scored | undefined;
    let bestObj = -Infinity;
    for (const c of sorted) {
      if (picked.includes(c)) continue;
      const set = [...picked, c];
      const K = set.map((a) => set.map((b) => (a === b ? 1 : 1 / (1 + dist(a, b)))));
      const obj = (picked.length ? wd * determinant(K) : 0) - cost(c);
      if (obj > bestObj) {
        bestObj = obj;
        best = c;
      }
    }
    if (!best) break;
    picked.push(best);
  }
  return picked;
}

function determinant(m: number[][]): number {
  const a = m.map((r) => [...r]);
  const n = a.length;
  let det = 1;
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(a[r][i]) > Math.abs(a[p][i])) p = r;
    if (a[p][i] === 0) return 0;
    if (p !== i) {
      [a[p], a[i]] = [a[i], a[p]];
      det = -det;
    }
    det *= a[i][i];
    for (let r = i + 1; r < n; r++) {
      const f = a[r][i] / a[i][i];
      for (let c = i; c < n; c++) a[r][c] -= f * a[i][c];
    }
  }
  return det;
}
