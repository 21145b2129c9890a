import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A small C preprocessor for Embox's conf files (build.conf, lds.conf, mods.conf,
 * system_start.inc). Embox's build and scripts/qemu/auto_qemu pass them through
 * `gcc -P -E`; this does the part of that those files use, without needing gcc:
 * line continuations, comments, #include, object-like #define/#undef, and
 * #if/#ifdef/#ifndef/#elif/#else/#endif with simple expressions. `bootgate packages` reads
 * build.conf with it before any compiler is installed. test/unit/embox-preprocess-cpp.test.ts
 * holds its text against gcc's (docs/embox.md: every template conf of Embox matches).
 */
export interface PreprocessOptions {
  /** folders searched for #include after the including file's own folder (Embox: conf/) */
  includeDirs?: string[];
  /** predefined object-like macros */
  defines?: Record<string, string>;
}

const MAX_INCLUDE_DEPTH = 16;

/** Joins backslash-newline continuations (translation phase 2, before comments go). */
export function joinContinuations(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\\[ \t]*\n/g, '');
}

/**
 * Removes comments, keeping string literals intact. A block comment becomes one space, as in C:
 * what follows it stays on its line (gcc -P prints it so); the newlines it spanned come after
 * that line, so later lines keep their numbers.
 */
export function stripComments(text: string): string {
  let out = '';
  let pendingNewlines = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\n') {
      out += c + pendingNewlines;
      pendingNewlines = '';
      i++;
    } else if (c === '"') {
      // string literal: copy through the closing quote (or end of line)
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      if (text[j] === '"') j++;
      out += text.slice(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = end === -1 ? text.slice(i) : text.slice(i, end + 2);
      out += ' ';
      pendingNewlines += '\n'.repeat(body.split('\n').length - 1);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else {
      out += c;
      i++;
    }
  }
  return out + pendingNewlines;
}

interface State {
  macros: Map<string, string>;
  includeDirs: string[];
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** Preprocesses one file and returns its output lines joined by newlines (like `cpp -P`, blank lines kept). */
export async function preprocessFile(file: string, options: PreprocessOptions = {}): Promise<string> {
  const state: State = {
    macros: new Map(Object.entries(options.defines ?? {})),
    includeDirs: options.includeDirs ?? [],
  };
  return (await processFile(file, state, [])).join('\n');
}

/** Same as preprocessFile, for text already in memory (includes resolve against `dir`). */
export async function preprocessText(
  text: string,
  where: string,
  dir: string,
  options: PreprocessOptions = {},
): Promise<string> {
  const state: State = {
    macros: new Map(Object.entries(options.defines ?? {})),
    includeDirs: options.includeDirs ?? [],
  };
  return (await processText(text, where, dir, state, [])).join('\n');
}

async function processFile(file: string, state: State, stack: string[]): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return processText(text, file, path.dirname(file), state, [...stack, file]);
}

async function processText(text: string, where: string, dir: string, state: State, stack: string[]): Promise<string[]> {
  const lines = stripComments(joinContinuations(text)).split('\n');
  const out: string[] = [];
  // one frame per open #if: whether this branch is live, whether any branch was taken, whether the parent is live
  const conds: { live: boolean; taken: boolean; parentLive: boolean }[] = [];
  const live = (): boolean => conds.length === 0 || conds[conds.length - 1]!.live;

  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const at = `${where}:${n + 1}`;
    const directive = /^\s*#\s*(\w+)\s*(.*?)\s*$/.exec(line);
    if (!directive) {
      if (live()) out.push(expandMacros(line, state.macros));
      continue;
    }
    const [, name, rest = ''] = directive;
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const parentLive = live();
        let value = false;
        if (parentLive) {
          if (name === 'if') value = evalCondition(rest, state.macros, at);
          else value = state.macros.has(rest.split(/\s+/)[0] ?? '') === (name === 'ifdef');
        }
        conds.push({ live: parentLive && value, taken: value, parentLive });
        break;
      }
      case 'elif': {
        const top = conds[conds.length - 1];
        if (!top) throw new Error(`${at}: #elif without #if`);
        if (top.taken || !top.parentLive) top.live = false;
        else {
          top.live = evalCondition(rest, state.macros, at);
          top.taken = top.live;
        }
        break;
      }
      case 'else': {
        const top = conds[conds.length - 1];
        if (!top) throw new Error(`${at}: #else without #if`);
        top.live = top.parentLive && !top.taken;
        top.taken = true;
        break;
      }
      case 'endif':
        if (!conds.pop()) throw new Error(`${at}: #endif without #if`);
        break;
      default:
        if (!live()) break;
        if (name === 'define') {
          const def = /^([A-Za-z_]\w*)(\(?)\s*(.*)$/.exec(rest);
          if (!def) throw new Error(`${at}: malformed #define "${rest}"`);
          // function-like macros are not expanded: conf files do not use them
          if (def[2] !== '(') state.macros.set(def[1]!, def[3] ?? '');
        } else if (name === 'undef') {
          state.macros.delete(rest.trim());
        } else if (name === 'include') {
          out.push(...(await include(rest, at, dir, state, stack)));
        } else if (name === 'error') {
          throw new Error(`${at}: #error ${rest}`);
        }
        // #pragma, #warning, #line: nothing to do for conf files
        break;
    }
  }
  if (conds.length > 0)
    throw new Error(`${where}: missing #endif (${conds.length} #if still open at the end of the file)`);
  return out;
}

