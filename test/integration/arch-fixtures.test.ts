/**
 * The non-x86 Embox machines without Embox: a tiny fixture kernel per machine, built with the
 * Debian cross compiler bootgate maps the template's CROSS_COMPILE to, booted the way bootgate
 * boots the template (loader, machine, CPU from the architecture table; the board's NIC attached
 * as QEMU attaches it), checking markers, module lines, the NIC's MAC as the guest reads it, and
 * the deterministic instruction count (gdbstub breakpoints on the ELF's symbols).
 */
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootOnce } from '../../src/boot/boot-once.js';
import { deterministicInstrument } from '../../src/boot/deterministic.js';
import { freeLoopbackPort } from '../../src/boot/free-port.js';
import { buildQemuArgs } from '../../src/boot/guest.js';
import { SerialLineSplitter } from '../../src/boot/serial.js';
import { ARCH_FIXTURE_MACHINES, archFixtureGuest, buildArchFixture } from '../../src/build/arch-fixture.js';
import { processesMentioning } from '../helpers/processes.js';

const MAC = 'aa:bb:cc:dd:ee:02';
const workDirs: string[] = [];
afterAll(async () => {
  await Promise.all(workDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.each(Object.keys(ARCH_FIXTURE_MACHINES))('arch fixture %s', (key) => {
  const machine = ARCH_FIXTURE_MACHINES[key]!;

  it(`boots as ${machine.template} does: loader, start → ready, one line per module`, async () => {
    // 10x the default work: with a few ms between start and ready, a busy host can read both lines
    // at once, which bootOnce rightly refuses to time
    const fixture = await buildArchFixture(key, { nic: false, workPercent: 1000 });
    const spec = archFixtureGuest(fixture);
    const outcome = await bootOnce(spec);
    expect(outcome.error).toBeNull();
    expect(outcome.ok).toBe(true);
    const args = outcome.command;
    expect(args).toContain(spec.loader === 'bios' ? '-bios' : '-kernel');
    expect(spec.loader).toBe(machine.arch === 'riscv' ? 'bios' : 'kernel');
    expect(outcome.readyAt! >= outcome.startAt!).toBe(true);
    const modules = outcome.lines.map((l) => new RegExp(fixture.moduleMarker).exec(l.text)?.[1]).filter(Boolean);
    expect(modules).toEqual(fixture.modules.map((m) => m.name));
    expect(outcome.lines.some((l) => l.text === 'bootgate-fixture: nic none')).toBe(true);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  }, 120_000);

  // riscv virt has no NIC in Embox's templates: no test is declared for it (rather than a skipped one)
  if (machine.nic !== null)
    it(`attaches the NIC as QEMU does (${machine.nic.model}, ${machine.nic.attach}) with the MAC asked for`, async () => {
      const fixture = await buildArchFixture(key);
      const nic = machine.nic!;
      const spec = archFixtureGuest(fixture, {
        network: { nic: nic.model, attach: nic.attach, mac: MAC, guestIp: '10.0.2.16', guestPort: 80 },
      });
      const args = buildQemuArgs(spec, await freeLoopbackPort());
      if (nic.attach === 'board')
        expect(args[args.indexOf('-net') + 1]).toBe(`nic,netdev=n0,model=${nic.model},macaddr=${MAC}`);
      else expect(args[args.indexOf('-device') + 1]).toBe(`${nic.model},netdev=n0,mac=${MAC}`);
      // the fixture has no httpd: read its serial directly instead of bootOnce's HTTP probe
      const qemu = execa(spec.qemu, args, { stdin: 'ignore', buffer: false, reject: false, timeout: 60_000 });
      const lines: string[] = [];
      const splitter = new SerialLineSplitter((l) => lines.push(l.text));
      const ready = new Promise<void>((resolve) => {
        qemu.stdout.on('data', (chunk: Buffer) => {
          splitter.push(chunk, process.hrtime.bigint());
          if (lines.includes(fixture.readyMarker)) resolve();
        });
        void qemu.finally(() => resolve());
      });
      await ready;
      qemu.kill('SIGKILL');
      await qemu;
      const nicLine = lines.map((l) => new RegExp(fixture.nicLine).exec(l)).find(Boolean);
      expect(nicLine?.[1], lines.join('\n')).toBe(MAC);
    }, 120_000);

  it('deterministic mode: the same instruction count at the ready symbol in every boot', async () => {
    const fixture = await buildArchFixture(key, { nic: false });
    const instrument = await deterministicInstrument({
      image: fixture.kernel,
      startSymbol: 'bootgate_fixture_started',
      readySymbol: 'bootgate_fixture_ready',
    });
    const workDir = await mkdtemp(path.join(tmpdir(), 'bootgate-arch-det-'));
    workDirs.push(workDir);
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const outcome = await bootOnce(archFixtureGuest(fixture, { timeoutMs: 90_000 }), { instrument, workDir });
      expect(outcome.error).toBeNull();
      counts.push(outcome.instrumented!.instructions);
    }
    expect(counts[0]).toBe(counts[1]);
    // the busy loops alone: 2 instructions per iteration
    const work = fixture.modules.reduce((sum, m) => sum + 2 * m.iterations, 0);
    expect(counts[0]!).toBeGreaterThan(work);
    expect(counts[0]!).toBeLessThan(work * 1.2);
  }, 180_000);
});
