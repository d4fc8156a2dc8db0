import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

// Every `import ... from`, `export ... from`, side-effect import, dynamic import() and require() of
// a relative path, type-only ones included: a cycle through types still ties two files together.
const IMPORT =
  /(?:\b(?:import|export)\b[^'"`;]*?\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(file);
    return e.name.endsWith('.ts') ? [file] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => f.endsWith('.ts') && existsSync(f));
}

/** Each file's relative imports, resolved to files (an index file is a file like any other). */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(file, m[1])).filter((f): f is string => !!f);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The groups of files that reach each other through imports (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('imports between the files of the pipeline app', () => {
  it('form no cycle, not between two files, not through an index file', () => {
    const relative = (f: string) => path.relative(__dirname, f);
    const cycles = importCycles(importGraph(__dirname)).map((group) => group.map(relative));
    expect(cycles).toEqual([]);
  });

  it('are all found, across folders and with type-only and dynamic imports (a cycle would be seen)', () => {
    const graph = importGraph(__dirname);
    const edges = (file: string) =>
      (graph.get(path.join(__dirname, file)) ?? []).map((f) => path.relative(__dirname, f));
    const flow = edges('train/train.ts');
    expect(flow).toEqual(expect.arrayContaining(['forecast/train-forecast.ts', 'train/read-data.ts']));
    expect(edges('forecast/train-forecast.ts')).toContain('train/train-result.ts');
    expect(edges('commands/predict.test.ts')).toContain('row-validator.ts');
    const cyclic = new Map(graph);
    cyclic.set(path.join(__dirname, 'train/train-result.ts'), [path.join(__dirname, 'forecast/train-forecast.ts')]);
    expect(importCycles(cyclic).length).toBe(1);
  });
});