async function include(spec: string, at: string, dir: string, state: State, stack: string[]): Promise<string[]> {
  const m = /^(?:"([^"]+)"|<([^>]+)>)/.exec(expandMacros(spec, state.macros));
  if (!m) throw new Error(`${at}: malformed #include ${spec} (expected "file" or <file>)`);
  const name = (m[1] ?? m[2])!;
  const candidates = path.isAbsolute(name)
    ? [name]
    : [...(m[1] ? [dir] : []), ...state.includeDirs].map((d) => path.resolve(d, name));
  for (const candidate of candidates) {
    if (!(await isFile(candidate))) continue;
    if (stack.length >= MAX_INCLUDE_DEPTH || stack.includes(candidate)) {
      throw new Error(
        `${at}: #include "${name}" nests too deep or includes itself (${[...stack, candidate].join(' → ')})`,
      );
    }
    return processFile(candidate, state, stack);
  }
  throw new Error(
    `${at}: #include ${m[0]} not found (looked in ${[...new Set(candidates.map((c) => path.dirname(c)))].join(', ')})`,
  );
}

/** Replaces identifiers outside string literals by their object-like macro bodies, recursively. */
function expandMacros(line: string, macros: Map<string, string>, active: Set<string> = new Set()): string {
  if (macros.size === 0) return line;
  return line.replace(/"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*/g, (token) => {
    if (token.startsWith('"')) return token;
    const body = macros.get(token);
    if (body === undefined || active.has(token)) return token;
    return expandMacros(body, macros, new Set([...active, token]));
  });
}

/** Evaluates an #if expression: integers, defined X / defined(X), macros, ! ~ * / % + - << >> < > <= >= == != & ^ | && || ?: and (). */
export function evalCondition(expr: string, macros: Map<string, string>, at: string): boolean {
  const withDefined = expr.replace(
    /\bdefined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|([A-Za-z_]\w*))/g,
    (_, a?: string, b?: string) => (macros.has((a ?? b)!) ? '1' : '0'),
  );
  // identifiers left after expansion are 0, as in C
  const expanded = expandMacros(withDefined, macros).replace(/\b[A-Za-z_]\w*/g, '0');
  const tokens = expanded.match(/0[xX][0-9a-fA-F]+|\d+|<<|>>|<=|>=|==|!=|&&|\|\||[()!~*/%+\-<>&^|?:]/g) ?? [];
  if (tokens.join('').length !== expanded.replace(/\s+|[uUlL]+\b/g, '').length) {
    throw new Error(`${at}: cannot evaluate #if ${expr} (only integer expressions are supported)`);
  }
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const fail = (): never => {
    throw new Error(`${at}: cannot evaluate #if ${expr} (malformed expression)`);
  };
  const binary: [string[], (a: number, b: number, op: string) => number][] = [
    [['||'], (a, b) => (a || b ? 1 : 0)],
    [['&&'], (a, b) => (a && b ? 1 : 0)],
    [['|'], (a, b) => a | b],
    [['^'], (a, b) => a ^ b],
    [['&'], (a, b) => a & b],
    [['==', '!='], (a, b, op) => ((op === '==') === (a === b) ? 1 : 0)],
    [
      ['<', '>', '<=', '>='],
      (a, b, op) => ((op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b) ? 1 : 0),
    ],
    [['<<', '>>'], (a, b, op) => (op === '<<' ? a << b : a >> b)],
    [['+', '-'], (a, b, op) => (op === '+' ? a + b : a - b)],
    [['*', '/', '%'], (a, b, op) => (op === '*' ? a * b : b === 0 ? fail() : op === '/' ? Math.trunc(a / b) : a % b)],
  ];
  const unary = (): number => {
    const t = tokens[pos++];
    if (t === undefined) return fail();
    if (t === '!') return unary() ? 0 : 1;
    if (t === '~') return ~unary();
    if (t === '-') return -unary();
    if (t === '+') return unary();
    if (t === '(') {
      const v = ternary();
      if (tokens[pos++] !== ')') fail();
      return v;
    }
    if (/^\d|^0[xX]/.test(t)) return Number(t);
    return fail();
  };
  const level = (i: number): number => {
    if (i >= binary.length) return unary();
    const [ops, apply] = binary[i]!;
    let left = level(i + 1);
    while (peek() !== undefined && ops.includes(peek()!)) {
      const op = tokens[pos++]!;
      left = apply(left, level(i + 1), op);
    }
    return left;
  };
  const ternary = (): number => {
    const cond = level(0);
    if (peek() !== '?') return cond;
    pos++;
    const a = ternary();
    if (tokens[pos++] !== ':') fail();
    const b = ternary();
    return cond ? a : b;
  };
  const value = ternary();
  if (pos !== tokens.length) fail();
  return value !== 0;
}
