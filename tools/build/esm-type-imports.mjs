// Run after tsup in a package's directory (its build script: "tsup && node ../../tools/build/esm-type-imports.mjs").
//
// The CommonJS declarations (dist/*.d.ts, what the "require" condition and node10 get) may import
// types from ESM-only packages (arquero, hyparquet). A CommonJS consumer compiling with
// moduleResolution node16 then fails: "TS1479: the referenced file is an ECMAScript module and
// cannot be imported with 'require'". Such imports become type-only imports with
// `with { 'resolution-mode': 'import' }` (TypeScript 5.3+), which is what they are: the types only.
// The ESM declarations (.d.mts) are left as tsup wrote them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const ts = createRequire(import.meta.url)('typescript');
const pkgDir = process.cwd();
const dist = join(pkgDir, 'dist');
if (!existsSync(dist))
  throw new Error(`esm-type-imports: no dist in ${pkgDir} (run it after tsup, in the package's directory)`);

const packageName = (spec) =>
  (spec.startsWith('@') ? spec.split('/').slice(0, 2) : spec.split('/').slice(0, 1)).join('/');
const hasRequireCondition = (exp) =>
  exp !== null &&
  typeof exp === 'object' &&
  Object.entries(exp).some(([k, v]) => k === 'require' || hasRequireCondition(v));
const esmOnly = new Map();
// Whether a package's types resolve to an ES module for a `require`: "type": "module" and no
// "require" condition in its exports.
function isEsmOnly(name) {
  if (!esmOnly.has(name)) {
    let json;
    for (let dir = pkgDir; ; dir = dirname(dir)) {
      const file = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(file)) {
        json = JSON.parse(readFileSync(file, 'utf8'));
        break;
      }
      if (dirname(dir) === dir)
        throw new Error(`esm-type-imports: ${name} is imported by the declarations but not installed`);
    }
    esmOnly.set(name, json.type === 'module' && !hasRequireCondition(json.exports));
  }
  return esmOnly.get(name);
}

let changed = 0;
for (const file of readdirSync(dist).filter((f) => f.endsWith('.d.ts'))) {
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      const spec = node.argument.literal.text;
      if (
        !spec.startsWith('.') &&
        !builtinModules.includes(spec.replace(/^node:/, '')) &&
        isEsmOnly(packageName(spec)) &&
        !node.attributes
      ) {
        throw new Error(
          `esm-type-imports: ${relative(pkgDir, path)} has an inline import("${spec}") type; extend this script to give it resolution-mode`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const st of sf.statements) {
    if (
      (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) &&
      st.moduleSpecifier &&
      ts.isStringLiteral(st.moduleSpecifier)
    ) {
      const spec = st.moduleSpecifier.text;
      if (
        spec.startsWith('.') ||
        builtinModules.includes(spec.replace(/^node:/, '')) ||
        !isEsmOnly(packageName(spec)) ||
        st.attributes
      )
        continue;
      if (ts.isExportDeclaration(st))
        throw new Error(
          `esm-type-imports: ${relative(pkgDir, path)} re-exports from ESM-only ${spec}; import the types and export them instead`,
        );
      const clause = st.importClause;
      if (!clause) continue;
      const typeKeyword = clause.isTypeOnly ? '' : 'type ';
      edits.push({
        start: st.getStart(sf),
        end: st.getEnd(),
        text: `import ${typeKeyword}${text.slice(clause.getStart(sf), clause.getEnd()).replace(/([{,]\s*)type\s+/g, '$1')} from ${JSON.stringify(spec).replace(/"/g, "'")} with { 'resolution-mode': 'import' };`,
      });
    }
    visit(st);
  }
  if (!edits.length) continue;
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  writeFileSync(path, out);
  changed += edits.length;
}
if (changed)
  console.log(
    `esm-type-imports: ${changed} import(s) of ESM-only packages in dist/*.d.ts now type-only with resolution-mode 'import'`,
  );
