import { Worker } from 'node:worker_threads';

/** What the marker patterns found in one serial line. */
export interface LineMatch {
  start: boolean;
  ready: boolean;
  /** capture group 1 of the module marker (or the whole match); null: no module line */
  module: string | null;
}

export interface MarkerPatterns {
  startMarker: string;
  readyMarker: string;
  moduleMarker: string | null;
}

/**
 * The marker regexes are the user's, and JavaScript regexes backtrack: `(a+)+$` against a
 * 34-character line runs for minutes, and on the main thread nothing else runs meanwhile (not
 * the boot's timeout, not a SIGTERM handler). So lines are matched in a worker thread, which
 * `close()` terminates mid-match. Refusing "dangerous" patterns up front was the alternative;
 * no checker catches every super-linear pattern, and a worker bounds them all.
 * The cost is a message round trip (well under a millisecond) before the boot reacts to its
 * ready line; the line's time stamp is taken on arrival, before matching, so no measured time
 * includes it (the HTTP probe it starts retries every 20 ms anyway).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const start = new RegExp(workerData.startMarker);
const ready = new RegExp(workerData.readyMarker);
const moduleRe = workerData.moduleMarker === null ? null : new RegExp(workerData.moduleMarker);
parentPort.on('message', (text) => {
  const m = moduleRe === null ? null : moduleRe.exec(text);
  parentPort.postMessage({ start: start.test(text), ready: ready.test(text), module: m === null ? null : (m[1] ?? m[0]) });
});
`;

/** Lines (or characters) sent and not yet answered beyond which the guest is outrunning the patterns. */
export const MAX_PENDING_LINES = 10_000;
export const MAX_PENDING_CHARS = 4 * 1024 * 1024;

/**
 * One idle worker kept between boots, with the patterns it compiled: starting a worker costs tens
 * of milliseconds of every boot (measured in docs/measurement.md), reusing one costs nothing. Only
 * a worker with no line in flight is kept; one stopped mid-match is terminated.
 */
let idle: { key: string; worker: Worker } | null = null;

/**
 * Matches lines in order, off the main thread. `onMatch` is called once per line, in the order
 * the lines were given; `onFailure` when more than MAX_PENDING_LINES wait or the worker died.
 * The patterns must compile (the caller compiles them first: compiling never backtracks).
 */
export class MarkerMatcher<T> {
  private readonly worker: Worker;
  /** a queue: answered entries before `head` are cleared (a line may be 64 KiB) and spliced off now and then */
  private readonly pending: ({ item: T; chars: number } | null)[] = [];
  private head = 0;
  private pendingChars = 0;
  private closed = false;

  private constructor(
    worker: Worker,
    private readonly key: string,
    private readonly onMatch: (item: T, match: LineMatch) => void,
    private readonly onFailure: (message: string) => void,
  ) {
    this.worker = worker;
    worker.on('error', (error) => {
      if (!this.closed) this.onFailure(`serial marker matching failed: ${error.message}`);
    });
    worker.on('message', (match: LineMatch) => {
      if (this.closed) return;
      const { item, chars } = this.pending[this.head]!;
      this.pending[this.head] = null;
      this.head += 1;
      this.pendingChars -= chars;
      if (this.head > 1024 && this.head * 2 > this.pending.length) {
        this.pending.splice(0, this.head);
        this.head = 0;
      }
      this.onMatch(item, match);
    });
  }

  /** Starts the worker and waits until it runs, so that its start-up does not overlap the boot. */
  static async start<T>(
    patterns: MarkerPatterns,
    onMatch: (item: T, match: LineMatch) => void,
    onFailure: (message: string) => void,
  ): Promise<MarkerMatcher<T>> {
    const key = JSON.stringify([patterns.startMarker, patterns.readyMarker, patterns.moduleMarker]);
    if (idle?.key === key) {
      const { worker } = idle;
      idle = null;
      worker.removeAllListeners('error');
      return new MarkerMatcher(worker, key, onMatch, onFailure);
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        startMarker: patterns.startMarker,
        readyMarker: patterns.readyMarker,
        moduleMarker: patterns.moduleMarker,
      },
    });
    worker.unref();
    worker.once('exit', () => {
      if (idle?.worker === worker) idle = null;
    });
    const matcher = new MarkerMatcher(worker, key, onMatch, onFailure);
    await new Promise<void>((resolve) => {
      worker.once('online', () => resolve());
      worker.once('exit', () => resolve());
    });
    return matcher;
  }

  match(item: T, text: string): void {
    if (this.closed) return;
    if (this.pending.length - this.head >= MAX_PENDING_LINES || this.pendingChars + text.length > MAX_PENDING_CHARS) {
      this.closed = true;
      void this.worker.terminate();
      this.onFailure(
        `serial marker matching fell too far behind the guest's output (${this.pending.length - this.head} lines waiting): the guest prints faster than its lines can be matched, or a marker pattern is too slow`,
      );
      return;
    }
    this.pending.push({ item, chars: text.length });
    this.pendingChars += text.length;
    this.worker.postMessage(text);
  }

  /** Stops matching, even in the middle of a line; an idle worker is kept for the next boot. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.head === this.pending.length) {
      this.worker.removeAllListeners('message');
      this.worker.removeAllListeners('error');
      // an idle worker's error (it has no line to fail on) must not crash bootgate
      this.worker.on('error', () => undefined);
      const previous = idle;
      idle = { key: this.key, worker: this.worker };
      if (previous) await previous.worker.terminate();
      return;
    }
    await this.worker.terminate();
  }
}
