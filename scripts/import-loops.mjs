// Import loops in src/, read with the TypeScript compiler's parser: between top-level folders
// (src/compare, src/report, …; a file at the top of src/ counts as a folder of its own) and between
// files. Usage: node scripts/import-loops.mjs [src]; prints each loop with the imports that make it
// and exits 1 when there is one.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Relative imports and re-exports of every .ts file under `root`, resolved to .ts files. */
function importGraph(root) {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(root);
  const edges = new Map();
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const deps = new Set();
    const visit = (node) => {
      const spec = ts.isImportDeclaration(node) || ts.isExportDeclaration(node) ? node.moduleSpecifier : undefined;
      if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.'))
        deps.add(path.resolve(path.dirname(file), spec.text.replace(/\.js$/, '.ts')));
      ts.forEachChild(node, visit);
    };
    visit(source);
    edges.set(
      file,
      [...deps].filter((d) => fs.existsSync(d)),
    );
  }
  return edges;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(nodes, next) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Loops between folders (each with the imports from one of its folders to another) and between files,
 * paths relative to `root`.
 */
export function importLoops(root = 'src') {
  const abs = path.resolve(root);
  const edges = importGraph(abs);
  const rel = (f) => path.relative(abs, f).split(path.sep).join('/');
  const folderOf = (f) => rel(f).split('/')[0];
  const folderEdges = new Map();
  for (const [file, deps] of edges) {
    for (const dep of deps) {
      const from = folderOf(file);
      const to = folderOf(dep);
      if (from === to) continue;
      if (!folderEdges.has(from)) folderEdges.set(from, new Map());
      const byTarget = folderEdges.get(from);
      if (!byTarget.has(to)) byTarget.set(to, []);
      byTarget.get(to).push(`${rel(file)} -> ${rel(dep)}`);
    }
  }
  const folders = [...new Set([...edges.keys()].map(folderOf))];
  const folderLoops = cycles(folders, (f) => [...(folderEdges.get(f)?.keys() ?? [])]).map((members) => ({
    folders: members,
    imports: members.flatMap((a) => members.flatMap((b) => folderEdges.get(a)?.get(b) ?? [])),
  }));
  const fileLoops = cycles([...edges.keys()], (f) => (edges.get(f) ?? []).filter((d) => edges.has(d))).map((members) =>
    members.map(rel),
  );
  return { folderLoops, fileLoops };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { folderLoops, fileLoops } = importLoops(process.argv[2] ?? 'src');
  for (const loop of folderLoops)
    console.log(`folder loop: ${loop.folders.join(' <-> ')}\n  ${loop.imports.join('\n  ')}`);
  for (const loop of fileLoops) console.log(`file loop: ${loop.join(' <-> ')}`);
  if (folderLoops.length === 0 && fileLoops.length === 0) console.log('no import loops between folders or files');
  process.exitCode = folderLoops.length > 0 || fileLoops.length > 0 ? 1 : 0;
}
