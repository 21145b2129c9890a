import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootOnce, type BootInstrument } from '../../src/boot/boot-once.js';
import { liveChildren } from '../../src/boot/children.js';
import { deterministicInstrument } from '../../src/boot/deterministic.js';
import type { GuestSpec } from '../../src/boot/guest.js';
import { readElfSymbols } from '../../src/elf/index.js';
import {
  buildMultibootFixture,
  DEFAULT_FIXTURE_MODULES,
  fixtureModuleProbe,
  INSTRUCTIONS_PER_ITERATION,
  type MultibootFixture,
} from '../../src/build/multiboot-fixture.js';
import { multibootGuest } from '../helpers/guests.js';
import { processesMentioning } from '../helpers/processes.js';

/*
 * The fixture's module work scaled down 100x: the count stays exact, and the boots stay short
 * even while a breakpoint shares a 4 KiB page with the busy loops (QEMU then translates that
 * page one instruction at a time; see docs/deterministic.md).
 */
const MODULES = DEFAULT_FIXTURE_MODULES.map((m) => ({ ...m, iterations: Math.round(m.iterations / 10), waitUs: 0 }));
/** where the fixture has just sent its start line / its ready line */
const START_SYMBOL = 'bootgate_fixture_started';
const READY_SYMBOL = 'bootgate_fixture_ready';
const BOOTS = 20;
// Two boots at a time next to a CPU hog: the count must not care that the host is busy.
const LANES = 2;
/** a NIC with nothing behind it, as deterministic mode gives every networked guest */
const NIC = { nic: 'virtio-net-pci', mac: '52:54:00:12:34:56', guestIp: '10.0.2.15', guestPort: 80 };

let workRoot = '';
let fixture: MultibootFixture;
let instrument: BootInstrument;
let baseline = 0;
const bootMs: number[] = [];
/** the guest's own "tsc start-to-ready" figure per boot: its virtual clock must repeat too */
const guestClockUs = new Set<string>();

function guest(f: MultibootFixture, overrides: Partial<GuestSpec> = {}): GuestSpec {
  return multibootGuest(f, { timeoutMs: 90_000, ...overrides });
}

/** A process that keeps one host core busy until stopped. */
function startHog(): () => Promise<void> {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => hog.once('exit', () => resolve()));
  return async () => {
    hog.kill('SIGKILL');
    await exited;
  };
}

/**
 * The boot's record-mode log (`-icount …,rr=record,rrfile=…`): QEMU runs in record mode, and the
 * log's private folder (the gdb and QMP sockets are there too) is gone once the boot is over.
 */
function expectRecordModeCleanedUp(command: string[]): void {
  const icount = command[command.indexOf('-icount') + 1] ?? '';
  const record = /,rr=record,rrfile=(.+)$/.exec(icount)?.[1];
  expect(record, icount).toBeDefined();
  expect(existsSync(path.dirname(record!))).toBe(false);
}

async function deterministicBoot(
  f: MultibootFixture,
  inst: BootInstrument,
  workDir: string,
  overrides: Partial<GuestSpec> = {},
): Promise<number> {
  const began = Date.now();
  const outcome = await bootOnce(guest(f, overrides), { instrument: inst, workDir });
  expectRecordModeCleanedUp(outcome.command);
  expect(outcome.error).toBeNull();
  expect(outcome.ok).toBe(true);
  bootMs.push(Date.now() - began);
  const tsc = new RegExp(f.tscLine).exec(outcome.lines.map((l) => l.text).join('\n'));
  if (tsc && f === fixture) guestClockUs.add(tsc[1]!);
  const instructions = outcome.instrumented?.instructions;
  expect(typeof instructions).toBe('number');
  return instructions as number;
}

async function laneDir(name: string): Promise<string> {
  return mkdtemp(path.join(workRoot, `${name}-`));
}

async function socketsLeft(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.sock'));
}

beforeAll(async () => {
  workRoot = await mkdtemp(path.join(tmpdir(), 'bootgate-det-'));
  fixture = await buildMultibootFixture({ modules: MODULES });
  instrument = await deterministicInstrument({
    image: fixture.kernel,
    startSymbol: START_SYMBOL,
    readySymbol: READY_SYMBOL,
  });
  baseline = await deterministicBoot(fixture, instrument, await laneDir('baseline'));
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
  if (bootMs.length) {
    const sorted = [...bootMs].sort((a, b) => a - b);
    console.log(
      `deterministic boots: ${bootMs.length}, fixture count ${baseline.toLocaleString('en-US')} instructions, ` +
        `wall time per boot median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`,
    );
  }
});

