import { describe, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootOnce } from '../../src/boot/boot-once.js';
import { deterministicInstrument } from '../../src/boot/deterministic.js';
import { buildMultibootFixture, DEFAULT_FIXTURE_MODULES } from '../../src/build/multiboot-fixture.js';
import { multibootGuest } from '../helpers/guests.js';

describe('probe', () => {
  it('probe', async () => {
    for (const scale of [1000]) {
    const fixture = await buildMultibootFixture({ modules: DEFAULT_FIXTURE_MODULES.map((m) => ({ ...m, iterations: m.iterations / scale })) });
    const workDir = await mkdtemp(path.join(tmpdir(), 'bg-det-'));
    const n = fixture.modules.length + 4;
    for (const [s, r] of [[undefined, `uart_end_line@${n}`], ['uart_end_line', `uart_end_line@${n}`], ['uart_end_line@2', `uart_end_line@${n}`]] as const) {
      const inst = await deterministicInstrument({ image: fixture.kernel, startSymbol: s, readySymbol: r });
      for (let i = 0; i < 2; i++) {
        const t0 = Date.now();
        const out = await bootOnce(multibootGuest(fixture, { timeoutMs: 100_000 }), { instrument: inst, workDir });
        console.log(scale, s, r, out.error?.slice(0, 300), out.instrumented, Date.now() - t0, 'ms', out.lines.length);
      }
    }
    const t0 = Date.now();
    const out = await bootOnce(multibootGuest(fixture));
    console.log('normal', out.error, Date.now() - t0, Number(out.readyAt! - out.startAt!) / 1e6);
    }
  }, 600_000);
});
