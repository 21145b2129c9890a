import { describe, expect, it } from 'vitest';
import { bootOnce } from '../../src/boot/boot-once.js';
import { liveChildren } from '../../src/boot/children.js';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import { toRecord } from '../../src/measure/run.js';
import { buildLinuxFixture } from '../../src/build/linux-fixture.js';
import { linuxGuest, multibootGuest } from '../helpers/guests.js';
import { processesMentioning } from '../helpers/processes.js';

describe('boot engine on the multiboot fixture (real QEMU, TCG)', () => {
  it('finds start, module and ready lines in order and times them', async () => {
    const fixture = await buildMultibootFixture();
    const guest = multibootGuest(fixture);
    const outcome = await bootOnce(guest);
    expect(outcome.error).toBeNull();
    expect(outcome.ok).toBe(true);
    const texts = outcome.lines.map((l) => l.text);
    const start = texts.indexOf(fixture.startMarker);
    const ready = texts.indexOf(fixture.readyMarker);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(start);
    const moduleLines = texts.filter((t) => t.startsWith('(unit) initializing ')).map((t) => t.slice(20));
    expect(moduleLines).toEqual(fixture.modules.map((m) => m.name));
    // stamps never go backwards
    for (let i = 1; i < outcome.lines.length; i++) expect(outcome.lines[i]!.at >= outcome.lines[i - 1]!.at).toBe(true);
    const record = toRecord(outcome, guest, 0, 0, null);
    expect(record.bootMs).toBeGreaterThan(0);
    expect(record.httpMs).toBeNull();
    expect(record.modules.map((m) => m.name)).toEqual(fixture.modules.map((m) => m.name));
    expect(liveChildren()).toBe(0);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it("agrees with the guest's own TSC clock (validity)", async () => {
    const fixture = await buildMultibootFixture();
    const outcome = await bootOnce(multibootGuest(fixture));
    const tscUs = Number(new RegExp(fixture.tscLine).exec(outcome.lines.map((l) => l.text).join('\n'))?.[1]);
    const hostMs = Number(outcome.readyAt! - outcome.startAt!) / 1e6;
    expect(tscUs).toBeGreaterThan(0);
    // Loose on purpose (order of magnitude; docs/validity.md has the measured agreement).
    expect(Math.abs(hostMs - tscUs / 1000)).toBeLessThan(Math.max(20, 0.1 * hostMs));
  });

  it('records a guest that never prints its ready marker as a failed boot within the timeout, leaving no QEMU', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    const began = Date.now();
    const outcome = await bootOnce(multibootGuest(fixture, { timeoutMs: 3000 }));
    const took = Date.now() - began;
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/timed out after 3 s before the ready marker/);
    expect(outcome.error).toContain('serial tail');
    expect(took).toBeLessThan(3000 + 2000);
    expect(liveChildren()).toBe(0);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it('records a guest that dies early as a failed boot whose error carries the serial tail', async () => {
    const fixture = await buildMultibootFixture({ exitAfterModule: 'embox.mem.heap' });
    const outcome = await bootOnce(multibootGuest(fixture));
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/QEMU exited \(code \d+\) before the ready marker/);
    expect(outcome.error).toContain('(unit) initializing embox.mem.heap');
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it('records a QEMU that cannot start as a failed boot', async () => {
    const fixture = await buildMultibootFixture();
    const outcome = await bootOnce(multibootGuest(fixture, { qemu: 'qemu-system-does-not-exist' }));
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatch(/qemu-system-does-not-exist/);
  });

  it('stops a boot when aborted and reaps QEMU', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('test abort')), 500);
    const outcome = await bootOnce(multibootGuest(fixture), { signal: controller.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toContain('aborted: test abort');
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });
});

describe('boot engine on the Linux + busybox httpd fixture (real QEMU, real HTTP through user networking)', () => {
  it('times kernel start → ready line → first HTTP 200, with httpMs ≥ bootMs', async () => {
    const fixture = await buildLinuxFixture();
    const guest = linuxGuest(fixture);
    const outcome = await bootOnce(guest);
    expect(outcome.error).toBeNull();
    expect(outcome.httpStatus).toBe(200);
    const record = toRecord(outcome, guest, 0, 0, null);
    expect(record.ok).toBe(true);
    expect(record.bootMs).toBeGreaterThan(0);
    expect(record.httpMs).not.toBeNull();
    expect(record.httpMs!).toBeGreaterThanOrEqual(record.bootMs!);
    expect(await processesMentioning(fixture.kernel)).toEqual([]);
  });

  it('reports the last status when the guest never answers 200', async () => {
    const fixture = await buildLinuxFixture();
    const outcome = await bootOnce(linuxGuest(fixture, { httpPath: '/no-such-page', timeoutMs: 15_000 }));
    expect(outcome.ok).toBe(false);
    expect(outcome.httpStatus).toBe(404);
    expect(outcome.error).toMatch(/before an HTTP 200 .*last status 404/);
  });
});
