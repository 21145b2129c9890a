// Escaping for text that comes from guests or users (subject and module names, errors, serial
// tails) before it goes into a PR comment. A guest controls its serial output, so nothing it prints
// may open HTML, close a code block, break a table, or ping a GitHub user.

// CSI/OSC escape sequences first (their bytes would otherwise leave visible junk), then every other
// C0/C1 control character except tab and newline.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Removes terminal escape sequences and control characters; CRLF and lone CR become LF. */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ANSI_SEQUENCE, '').replace(CONTROL, '');
}

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

/** At most `max` characters of `text`, keeping its end (a serial tail's last lines matter most). */
export function keepEnd(text: string, max: number): { text: string; cut: number } {
  if (text.length <= max) return { text, cut: 0 };
  const cut = text.length - max;
  return { text: text.slice(cut), cut };
}

/** At most `max` characters of one line, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
