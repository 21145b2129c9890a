import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { trackChild, trackGroup, killAndReap } from './children.js';
import { freeLoopbackPort } from './free-port.js';
import { buildQemuArgs, qemuCommand, type GuestSpec } from './guest.js';
import { probeHttp } from './http-probe.js';
import { dieWithParent, recordRunning, sweepLeftoverProcessesOnce } from './leftovers.js';
import { MarkerMatcher, type LineMatch } from './marker-matcher.js';
import { SerialLineSplitter, type SerialLine } from './serial.js';

/**
 * Takes over a boot for a measurement that is not wall-clock (the deterministic instruction
 * count): adds QEMU arguments, and the boot ends when `attach` resolves. `release` runs once
 * QEMU is gone, on every path (also when QEMU never started), and removes what `args` made.
 */
export interface BootInstrument {
  args(workDir: string): string[];
  attach(context: { signal: AbortSignal; workDir: string }): Promise<InstrumentRecord>;
  release(workDir: string): Promise<void>;
}

/** What an instrument measured in one boot. */
export interface InstrumentRecord {
  /** guest instructions from the start to the ready location */
  instructions: number;
  /** each module's share of them, when the instrument can tell (null: it cannot) */
  modules: { name: string; instructions: number }[] | null;
}

export interface BootOutcome {
  ok: boolean;
  error: string | null;
  /** hrtime stamps (ns) */
  launchedAt: bigint;
  startAt: bigint | null;
  readyAt: bigint | null;
  httpAt: bigint | null;
  httpStatus: number | null;
  httpAttempts: number;
  /** the serial output, or its last MAX_KEPT_CHARS when the guest printed more */
  lines: SerialLine[];
  /** lines dropped from the front of `lines` to keep it bounded */
  droppedLines: number;
  stderr: string;
  command: string[];
  /** what an instrument measured (e.g. instructions), when one was attached */
  instrumented: InstrumentRecord | null;
  /** hrtime stamps (ns) of the harness's own steps, for the overhead breakdown (npm run bench) */
  timeline: BootTimeline;
}

export interface BootTimeline {
  /** bootOnce called */
  begun: bigint;
  /** first serial bytes from QEMU */
  firstOutput: bigint | null;
  /** the boot was over (ready/HTTP 200, failure or abort) */
  ended: bigint | null;
  /** QEMU killed and reaped, the marker worker stopped */
  reaped: bigint | null;
}

export interface BootOptions {
  signal?: AbortSignal;
  instrument?: BootInstrument;
  /** folder for sockets and other per-boot files */
  workDir?: string;
}

const HTTP_ATTEMPT_TIMEOUT_MS = 1000;
const HTTP_RETRY_DELAY_MS = 20;
const TAIL_LINES = 20;
/** The longest unfinished line still tried as a prompt (the ready point of a guest without httpd). */
const MAX_PROMPT_CHARS = 256;
/** serial text kept per boot (a boot prints kilobytes; a flooding guest must not fill memory) */
export const MAX_KEPT_CHARS = 4 * 1024 * 1024;