describe('deterministic mode on the multiboot fixture (real QEMU, -icount)', () => {
  it('reads the same symbols as nm', async () => {
    const { stdout } = await execa('nm', ['--defined-only', fixture.kernel]);
    const symbols = await readElfSymbols(fixture.kernel);
    for (const line of stdout.split('\n')) {
      const [address, , name] = line.trim().split(/\s+/);
      expect(symbols.get(name!), name).toBe(BigInt(`0x${address}`));
    }
    expect(symbols.has(START_SYMBOL) && symbols.has(READY_SYMBOL)).toBe(true);
  });

  it(`gives one instruction count in ${BOOTS} of ${BOOTS} boots, ${LANES} at a time next to a CPU hog`, async () => {
    expect(baseline).toBeGreaterThan(2 * MODULES.reduce((sum, m) => sum + m.iterations, 0));
    const counts: number[] = [baseline];
    const stopHog = startHog();
    try {
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          const dir = await laneDir(`lane${lane}`);
          for (let i = lane + 1; i < BOOTS; i += LANES) counts.push(await deterministicBoot(fixture, instrument, dir));
          expect(await socketsLeft(dir)).toEqual([]);
        }),
      );
    } finally {
      await stopHog();
    }
    expect(counts).toHaveLength(BOOTS);
    expect(new Set(counts)).toEqual(new Set([baseline]));
    expect(guestClockUs.size).toBe(1);
    expect(liveChildren()).toBe(0);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  }, 600_000);

  it('counts exactly 2K more instructions when the first module does K = 1000 more iterations', async () => {
    const extra = 1000;
    const longer = await buildMultibootFixture({ modules: MODULES, extraIterations: extra });
    const longerInstrument = await deterministicInstrument({
      image: longer.kernel,
      startSymbol: START_SYMBOL,
      readySymbol: READY_SYMBOL,
    });
    const count = await deterministicBoot(longer, longerInstrument, await laneDir('extra'));
    expect(count - baseline).toBe(extra * INSTRUCTIONS_PER_ITERATION);
    expect(await processesMentioning(longer.kernel)).toEqual([]);
  });

  it('gives the same count with a NIC (no backend: nothing host-timed reaches the guest) next to a CPU hog', async () => {
    const stopHog = startHog();
    try {
      const dir = await laneDir('nic');
      expect(await deterministicBoot(fixture, instrument, dir, { network: NIC })).toBe(baseline);
      expect(await deterministicBoot(fixture, instrument, dir, { network: NIC })).toBe(baseline);
    } finally {
      await stopHog();
    }
  }, 300_000);

  it('attributes instructions module by module: K more iterations in the first module show up there, as 2K, and only there', async () => {
    const probed = await deterministicInstrument({
      image: fixture.kernel,
      startSymbol: START_SYMBOL,
      readySymbol: READY_SYMBOL,
      modules: fixtureModuleProbe,
    });
    const run = async (
      f: MultibootFixture,
      inst: BootInstrument,
    ): Promise<{ total: number; modules: Map<string, number> }> => {
      const outcome = await bootOnce(guest(f), { instrument: inst, workDir: await laneDir('modules') });
      expect(outcome.error).toBeNull();
      const record = outcome.instrumented!;
      expect(record.modules).not.toBeNull();
      return { total: record.instructions, modules: new Map(record.modules!.map((m) => [m.name, m.instructions])) };
    };
    const before = await run(fixture, probed);
    expect([...before.modules.keys()]).toEqual(MODULES.map((m) => m.name));
    const sum = [...before.modules.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(before.total);
    for (const m of MODULES)
      expect(before.modules.get(m.name)!).toBeGreaterThan(m.iterations * INSTRUCTIONS_PER_ITERATION);

    const extra = 1000;
    const longer = await buildMultibootFixture({ modules: MODULES, extraIterations: extra });
    const after = await run(
      longer,
      await deterministicInstrument({
        image: longer.kernel,
        startSymbol: START_SYMBOL,
        readySymbol: READY_SYMBOL,
        modules: fixtureModuleProbe,
      }),
    );
    expect(after.total - before.total).toBe(extra * INSTRUCTIONS_PER_ITERATION);
    const first = MODULES[0]!.name;
    expect(after.modules.get(first)! - before.modules.get(first)!).toBe(extra * INSTRUCTIONS_PER_ITERATION);
    for (const m of MODULES.slice(1)) expect(after.modules.get(m.name)).toBe(before.modules.get(m.name));
  }, 300_000);

  it('counts per module exactly while a timer interrupts the guest every 84 us, two boots at a time next to a CPU hog', async () => {
    // Record mode with interrupts (the fixture's 14 ticks between start and ready) and the stops
    // of per-module counting, each of which moves the virtual clock. On Embox a tick due at a
    // step off a breakpoint returned onto it forever until the step masked interrupts; this
    // fixture's steps never met a due tick, so it guards the counts, not that livelock.
    const ticking = await buildMultibootFixture({ modules: MODULES, timerInterrupts: true });
    const probed = await deterministicInstrument({
      image: ticking.kernel,
      startSymbol: START_SYMBOL,
      readySymbol: READY_SYMBOL,
      modules: fixtureModuleProbe,
    });
    const results: string[] = [];
    const stopHog = startHog();
    try {
      await Promise.all(
        Array.from({ length: LANES }, async (_, lane) => {
          const dir = await laneDir(`ticking${lane}`);
          for (let i = 0; i < 2; i++) {
            const outcome = await bootOnce(guest(ticking, { timeoutMs: 120_000 }), {
              instrument: probed,
              workDir: dir,
            });
            expectRecordModeCleanedUp(outcome.command);
            expect(outcome.error).toBeNull();
            const record = outcome.instrumented!;
            expect(record.modules!.map((m) => m.name)).toEqual(MODULES.map((m) => m.name));
            results.push(JSON.stringify(record));
          }
        }),
      );
    } finally {
      await stopHog();
    }
    expect(new Set(results).size).toBe(1);
    // the ticks cost instructions: more than the same fixture without them
    expect(JSON.parse(results[0]!).instructions).toBeGreaterThan(baseline);
  }, 600_000);

  it('starts at the ELF entry point by default, reached once, and counts the same each time', async () => {
    const fromEntry = await deterministicInstrument({ image: fixture.kernel, readySymbol: READY_SYMBOL });
    const dir = await laneDir('entry');
    const first = await deterministicBoot(fixture, fromEntry, dir);
    expect(await deterministicBoot(fixture, fromEntry, dir)).toBe(first);
    // entry → ready includes the PIT calibration before the start line: far more than start → ready
    expect(first).toBeGreaterThan(baseline);
  });

  it('keeps its sockets and record log in a private temp folder, never in a work folder (whose path may be too long for a socket)', async () => {
    const longDir = path.join(
      await laneDir('long'),
      'a-work-folder-whose-path-is-longer-than-a-unix-socket-address-can-hold'.repeat(2),
    );
    await mkdir(longDir, { recursive: true });
    expect(await deterministicBoot(fixture, instrument, longDir)).toBe(baseline);
    expect((await readdir(longDir)).filter((name) => !name.startsWith('serial-'))).toEqual([]);
  });

  it('refuses a stripped image, saying it has no symbols', async () => {
    const stripped = path.join(workRoot, 'kernel-stripped.elf');
    await copyFile(fixture.kernel, stripped);
    await execa('objcopy', ['--strip-all', stripped]);
    await expect(
      deterministicInstrument({ image: stripped, startSymbol: START_SYMBOL, readySymbol: READY_SYMBOL }),
    ).rejects.toThrow(
      /kernel-stripped\.elf has no symbol table \(stripped image\): deterministic mode needs its symbols/,
    );
    await expect(deterministicInstrument({ image: fixture.kernel })).rejects.toThrow(
      /symbol "accept" is not in .*kernel\.elf/,
    );
  });

  it('fails within the boot timeout when the ready symbol is never reached, leaving no QEMU and no socket', async () => {
    const hang = await buildMultibootFixture({ modules: MODULES, hang: true });
    const hangInstrument = await deterministicInstrument({
      image: hang.kernel,
      startSymbol: START_SYMBOL,
      readySymbol: READY_SYMBOL,
    });
    const dir = await laneDir('hang');
    const began = Date.now();
    const outcome = await bootOnce(guest(hang, { timeoutMs: 3000 }), { instrument: hangInstrument, workDir: dir });
    expectRecordModeCleanedUp(outcome.command);
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/timed out after 3 s before the instrumented run finished/);
    expect(Date.now() - began).toBeLessThan(3000 + 2000);
    expect(liveChildren()).toBe(0);
    expect(await processesMentioning(hang.kernel)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100)); // attach's cleanup runs after the boot settled
    expect(await socketsLeft(dir)).toEqual([]);
  });

  it('reports a guest that dies before the ready symbol as a failed boot', async () => {
    const dying = await buildMultibootFixture({ modules: MODULES, exitAfterModule: MODULES[2]!.name });
    const dyingInstrument = await deterministicInstrument({
      image: dying.kernel,
      startSymbol: START_SYMBOL,
      readySymbol: READY_SYMBOL,
    });
    const dir = await laneDir('dying');
    const outcome = await bootOnce(guest(dying), { instrument: dyingInstrument, workDir: dir });
    expectRecordModeCleanedUp(outcome.command);
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/QEMU exited|guest exited|gdbstub connection closed/);
    expect(await processesMentioning(dying.kernel)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await socketsLeft(dir)).toEqual([]);
  });
});
