import os from 'node:os';
import type { PreparedSubject } from '../build/prepared-subject.js';
import { deterministicInstrument } from '../boot/deterministic.js';
import { emboxModuleProbe } from '../build/embox/unit-probe.js';
import { fixtureModuleProbe } from '../build/multiboot-fixture.js';
import type { Subject } from '../config/subjects.js';
import type { MeasurePlan } from '../measure/run.js';

export const DEFAULT_RUNS = 10;
export const DEFAULT_WARMUP = 1;

/** How one prepared subject (one variant of it, when gated) is booted. */
export async function planFor(
  subject: Subject,
  prepared: PreparedSubject,
  extra: { variant?: 'base' | 'head'; ref?: string; commit?: string; runsOverride?: number; warmupOverride?: number },
): Promise<MeasurePlan> {
  const s = subject.settings;
  return {
    name: subject.name,
    os: subject.os,
    variant: extra.variant ?? null,
    ref: extra.ref ?? null,
    commit: extra.commit ?? null,
    guest: prepared.guest,
    runs: extra.runsOverride ?? s.runs ?? DEFAULT_RUNS,
    warmup: extra.warmupOverride ?? s.warmup ?? DEFAULT_WARMUP,
    image: prepared.image,
    build: prepared.build,
    // Resolving the symbols now makes a stripped image fail before any boot.
    instrument: s.deterministic
      ? await deterministicInstrument({
          image: prepared.guest.kernel,
          startSymbol: s['start-symbol'],
          readySymbol: s['ready-symbol'] ?? prepared.readySymbol,
          // per-module counts where the image has a known per-module function (else totals only)
          modules:
            subject.os === 'embox'
              ? await emboxModuleProbe(prepared.guest.kernel)
              : subject.os === 'custom'
                ? fixtureModuleProbe
                : undefined,
        })
      : undefined,
    parallel: s.parallel ?? os.availableParallelism(),
  };
}
