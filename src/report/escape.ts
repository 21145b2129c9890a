// Escaping for text that comes from guests or users (subject and module names, errors, serial
// tails) before it goes into a PR comment. A guest controls its serial output, so nothing it prints
// may open HTML, close a code block, break a table, or ping a GitHub user.
import { stripControl } from '../text/clean.js';

// Plain-text cleaning sits below every layer (src/text/clean.ts); the reports take it from here too.
export { clip, keepEnd, stripControl } from '../text/clean.js';

// Backslash-escapable Markdown punctuation that can start emphasis, code, links, tables,
// strikethrough, headings or images. `&`, `<`, `>` become entities instead (HTML is parsed first).
const MARKDOWN_SPECIAL = /[\\`*_[\]|~#!]/g;

/**
 * Text safe for one line of Markdown, including a table cell: line breaks become spaces, Markdown
 * specials are backslash-escaped, `& < >` become entities, and `@name` is broken with a zero-width
 * space so that a guest cannot mention (notify) a GitHub user.
 */
export function escapeMarkdown(text: string): string {
  return stripControl(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\t/g, ' ')
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u200b');
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/**
 * A fenced code block whose fence is longer than any backtick run in the text, so no line of the
 * text can close it. `info` is the language tag (e.g. `text`, `mermaid`).
 */
export function codeBlock(text: string, info = ''): string {
  const body = stripControl(text).replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}${info.replace(/[`\s]/g, '')}\n${body}\n${fence}`;
}

/**
 * An inline code span delimited by more backticks than the text contains, line breaks folded to
 * spaces. In a table cell (`inTable`), `|` is escaped: GFM removes that backslash inside cells, but
 * would show it anywhere else.
 */
export function inlineCode(text: string, { inTable = false }: { inTable?: boolean } = {}): string {
  let body = stripControl(text).replace(/\s*\n\s*/g, ' ');
  if (inTable) body = body.replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestBacktickRun(body) + 1);
  // A span that starts or ends with a backtick needs a space between it and the delimiter.
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A command line for display (never executed): arguments with shell specials single-quoted. */
export function quoteArgs(args: readonly string[]): string {
  return args.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
