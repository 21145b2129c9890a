import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../src/boot/leftovers.js';
import { MAX_LINE_CHARS } from '../../src/boot/serial.js';
import { runProcess } from '../../src/build/process-runner.js';

/** True while `pid` runs (a zombie awaiting its reaper counts as gone); waits up to 3 s for it to go. */
async function alive(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if ((await processStartTime(pid)) === null) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Waits (up to 10 s) until the file lists `n` pids, one a line. */
async function pidsIn(file: string, n: number): Promise<number[]> {
  for (let i = 0; i < 100; i++) {
    const pids = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    if (pids.length >= n) return pids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file}: fewer than ${n} pids`);
}

/** A shell that starts a background sleeper (a grandchild) and a foreground one, writing both pids. */
function treeCommand(pidFile: string, foreground = 'sleep 300'): string[] {
  return ['-c', `sleep 300 & echo $! >> ${pidFile}; ${foreground} & echo $! >> ${pidFile}; wait`];
}

describe('runProcess: one process group per build', () => {
  it('stops the whole group on cancel: the command, its children and grandchildren', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-runner-'));
    const pidFile = path.join(dir, 'pids');
    const controller = new AbortController();
    const running = runProcess({
      file: 'sh',
      args: treeCommand(pidFile, "sh -c 'sleep 300; true'"),
      signal: controller.signal,
    });
    const pids = await pidsIn(pidFile, 2);
    const sent = Date.now();
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ end: 'cancelled', ok: false, how: 'was cancelled' });
    expect(Date.now() - sent).toBeLessThan(3000);
    for (const pid of pids) expect(await alive(pid)).toBe(false);
  });

  it('stops the whole group on timeout, SIGKILL after the grace time when SIGTERM is ignored', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-runner-'));
    const pidFile = path.join(dir, 'pids');
    const result = await runProcess({
      file: 'sh',
      args: ['-c', `trap '' TERM; sleep 300 & echo $! >> ${pidFile}; while :; do sleep 1; done`],
      timeoutMs: 500,
      graceMs: 500,
    });
    expect(result.end).toBe('timed-out');
    expect(result.how).toBe('did not finish within 0.5 s and was stopped');
    expect(result.seconds).toBeLessThan(5);
    for (const pid of await pidsIn(pidFile, 1)) expect(await alive(pid)).toBe(false);
  });

  it('returns when the command exits, killing what it left in the background', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-runner-'));
    const pidFile = path.join(dir, 'pids');
    // the background sleeper keeps stdout open: without the group kill this would wait 300 s
    const result = await runProcess({ file: 'sh', args: ['-c', `sleep 300 & echo $! >> ${pidFile}; echo done`] });
    expect(result).toMatchObject({ end: 'ok', ok: true, exitCode: 0, tail: ['done'] });
    expect(result.seconds).toBeLessThan(5);
    for (const pid of await pidsIn(pidFile, 1)) expect(await alive(pid)).toBe(false);
  });

  it('reports failures without throwing, with a bounded tail of capped lines', async () => {
    const failed = await runProcess({
      file: 'sh',
      args: ['-c', 'for i in $(seq 1 100); do echo line $i; done; exit 3'],
      tailLines: 5,
    });
    expect(failed).toMatchObject({ end: 'failed', exitCode: 3, how: 'exited with code 3', lines: 100 });
    expect(failed.tail).toEqual(['line 96', 'line 97', 'line 98', 'line 99', 'line 100']);
    const killed = await runProcess({ file: 'sh', args: ['-c', 'kill -9 $$'] });
    expect(killed).toMatchObject({ end: 'failed', signal: 'SIGKILL', how: 'was killed by SIGKILL' });
    const missing = await runProcess({ file: 'no-such-command-bootgate', args: [] });
    expect(missing).toMatchObject({ end: 'not-found', ok: false });
    expect(missing.how).toContain('no-such-command-bootgate not found');
    const long = await runProcess({
      file: 'sh',
      args: ['-c', `head -c ${MAX_LINE_CHARS * 2 + 5} /dev/zero | tr '\\0' x`],
    });
    expect(long.tail.map((l) => l.length)).toEqual([MAX_LINE_CHARS, MAX_LINE_CHARS, 5]);
  });

  it('writes every byte of output to the log and passes the environment', async () => {
    const chunks: Buffer[] = [];
    const output = new (await import('node:stream')).Writable({
      write: (chunk: Buffer, _e, done) => {
        chunks.push(chunk);
        done();
      },
    });
    const lines: string[] = [];
    const result = await runProcess({
      file: 'sh',
      args: ['-c', 'echo "$GREETING"; echo err >&2; echo tail'],
      env: { GREETING: 'hello' },
      output,
      onLine: (l) => lines.push(l),
    });
    expect(result.ok).toBe(true);
    expect(lines.sort()).toEqual(['err', 'hello', 'tail']);
    expect(Buffer.concat(chunks).toString().split('\n').sort()).toEqual(['', 'err', 'hello', 'tail']);
  });
});
