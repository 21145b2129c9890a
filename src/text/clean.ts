// Plain text from guests, users or files made safe to print anywhere (terminal, logs, errors,
// reports): control characters out, long text cut. Below every layer; Markdown escaping is
// src/report/escape.ts.

// CSI/OSC escape sequences first (their bytes would otherwise leave visible junk), then every other
// C0/C1 control character except tab and newline.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]/g;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Removes terminal escape sequences and control characters; CRLF and lone CR become LF. */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(ANSI_SEQUENCE, '').replace(CONTROL, '');
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
