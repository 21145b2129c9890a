import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bootOnce, type BootInstrument, type BootOutcome } from '../boot/boot-once.js';
import { buildQemuArgs, qemuCommand, type GuestSpec } from '../boot/guest.js';
import { moduleBreakdown } from './modules.js';
import { bootPhases } from './phases.js';
import type { BootRecord, SubjectResult } from './results.js';
import { summarizeSubject } from './summary.js';

/** One subject to boot: the guest and how many boots. */
export interface MeasurePlan {
  name: string;
  os: string;
  variant: 'base' | 'head' | null;
  ref?: string | null;
  commit?: string | null;
  guest: GuestSpec;
  runs: number;
  warmup: number;
  image?: SubjectResult['image'];
  build?: SubjectResult['build'];
  /** deterministic mode: counts instructions instead of (not as well as) wall-clock */
  instrument?: BootInstrument;
  /** deterministic boots of this plan that may run at the same time (default 1) */
  parallel?: number;
}

export interface BootProgress {
  subject: string;
  variant: 'base' | 'head' | null;
  warmup: boolean;
  index: number;
  of: number;
  record: BootRecord;
  /** the harness's own stamps of this boot (bench-harness breaks the overhead down with them) */
  timeline?: BootOutcome['timeline'] & {
    launched: bigint;
    startAt: bigint | null;
    readyAt: bigint | null;
    httpAt: bigint | null;
  };
}

export interface MeasureOptions {
  /** sequential: each subject's boots in a row; interleaved: base/head pairs alternate (ABBA) */
  order: 'sequential' | 'interleaved';
  /** where serial logs go; records hold paths relative to `logBase` */
  logDir: string;
  logBase: string;
  signal?: AbortSignal;
  onBoot?: (progress: BootProgress) => void;
  /**
   * Adaptive boots: called each time the planned boots are done, with the results so far; returns
   * how many more counted boots each plan gets (by plan index). Nothing (or all zero) ends the run.
   */
  more?: (results: SubjectResult[]) => Map<number, number>;
}

interface Slot {
  plan: number;
  warmup: boolean;
  index: number;
}

/**
 * The order boots run in. Warm-ups first. Interleaved: for each pair of counted boots the order
 * alternates A B, B A, … so that a drift of the machine's speed hits both sides alike.
 */
export function bootSchedule(
  plans: readonly Pick<MeasurePlan, 'runs' | 'warmup'>[],
  order: MeasureOptions['order'],
  firstIndex: readonly number[] = [],
): Slot[] {
  const slots: Slot[] = [];
  plans.forEach((plan, p) => {
    for (let i = 0; i < plan.warmup; i++) slots.push({ plan: p, warmup: true, index: i });
  });
  if (order === 'sequential') {
    plans.forEach((plan, p) => {
      for (let i = 0; i < plan.runs; i++) slots.push({ plan: p, warmup: false, index: i });
    });
    return slots;
  }
  const most = Math.max(0, ...plans.map((p) => p.runs));
  for (let i = 0; i < most; i++) {
    const round = plans.map((_, p) => p).filter((p) => i < plans[p]!.runs);
    // the A B / B A alternation continues across adaptive extensions
    if (((firstIndex[round[0] ?? 0] ?? 0) + i) % 2 === 1) round.reverse();
    for (const p of round) slots.push({ plan: p, warmup: false, index: (firstIndex[p] ?? 0) + i });
  }
  return slots;
}

export async function measure(
  plans: readonly MeasurePlan[],
  options: MeasureOptions,
): Promise<{ results: SubjectResult[]; interrupted: boolean }> {
  const results: SubjectResult[] = plans.map((plan) => ({
    name: plan.name,
    os: plan.os,
    variant: plan.variant,
    ref: plan.ref ?? null,
    commit: plan.commit ?? null,
    image: plan.image ?? null,
    build: plan.build ?? null,
    guest: plan.guest,
    qemuCommand: (({ file, args }) => [file, ...args])(
      qemuCommand(plan.guest, buildQemuArgs(plan.guest, plan.guest.network && !plan.instrument ? 0 : null)),
    ),
    deterministic: plan.instrument !== undefined,
    warmup: [],
    boots: [],
    summary: summarizeSubject([]),
  }));
  let interrupted = false;
  let schedule = bootSchedule(plans, options.order);
  let sequence = 0;
  const runSlot = async (slot: Slot, sequence: number, workDir: string): Promise<void> => {
    const plan = plans[slot.plan]!;
    await mkdir(workDir, { recursive: true });
    const outcome = await bootOnce(plan.guest, { signal: options.signal, instrument: plan.instrument, workDir });
    if (options.signal?.aborted) {
      // The boot was cut short by the user, not by the guest: not a measurement.
      interrupted = true;
      return;
    }
    const logName = path.join(
      safeName(plan.name, plan.variant),
      `${slot.warmup ? 'warmup' : 'boot'}-${slot.index + 1}.log`,
    );
    await writeSerialLog(path.join(options.logDir, logName), outcome);
    const record = toRecord(
      outcome,
      plan.guest,
      slot.index,
      sequence,
      path.relative(options.logBase, path.join(options.logDir, logName)),
    );
    const result = results[slot.plan]!;
    (slot.warmup ? result.warmup : result.boots).push(record);
    options.onBoot?.({
      subject: plan.name,
      variant: plan.variant,
      warmup: slot.warmup,
      index: slot.index,
      of: slot.warmup ? plan.warmup : Math.max(plan.runs, slot.index + 1),
      record,
      timeline: {
        ...outcome.timeline,
        launched: outcome.launchedAt,
        startAt: outcome.startAt,
        readyAt: outcome.readyAt,
        httpAt: outcome.httpAt,
      },
    });
  };
  for (;;) {
    // Deterministic boots count instructions, which host load does not change: consecutive ones
    // run side by side (lanes). A wall-clock boot always runs alone.
    for (const group of parallelGroups(schedule, plans)) {
      if (options.signal?.aborted || interrupted) {
        interrupted = true;
        break;
      }
      let next = 0;
      await Promise.all(
        Array.from({ length: group.lanes }, async (_, lane) => {
          // one work folder per lane: a boot's sockets and serial file are its own
          const workDir = path.join(options.logDir, 'run', group.lanes > 1 ? `lane-${lane + 1}` : '');
          while (next < group.slots.length && !options.signal?.aborted && !interrupted) {
            const at = sequence + group.first + next;
            const slot = group.slots[next++]!;
            await runSlot(slot, at, workDir);
          }
        }),
      );
    }
    sequence += schedule.length;
    if (options.signal?.aborted) interrupted = true;
    // Lanes finish out of order: keep each subject's boots in schedule order.
    for (const result of results) {
      result.boots.sort((a, b) => a.sequence - b.sequence);
      result.warmup.sort((a, b) => a.sequence - b.sequence);
    }
    if (interrupted || !options.more) break;
    // Adaptive gate: more interleaved pairs for the subjects that cannot decide yet.
    const more = options.more(results);
    const extra = plans.map((_, p) => ({ runs: more.get(p) ?? 0, warmup: 0 }));
    if (extra.every((e) => e.runs <= 0)) break;
    schedule = bootSchedule(
      extra,
      options.order,
      results.map((r) => r.boots.length),
    );
  }
  for (const result of results) result.summary = summarizeSubject(result.boots);
  return { results, interrupted };
}