/** Boots the guest once and stamps its milestones. Never throws for a guest failure: it is an outcome. */
export async function bootOnce(spec: GuestSpec, options: BootOptions = {}): Promise<BootOutcome> {
  const begun = process.hrtime.bigint();
  // Compiled here only to refuse a bad pattern before QEMU starts; matching runs in a worker.
  for (const pattern of [spec.startMarker, spec.readyMarker, spec.moduleMarker])
    if (pattern !== null) new RegExp(pattern);
  await sweepLeftoverProcessesOnce((line) => process.stderr.write(`${line}\n`));
  // Instrumented (deterministic) boots get an unconnected NIC: no host port, no packets.
  const hostPort = spec.network && !options.instrument ? await freeLoopbackPort() : null;
  const workDir = options.workDir ?? process.cwd();
  const extra = options.instrument ? options.instrument.args(workDir) : [];
  // Instrumented boots send the serial port to a file: when QEMU's write to a pipe has to wait
  // for the host, the guest spins on its UART status for a host-dependent number of
  // instructions, and the count is no longer exact. Their serial times mean nothing anyway.
  const serialFile = options.instrument
    ? path.join(workDir, `serial-${process.pid}-${randomUUID().slice(0, 8)}.log`)
    : undefined;
  const { file, args } = qemuCommand(spec, buildQemuArgs(spec, hostPort, extra, serialFile));

  const outcome: BootOutcome = {
    ok: false,
    error: null,
    launchedAt: 0n,
    startAt: null,
    readyAt: null,
    httpAt: null,
    httpStatus: null,
    httpAttempts: 0,
    lines: [],
    droppedLines: 0,
    stderr: '',
    command: [file, ...args],
    instrumented: null,
    timeline: { begun, firstOutput: null, ended: null, reaped: null },
  };
  // Ends the boot: aborts the HTTP probe and the instrument, stops the timer.
  const done = new AbortController();
  const finish = (error: string | null): void => {
    if (done.signal.aborted) return;
    outcome.timeline.ended = process.hrtime.bigint();
    outcome.ok = error === null;
    outcome.error = error;
    done.abort();
  };

  const onMatch = (line: SerialLine, match: LineMatch): void => {
    line.module = match.module;
    if (outcome.startAt === null) {
      if (match.start) outcome.startAt = line.at;
      return;
    }
    if (outcome.readyAt === null && match.ready) onReady(line.at);
  };
  const onReady = (at: bigint): void => {
    outcome.readyAt = at;
    if (options.instrument) return;
    // Both lines came in one read of the serial pipe: the host did not read between them (busy),
    // so their times are equal and say nothing about the boot. A failed boot, not a 0 ms one.
    if (at === outcome.startAt) {
      finish(
        'the start and ready lines arrived in one read of the serial port: the host was too busy to time them apart',
      );
      return;
    }
    if (spec.network) void probe(hostPort!);
    else finish(null);
  };
  const release = async (): Promise<void> => options.instrument?.release(workDir);
  const matcher = await MarkerMatcher.start<SerialLine>(spec, onMatch, (message) => finish(message)).catch(
    async (error: unknown) => {
      await release();
      throw error;
    },
  );
  let keptChars = 0;
  const onLine = (line: SerialLine): void => {
    outcome.lines.push(line);
    keptChars += line.text.length;
    if (keptChars > MAX_KEPT_CHARS) {
      // drop the older half at once: shifting one line at a time would be quadratic
      let drop = 0;
      while (keptChars > MAX_KEPT_CHARS / 2) keptChars -= outcome.lines[drop++]!.text.length;
      outcome.lines.splice(0, drop);
      outcome.droppedLines += drop;
    }
    if (!done.signal.aborted) matcher.match(line, line.text);
  };
  const splitter = new SerialLineSplitter(onLine);
  // A shell prompt ends without a newline: a ready marker may match the line still being received.
  // Only a short pending line can be a prompt; a long one would only load the matcher.
  const checkPending = (): void => {
    // no startAt guard: the start line may still be in the matcher; it answers in order
    if (outcome.readyAt !== null || done.signal.aborted) return;
    const pending = splitter.pending();
    if (pending && pending.text.length <= MAX_PROMPT_CHARS) matcher.match(pending, pending.text);
  };

  const probe = async (port: number): Promise<void> => {
    const result = await probeHttp({
      port,
      path: spec.httpPath,
      attemptTimeoutMs: HTTP_ATTEMPT_TIMEOUT_MS,
      retryDelayMs: HTTP_RETRY_DELAY_MS,
      signal: done.signal,
      onAttempt: (soFar) => {
        outcome.httpAttempts = soFar.attempts;
        outcome.httpStatus = soFar.status;
      },
    });
    outcome.httpAttempts = result.attempts;
    outcome.httpStatus = result.status;
    if (result.at !== null) {
      outcome.httpAt = result.at;
      finish(null);
    }
  };

  outcome.launchedAt = process.hrtime.bigint();
  let child;
  try {
    const launch = dieWithParent(file, args);
    // Own process group: a QEMU "binary" that is a wrapper script forking the real one (and not
    // exec'ing it) is stopped whole, and does not keep the serial pipe open after the boot.
    child = execa(launch.file, launch.args, {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
    });
  } catch (error) {
    await matcher.close();
    await release();
    outcome.error = `could not start ${file}: ${(error as Error).message}`;
    return outcome;
  }
  const untrack = trackChild(child);
  const untrackGroup = child.pid !== undefined ? trackGroup(child.pid) : () => undefined;
  const forget = child.pid !== undefined ? recordRunning(child.pid) : Promise.resolve(() => Promise.resolve());
  child.stdout.on('data', (chunk: Buffer) => {
    const at = process.hrtime.bigint();
    outcome.timeline.firstOutput ??= at;
    splitter.push(chunk, at);
    checkPending();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    outcome.stderr = (outcome.stderr + chunk.toString('utf8')).slice(-4000);
  });

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => finish(`could not run ${file}: ${error.message}`));
  void exited.then(() => {
    splitter.flush(process.hrtime.bigint());
    const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`;
    finish(`QEMU exited (${how}) ${waitingFor(outcome, spec, !!options.instrument)}`);
  });

  const timer = setTimeout(
    () => finish(`timed out after ${spec.timeoutMs / 1000} s ${waitingFor(outcome, spec, !!options.instrument)}`),
    spec.timeoutMs,
  );
  const onAbort = (): void =>
    finish(`aborted: ${String((options.signal?.reason as Error | undefined)?.message ?? 'cancelled')}`);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  if (options.instrument) {
    options.instrument
      .attach({ signal: done.signal, workDir })
      .then((measured) => {
        outcome.instrumented = measured;
        finish(null);
      })
      .catch((error: Error) => finish(error.message));
  }

  await new Promise<void>((resolve) => done.signal.addEventListener('abort', () => resolve(), { once: true }));
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  // QEMU first: the worker's stop and QEMU's reaping overlap
  if (child.pid !== undefined) killGroup(child.pid);
  const closing = matcher.close();
  await killAndReap(child);
  await closing;
  untrackGroup();
  await child; // reap and settle execa's promise
  untrack();
  await (
    await forget
  )();
  await release();
  outcome.timeline.reaped = process.hrtime.bigint();
  if (serialFile) await collectSerialFile(serialFile, splitter);
  // The serial tail goes with every failure: the first thing a reader needs.
  if (outcome.error !== null && !outcome.error.startsWith('aborted')) outcome.error += tail(outcome);
  return outcome;
}

/** Reads the serial file of an instrumented boot into the outcome's lines (stamped now: untimed). */
async function collectSerialFile(serialFile: string, splitter: SerialLineSplitter): Promise<void> {
  try {
    const at = process.hrtime.bigint();
    splitter.push(await readFile(serialFile), at);
    splitter.flush(at);
  } catch {
    // QEMU never started: no file
  } finally {
    await rm(serialFile, { force: true });
  }
}

function waitingFor(outcome: BootOutcome, spec: GuestSpec, instrumented: boolean): string {
  if (instrumented) return 'before the instrumented run finished';
  if (outcome.startAt === null) return `before the start marker /${spec.startMarker}/ appeared`;
  if (outcome.readyAt === null) return `before the ready marker /${spec.readyMarker}/ appeared`;
  const last = outcome.httpStatus !== null ? ` (last status ${outcome.httpStatus})` : '';
  return `before an HTTP 200 from ${spec.network?.guestIp}:${spec.network?.guestPort}${spec.httpPath}${last}`;
}

/** a serial line in an error message: long ones cut (a line may be 64 KiB) */
const TAIL_LINE_CHARS = 300;

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function tail(outcome: BootOutcome): string {
  const cut = (text: string): string =>
    text.length > TAIL_LINE_CHARS
      ? `${text.slice(0, TAIL_LINE_CHARS)}… (${text.length - TAIL_LINE_CHARS} more characters)`
      : text;
  const lines = outcome.lines.slice(-TAIL_LINES).map((l) => `  | ${cut(l.text)}`);
  const stderr = outcome.stderr.trim();
  let text = lines.length > 0 ? `\nserial tail:\n${lines.join('\n')}` : '\n(no serial output)';
  if (stderr) text += `\nqemu stderr:\n  ${stderr.split('\n').slice(-5).join('\n  ')}`;
  return text;
}
