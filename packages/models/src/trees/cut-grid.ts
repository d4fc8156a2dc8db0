/**
 * Coding a value as the number of sorted cut points below it, without a search: a uniform grid
 * over the finite cuts gives the count for all earlier cells, and at most `steps` forward compares
 * finish the job. Used to bin training matrices (cuts = bin edges) and prediction inputs (cuts =
 * a model's thresholds).
 */

/**
 * Cells of width 1 / inv from cuts[0]: cell(x) = clamp(floor((x - lo) * inv), 0, G), and
 * start[c] = number of cuts whose cell is below c. Every such cut is < x for x in cell c (cell() is
 * monotone) and every cut in a later cell is > x, so code(x) = start[c] + (cuts of cell c below x),
 * at most `steps` of them.
 */
export interface CutGrid {
  lo: number;
  inv: number;
  G: number;
  start: Uint8Array;
  steps: number;
}

export function cutGrid(cuts: Float64Array): CutGrid {
  let finite = 0;
  while (finite < cuts.length && cuts[finite] !== Infinity) finite++;
  if (finite <= 1) return { lo: finite ? cuts[0] : 0, inv: 0, G: 0, start: new Uint8Array(1), steps: finite };
  const lo = cuts[0];
  const span = cuts[finite - 1] - lo;
  let best: CutGrid | null = null;
  for (let G = 4 * finite; G <= 16384; G *= 2) {
    const inv = G / span;
    if (!Number.isFinite(inv) || inv === 0) break;
    const start = new Uint8Array(G + 1);
    const inCell = new Int32Array(G + 1);
    for (let i = 0; i < finite; i++) inCell[cellOf(cuts[i], lo, inv, G)]++;
    let steps = 0;
    for (let c = 0; c < G; c++) start[c + 1] = start[c] + inCell[c];
    for (let c = 0; c <= G; c++) if (inCell[c] > steps) steps = inCell[c];
    best = { lo, inv, G, start, steps };
    if (steps <= 2) break;
  }
  return best ?? { lo, inv: 0, G: 0, start: new Uint8Array(1), steps: finite };
}

export function cellOf(x: number, lo: number, inv: number, G: number): number {
  const t = (x - lo) * inv;
  return t > 0 ? (t < G ? Math.floor(t) : G) : 0;
}

/**
 * Number of cuts < x (x not NaN). `cuts` must be sorted and hold a +Infinity after the last finite
 * cut (see paddedCuts), so the forward steps stop there.
 */
export function codeOf(grid: CutGrid, cuts: Float64Array, x: number): number {
  const t = (x - grid.lo) * grid.inv;
  let k = grid.start[t > 0 ? (t < grid.G ? t | 0 : grid.G) : 0];
  for (let s = 0; s < grid.steps; s++) k += +(cuts[k] < x);
  return k;
}

/** Sorted cuts followed by one +Infinity. */
export function paddedCuts(sorted: Float64Array): Float64Array {
  const out = new Float64Array(sorted.length + 1).fill(Infinity);
  out.set(sorted);
  return out;
}
