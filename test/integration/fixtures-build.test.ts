/**
 * Builds both CI guest fixtures and boots each with a plain QEMU call (not the bootgate
 * engine), checking the serial markers come in order and, for Linux, that HTTP answers 200.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { buildLinuxFixture } from '../../src/build/linux-fixture.js';
import { buildMultibootFixture, DEFAULT_FIXTURE_MODULES } from '../../src/build/multiboot-fixture.js';

interface SerialLine {
  text: string;
  /** ms since QEMU was spawned */
  at: number;
}

interface Console {
  lines: SerialLine[];
  /** resolves with the first line matching, rejects when QEMU exits first or on timeout */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<SerialLine>;
  exited: Promise<void>;
}

const QEMU_COMMON = [
  '-accel',
  'tcg',
  '-display',
  'none',
  '-vga',
  'none',
  '-monitor',
  'none',
  '-serial',
  'stdio',
  '-no-reboot',
];

/** Spawns QEMU and timestamps each serial line as it arrives. */
function watchSerial(qemu: ResultPromise, spawnedAt: number): Console {
  const lines: SerialLine[] = [];
  let partial = '';
  let waiters: Array<() => void> = [];
  let ended = false;
  qemu.stdout?.setEncoding('utf8');
  qemu.stdout?.on('data', (chunk: string) => {
    const at = performance.now() - spawnedAt;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ text: text.replace(/\r$/, ''), at });
    for (const wake of waiters) wake();
  });
  const exited = qemu
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      ended = true;
      for (const wake of waiters) wake();
    });
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<SerialLine> =>
    new Promise((resolvePromise, rejectPromise) => {
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}`)),
        timeoutMs,
      );
      const check = (): void => {
        const line = lines.find((l) => pattern.test(l.text));
        if (line) finish(null, line);
        else if (ended) finish(new Error(`QEMU exited before printing ${pattern}`));
      };
      const finish = (error: Error | null, line?: SerialLine): void => {
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        if (error) rejectPromise(new Error(`${error.message}\nserial so far:\n${lines.map((l) => l.text).join('\n')}`));
        else resolvePromise(line!);
      };
      waiters.push(check);
      check();
    });
  return { lines, waitFor, exited };
}

async function stopQemu(qemu: ResultPromise): Promise<void> {
  if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
  await qemu.catch(() => undefined);
}

function indexOfLine(lines: SerialLine[], pattern: RegExp): number {
  return lines.findIndex((l) => pattern.test(l.text));
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function httpStatus(port: number, timeoutMs: number): Promise<number | null> {
  return new Promise((resolveStatus) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveStatus(null));
    req.end();
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('multiboot fixture', () => {
  it('builds once and reuses the cached kernel', async () => {
    const first = await buildMultibootFixture();
    const again = await buildMultibootFixture();
    expect(again.kernel).toBe(first.kernel);
    expect(first.modules).toEqual(DEFAULT_FIXTURE_MODULES);
    const scaled = await buildMultibootFixture({ workPercent: 105, extraIterations: 7 });
    expect(scaled.kernel).not.toBe(first.kernel);
    expect(scaled.modules[0]!.iterations).toBe(Math.round(DEFAULT_FIXTURE_MODULES[0]!.iterations * 1.05) + 7);
  });

  it('reports a gcc -m32 failure with its stderr and the gcc-multilib hint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootgate-fake-gcc-'));
    const savedPath = process.env['PATH'];
    try {
      // A gcc that behaves like one without 32-bit headers (no gcc-multilib).
      writeFileSync(
        join(dir, 'gcc'),
        '#!/bin/sh\n[ "$1" = --version ] && { echo "gcc (fake) 0"; exit 0; }\n' +
          'echo "/usr/include/stdint.h:26:10: fatal error: gnu/stubs-32.h: No such file or directory" >&2\nexit 1\n',
      );
      chmodSync(join(dir, 'gcc'), 0o755);
      process.env['PATH'] = `${dir}:${savedPath ?? ''}`;
      await expect(buildMultibootFixture({ cacheDir: join(dir, 'cache') })).rejects.toThrow(
        /gcc -m32 failed on kernel\.c[\s\S]*gnu\/stubs-32\.h[\s\S]*gcc-multilib/,
      );
    } finally {
      process.env['PATH'] = savedPath;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const emulator of ['qemu-system-i386', 'qemu-system-x86_64']) {
    it(`boots under ${emulator}: start, every module in order, tsc line, ready`, async () => {
      const fixture = await buildMultibootFixture();
      const spawnedAt = performance.now();
      const qemu = execa(emulator, [...QEMU_COMMON, '-m', '64', '-nic', 'none', '-kernel', fixture.kernel], {
        reject: false,
        stdin: 'ignore',
      });
      try {
        const serial = watchSerial(qemu, spawnedAt);
        const ready = await serial.waitFor(new RegExp(escapeRegExp(fixture.readyMarker)), 30_000);
        const { lines } = serial;
        const start = indexOfLine(lines, new RegExp(escapeRegExp(fixture.startMarker)));
        const moduleLines = lines.map((l) => new RegExp(fixture.moduleMarker).exec(l.text)?.[1]).filter(Boolean);
        const tscIndex = indexOfLine(lines, new RegExp(fixture.tscLine));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(moduleLines).toEqual(fixture.modules.map((m) => m.name));
        expect(indexOfLine(lines, new RegExp(fixture.moduleMarker))).toBeGreaterThan(start);
        expect(tscIndex).toBeGreaterThan(start);
        expect(lines.indexOf(ready)).toBe(tscIndex + 1);
        const guestUs = Number(new RegExp(fixture.tscLine).exec(lines[tscIndex]!.text)![1]);
        const hostMs = ready.at - lines[start]!.at;
        console.log(
          `${emulator}: guest TSC start-to-ready ${(guestUs / 1000).toFixed(1)} ms, host serial ${hostMs.toFixed(1)} ms, QEMU spawn to ready ${ready.at.toFixed(0)} ms`,
        );
        // Two clocks over the same stretch: they agree up to the host's pipe/event-loop latency.
        expect(Math.abs(guestUs / 1000 - hostMs)).toBeLessThan(25 + hostMs * 0.05);
      } finally {
        await stopQemu(qemu);
      }
    });
  }

  it('exitAfterModule makes QEMU exit right after that module line; hang never prints ready', async () => {
    const modules = [
      { name: 'test.a', iterations: 1000 },
      { name: 'test.b', iterations: 1000 },
    ];
    const dying = await buildMultibootFixture({ modules, exitAfterModule: 'test.a' });
    const dyingQemu = execa('qemu-system-i386', [...QEMU_COMMON, '-m', '64', '-nic', 'none', '-kernel', dying.kernel], {
      reject: false,
      stdin: 'ignore',
    });
    try {
      const serial = watchSerial(dyingQemu, performance.now());
      await Promise.race([
        serial.exited,
        new Promise((_, reject) => setTimeout(() => reject(new Error('QEMU did not exit')), 20_000)),
      ]);
      const text = serial.lines.map((l) => l.text);
      expect(text).toContain('(unit) initializing test.a');
      expect(text).not.toContain('(unit) initializing test.b');
      expect(text).not.toContain(dying.readyMarker);
    } finally {
      await stopQemu(dyingQemu);
    }

    const hanging = await buildMultibootFixture({ modules, hang: true });
    const hangingQemu = execa(
      'qemu-system-i386',
      [...QEMU_COMMON, '-m', '64', '-nic', 'none', '-kernel', hanging.kernel],
      {
        reject: false,
        stdin: 'ignore',
      },
    );
    try {
      const serial = watchSerial(hangingQemu, performance.now());
      await serial.waitFor(/\(unit\) initializing test\.b/, 20_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(serial.lines.map((l) => l.text)).not.toContain(hanging.readyMarker);
      expect(hangingQemu.exitCode).toBeNull();
    } finally {
      await stopQemu(hangingQemu);
    }
  });
});

describe('linux fixture', () => {
  it('boots the Debian kernel and serves HTTP 200 through hostfwd', { timeout: 600_000 }, async () => {
    const buildStarted = performance.now();
    const fixture = await buildLinuxFixture();
    console.log(
      `linux fixture ready in ${(performance.now() - buildStarted).toFixed(0)} ms (includes download when not cached)`,
    );
    const port = await freePort();
    const spawnedAt = performance.now();
    const qemu = execa(
      fixture.qemu,
      [
        ...QEMU_COMMON,
        '-m',
        String(fixture.memoryMb),
        '-kernel',
        fixture.kernel,
        '-initrd',
        fixture.initrd,
        '-append',
        fixture.append,
        '-netdev',
        `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-${fixture.guestIp}:${fixture.guestPort}`,
        '-device',
        'virtio-net-pci,netdev=n0',
      ],
      { reject: false, stdin: 'ignore' },
    );
    try {
      const serial = watchSerial(qemu, spawnedAt);
      const ready = await serial.waitFor(new RegExp(escapeRegExp(fixture.readyMarker)), 90_000);
      const start = serial.lines.find((l) => l.text.includes(fixture.startMarker));
      expect(start).toBeDefined();
      expect(serial.lines.indexOf(start!)).toBeLessThan(serial.lines.indexOf(ready));
      expect(serial.lines.some((l) => l.text.includes('bootgate-linux: init start'))).toBe(true);

      // Readiness is an HTTP status line, each attempt with a short timeout, after the ready marker.
      let status: number | null = null;
      const deadline = performance.now() + 30_000;
      while (status !== 200 && performance.now() < deadline) {
        status = await httpStatus(port, 1000);
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      const httpAt = performance.now() - spawnedAt;
      expect(status).toBe(200);
      console.log(
        `linux ${fixture.kernelVersion}: QEMU spawn to "${fixture.startMarker}" ${start!.at.toFixed(0)} ms, ` +
          `to ready line ${ready.at.toFixed(0)} ms, to HTTP 200 ${httpAt.toFixed(0)} ms`,
      );
    } finally {
      await stopQemu(qemu);
    }
  });
});
