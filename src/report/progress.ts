// What the CLI prints while it works. On a terminal: log lines scroll, and one status line at the
// bottom shows the build phase with its elapsed time, then the boots as a bar with an ETA. A 1 s
// timer redraws the status line while building; it stops when the first boot is reported (the
// engine builds everything before the first boot, which is normally a warm-up), so from then on
// the line changes only between boots. Not a terminal (CI logs, pipes): plain lines, one per boot.
import type { BootProgress } from '../measure/run.js';
import { progressLine } from './terminal.js';

export interface Colours {
  red: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR']) return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

export function colours(enabled: boolean): Colours {
  const sgr =
    (open: number, close: number) =>
    (text: string): string =>
      enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** `[#####.....]` of `width` cells. */
export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface Reporter {
  log: (line: string) => void;
  onBoot: (progress: BootProgress) => void;
  /** clears the status line and stops the timer; call once at the end */
  done: () => void;
}

interface Stream {
  write: (text: string) => boolean;
  isTTY?: boolean;
  columns?: number;
}

export function createReporter(
  options: { quiet?: boolean; stream?: Stream; env?: NodeJS.ProcessEnv; now?: () => number } = {},
): Reporter {
  const stream = options.stream ?? process.stderr;
  const quiet = !!options.quiet;
  const paint = colours(colourEnabled(stream, options.env));
  if (!stream.isTTY) {
    return {
      log: (line) => {
        if (!quiet) stream.write(`${line}\n`);
      },
      onBoot: (progress) => {
        if (!quiet || !progress.record.ok) stream.write(`${progressLine(progress)}\n`);
      },
      done: () => {},
    };
  }

  const now = options.now ?? Date.now;
  let status = '';
  let phaseStart = now();
  let lastLog = '';
  let timer: NodeJS.Timeout | null = null;
  // boots: `of` per subject/variant/warm-up seen so far, and how many of them are done
  const planned = new Map<string, number>();
  let booted = 0;
  let bootPhaseStart = 0;

  const width = (): number => Math.max(40, (stream.columns || 100) - 1);
  /** `label` in bold, then `detail` dimmed and cut to what fits on one line of the terminal. */
  const draw = (label: string, detail: string): void => {
    const room = width() - label.length - 1;
    const text = detail.length > room ? `${detail.slice(0, Math.max(0, room - 1))}…` : detail;
    status = `${paint.bold(label)} ${paint.dim(text)}`;
    stream.write(`\r\u001b[2K${status}`);
  };
  const clear = (): void => {
    if (status) stream.write('\r\u001b[2K');
    status = '';
  };
  const drawBuild = (): void => draw(`building ${formatDuration(now() - phaseStart)}`, lastLog);
  const stopTimer = (): void => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  return {
    log: (line) => {
      if (!timer && booted === 0) {
        phaseStart = now();
        timer = setInterval(drawBuild, 1000);
        timer.unref();
      }
      lastLog = line.replace(/\s+/g, ' ');
      clear();
      if (!quiet) stream.write(`${line}\n`);
      drawBuild();
    },
    onBoot: (progress) => {
      stopTimer();
      clear();
      if (!progress.record.ok) stream.write(`${paint.red(progressLine(progress))}\n`);
      if (progress.warmup) {
        // warm-ups are not in the bar: the counted boots' totals are not known yet
        draw('warm-up', progressLine(progress));
        return;
      }
      if (booted === 0) bootPhaseStart = now();
      planned.set(`${progress.subject}\u0000${progress.variant}`, progress.of);
      booted += 1;
      const total = [...planned.values()].reduce((a, b) => a + b, 0);
      const perBoot = (now() - bootPhaseStart) / Math.max(1, booted - 1);
      const eta = booted > 1 ? ` ETA ${formatDuration(perBoot * Math.max(0, total - booted))}` : '';
      draw(`boots ${bar(booted, total)} ${booted}/${total}${eta}`, progressLine(progress));
    },
    done: () => {
      stopTimer();
      clear();
    },
  };
}
