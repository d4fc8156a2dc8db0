import { InputError } from '@campaign-ml/core';
import { CAT_WORDS } from '../trees/splitting';
import type { TreeArrays } from '../trees/tree-arrays';

/**
 * One node of an imported tree, already in our rules (tree-arrays.ts): a row goes to `left` when
 * x <= threshold (numeric) or when x's category is in `categories` (categorical); NaN goes to
 * `left` when defaultLeft. `left`/`right` index the same source array; leaves have feature -1.
 */
export interface SourceNode {
  feature: number;
  threshold: number;
  /** Categories that go left (categorical splits), or null (numeric). */
  categories: readonly number[] | null;
  defaultLeft: boolean;
  left: number;
  right: number;
  /** Leaf value (leaves only). */
  value: number;
  cover: number;
  gain: number;
}

export function leafNode(value: number, cover: number): SourceNode {
  return {
    feature: -1,
    threshold: NaN,
    categories: null,
    defaultLeft: false,
    left: -1,
    right: -1,
    value,
    cover,
    gain: 0,
  };
}

/** Largest category a split can name: our splits keep CAT_WORDS 32-bit words of categories. */
export const MAX_CATEGORY = CAT_WORDS * 32 - 1;

/**
 * The tree hanging from `nodes[root]` as TreeArrays: nodes renumbered breadth first, so the two
 * children of a node are adjacent (right = left + 1) and come after their parent, as our walks
 * and layouts need. Nodes not reachable from the root (XGBoost's pruned, deleted nodes) are left
 * out. `where` names the tree in errors.
 */
export function buildTree(nodes: readonly SourceNode[], where: string, root = 0): TreeArrays {
  const order: number[] = [root];
  const seen = new Uint8Array(nodes.length);
  const checkChild = (parent: number, c: number, side: string): void => {
    if (!Number.isInteger(c) || c < 0 || c >= nodes.length || seen[c]) {
      throw new InputError('INVALID_MODEL', `${where}, node ${parent}: ${side} child ${c} is not a node of the tree`, {
        column: where,
        value: c,
      });
    }
    seen[c] = 1;
  };
  if (!(root >= 0 && root < nodes.length)) {
    throw new InputError('INVALID_MODEL', `${where} has no nodes`, { column: where });
  }
  seen[root] = 1;
  for (let i = 0; i < order.length; i++) {
    const s = nodes[order[i]];
    if (s.feature < 0) continue;
    checkChild(order[i], s.left, 'left');
    checkChild(order[i], s.right, 'right');
    order.push(s.left, s.right);
  }
  const n = order.length;
  const newId = new Map<number, number>();
  order.forEach((src, i) => newId.set(src, i));
  let nCat = 0;
  for (const src of order) if (nodes[src].categories) nCat++;
  const feature = new Int32Array(n);
  const threshold = new Float64Array(n);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const defaultLeft = new Uint8Array(n);
  const catOffset = new Int32Array(n);
  const catBits = new Uint32Array(nCat * CAT_WORDS);
  const value = new Float64Array(n);
  const cover = new Float64Array(n);
  const gain = new Float64Array(n);
  let catPos = 0;
  for (let i = 0; i < n; i++) {
    const s = nodes[order[i]];
    cover[i] = s.cover;
    catOffset[i] = -1;
    if (s.feature < 0) {
      feature[i] = -1;
      left[i] = -1;
      right[i] = -1;
      threshold[i] = NaN;
      value[i] = s.value;
      continue;
    }
    feature[i] = s.feature;
    left[i] = newId.get(s.left)!;
    right[i] = newId.get(s.right)!;
    defaultLeft[i] = s.defaultLeft ? 1 : 0;
    gain[i] = s.gain;
    if (s.categories) {
      threshold[i] = NaN;
      catOffset[i] = catPos;
      for (const c of s.categories) {
        if (!(Number.isInteger(c) && c >= 0 && c <= MAX_CATEGORY)) {
          throw new InputError(
            'UNSUPPORTED_MODEL',
            `${where}, node ${order[i]}: a categorical split names category ${c}; imported models support categories 0..${MAX_CATEGORY}`,
            { column: where, value: c, expected: `categories 0..${MAX_CATEGORY}` },
          );
        }
        catBits[catPos + (c >>> 5)] |= 1 << (c & 31);
      }
      catPos += CAT_WORDS;
    } else {
      threshold[i] = s.threshold;
    }
  }
  return { feature, threshold, left, right, defaultLeft, catOffset, catBits, value, cover, gain };
}

/** Copy of the subtree at `root` appended to `nodes`, every cover times `scale`; returns the copy's root. */
export function copySubtree(nodes: SourceNode[], root: number, scale: number): number {
  const top = nodes.length;
  // (source node, index of the copy whose child slot it fills, side) — iterative: trees can be deep.
  const stack: [number, number, 'left' | 'right' | null][] = [[root, -1, null]];
  while (stack.length) {
    const [src, parent, side] = stack.pop()!;
    const s = nodes[src];
    const id = nodes.length;
    nodes.push({ ...s, cover: s.cover * scale });
    if (side) nodes[parent][side] = id;
    if (s.feature >= 0) stack.push([s.right, id, 'right'], [s.left, id, 'left']);
  }
  return top;
}

/** Every cover of the subtree at `root` times `scale`, in place. */
export function scaleCovers(nodes: SourceNode[], root: number, scale: number): void {
  const stack = [root];
  while (stack.length) {
    const i = stack.pop()!;
    nodes[i].cover *= scale;
    if (nodes[i].feature >= 0) stack.push(nodes[i].left, nodes[i].right);
  }
}