interface SlotGroup {
  /** position of the group's first slot in the schedule */
  first: number;
  slots: Slot[];
  /** boots of the group that may run at once */
  lanes: number;
}

/**
 * Cuts the schedule into runs of consecutive slots: a run of deterministic boots gets as many
 * lanes as the least parallel of its plans allows (and no more than it has boots); every
 * wall-clock boot is a group of its own, run alone.
 */
export function parallelGroups(
  schedule: readonly Slot[],
  plans: readonly Pick<MeasurePlan, 'instrument' | 'parallel'>[],
): SlotGroup[] {
  const groups: SlotGroup[] = [];
  schedule.forEach((slot, at) => {
    const plan = plans[slot.plan]!;
    const lanes = plan.instrument ? Math.max(1, Math.floor(plan.parallel ?? 1)) : 1;
    const last = groups.at(-1);
    if (last && lanes > 1 && last.lanes > 1) {
      last.slots.push(slot);
      last.lanes = Math.min(last.lanes, lanes);
    } else {
      groups.push({ first: at, slots: [slot], lanes });
    }
  });
  for (const group of groups) group.lanes = Math.min(group.lanes, group.slots.length);
  return groups;
}

export function toRecord(
  outcome: BootOutcome,
  guest: GuestSpec,
  index: number,
  sequence: number,
  log: string | null,
): BootRecord {
  // Under -icount the guest's clock is warped: serial times of an instrumented boot mean nothing.
  const ms = (to: bigint | null): number | null =>
    outcome.startAt !== null && to !== null && outcome.instrumented === null
      ? Number(to - outcome.startAt) / 1e6
      : null;
  const instructions = outcome.instrumented?.instructions ?? null;
  return {
    index,
    sequence,
    ok: outcome.ok,
    bootMs: ms(outcome.readyAt),
    httpMs: ms(outcome.httpAt),
    instructions,
    modules: !outcome.ok
      ? []
      : outcome.instrumented
        ? (outcome.instrumented.modules ?? []).map((m) => ({ name: m.name, ms: null, instructions: m.instructions }))
        : moduleBreakdown(outcome.lines, guest.moduleMarker, outcome.startAt, outcome.readyAt),
    phases:
      outcome.ok && outcome.instrumented === null
        ? bootPhases(outcome.lines, guest.moduleMarker, outcome.startAt, outcome.readyAt, outcome.httpAt)
        : [],
    error: outcome.error,
    log,
  };
}

function safeName(name: string, variant: string | null): string {
  return `${name}${variant ? `-${variant}` : ''}`.replace(/[^\w.-]+/g, '_');
}

/** The raw serial output, each line prefixed with ms since QEMU was launched. */
async function writeSerialLog(file: string, outcome: BootOutcome): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const lines = outcome.lines.map(
    (l) => `${(Number(l.at - outcome.launchedAt) / 1e6).toFixed(3).padStart(10)} ${l.text}`,
  );
  const header = [
    `# ${outcome.command.join(' ')}`,
    `# ok=${outcome.ok}${outcome.error ? ` error=${outcome.error.split('\n')[0]}` : ''}`,
  ];
  if (outcome.stderr.trim()) header.push(`# qemu stderr: ${outcome.stderr.trim().replace(/\n/g, '\n# ')}`);
  if (outcome.droppedLines > 0)
    header.push(`# ${outcome.droppedLines} earlier lines dropped: a boot keeps only its last few MiB of serial output`);
  await writeFile(file, `${[...header, ...lines].join('\n')}\n`);
}
