/**
 * Builds the multiboot CI fixture kernel (fixtures/multiboot) with the host's gcc -m32 and ld,
 * with its behaviour (modules, work per module, failure modes) fixed at build time through a
 * generated header. Results are cached by content hash, so repeated builds are free.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readGuestName, type ModuleProbe } from '../boot/module-probe.js';
import { DEFAULT_MODULE_MARKER } from '../boot/guest.js';
import type { SubjectSettings } from '../config/schema.js';
import { bootgateCacheDir } from '../config/cache-dir.js';
import { buildIntoPlace } from './build-into-place.js';

export interface FixtureModule {
  name: string;
  /** CPU work: busy-loop iterations of exactly 2 instructions */
  iterations: number;
  /** time work: microseconds spent spinning on the TSC (follows the clock, not the host's speed) */
  waitUs?: number;
}

export interface MultibootFixtureOptions {
  modules?: FixtureModule[];
  /** 100 = baseline; 105 = every module does exactly 5 % more iterations (rounded) */
  workPercent?: number;
  /** only that module's work scaled */
  slowModule?: { name: string; percent: number };
  /** added to the FIRST module's loop: exactly 2 instructions each (dec + jnz) */
  extraIterations?: number;
  /** the guest dies (triple fault, QEMU exits with -no-reboot) right after this module's line */
  exitAfterModule?: string;
  /** never prints the tsc line nor the ready marker */
  hang?: boolean;
  /** after the start marker, prints "x" forever without a newline (a guest gone wrong) */
  flood?: boolean;
  /** a timer interrupt every 84 us from the start line on (default: interrupts stay off) */
  timerInterrupts?: boolean;
  cacheDir?: string;
}

export interface MultibootFixture {
  kernel: string;
  startMarker: string;
  readyMarker: string;
  moduleMarker: string;
  /** regex source, capture group 1 = the guest's own start→ready time in microseconds */
  tscLine: string;
  /** the modules as built (iterations after workPercent / slowModule / extraIterations) */
  modules: FixtureModule[];
}

/**
 * Per-module counts in deterministic mode: `bootgate_fixture_module_init(module, tsc_khz)` runs
 * each module (cdecl, 32-bit: [sp] return address, [sp+4] the module, whose first field points
 * at its name).
 */
export const fixtureModuleProbe: ModuleProbe = {
  symbol: 'bootgate_fixture_module_init',
  async describe(guest) {
    const frame = await guest.read(guest.sp, 8);
    const module = await guest.read(BigInt(frame.readUInt32LE(4)), 4);
    const name = await readGuestName(guest, BigInt(module.readUInt32LE(0)), 'fixture module name');
    return { name, returnAddress: BigInt(frame.readUInt32LE(0)) };
  },
};

/** Instructions executed per busy-loop iteration (`1: dec %ecx; jnz 1b`). */
export const INSTRUCTIONS_PER_ITERATION = 2;

/**
 * Embox-like module names with clearly different weights. Most of each module's time is a wait on
 * the TSC (232.5 ms in all), like Embox x86/qemu whose boot is mostly its TSC calibration sleep:
 * the speed at which QEMU runs guest code varies up to 2× between and within boots on a shared
 * host, and a fixture made of pure CPU loops would measure that instead of the guest. The CPU
 * part (5.58 M iterations, ≈ 10–25 ms under TCG) keeps the instruction count meaningful.
 */
export const DEFAULT_FIXTURE_MODULES: FixtureModule[] = [
  { name: 'embox.driver.serial.i8250', iterations: 120_000, waitUs: 5_000 },
  { name: 'embox.kernel.timer', iterations: 360_000, waitUs: 15_000 },
  { name: 'embox.mem.heap', iterations: 720_000, waitUs: 30_000 },
  { name: 'embox.fs.rootfs', iterations: 2_400_000, waitUs: 100_000 },
  { name: 'embox.net.core', iterations: 480_000, waitUs: 20_000 },
  { name: 'embox.driver.net.virtio', iterations: 1_200_000, waitUs: 50_000 },
  { name: 'embox.cmd.httpd', iterations: 240_000, waitUs: 10_000 },
  { name: 'embox.init.start_script', iterations: 60_000, waitUs: 2_500 },
];

const START_MARKER = 'bootgate-fixture: kernel start';
const READY_MARKER = 'bootgate-fixture: ready';
const TSC_LINE = String.raw`bootgate-fixture: tsc start-to-ready (\d+) us`;
const SOURCE_FILES = ['boot.S', 'kernel.c', 'linker.ld'];
const MAX_ITERATIONS = 0xffffffff;
const MODULE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The settings of a custom subject that boots the fixture kernel at `kernel`: 32-bit QEMU, no
 * network (the fixture runs no httpd; its ready line ends the boot), the default module marker.
 */
export function multibootFixtureSettings(kernel: string): SubjectSettings {
  return {
    os: 'custom',
    kernel,
    qemu: 'qemu-system-i386',
    memory: 64,
    network: false,
    'start-marker': START_MARKER,
    'ready-marker': READY_MARKER,
    timeout: 30,
  };
}

/**
 * The repository's fixtures/ folder: found by walking up from this module, which sits in
 * src/build/ when run from source (vitest) and in dist/ when bundled (dist/cli.js).
 */
export function fixtureSourceDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, 'fixtures');
    if (existsSync(join(candidate, 'multiboot', 'kernel.c'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `bootgate fixtures not found: no fixtures/multiboot/kernel.c in any parent of ${dirname(fileURLToPath(import.meta.url))}`,
  );
}

/** The modules with every option applied, validated. */
export function resolveFixtureModules(opts: MultibootFixtureOptions = {}): FixtureModule[] {
  const base = opts.modules ?? DEFAULT_FIXTURE_MODULES;
  const workPercent = opts.workPercent ?? 100;
  if (!Number.isFinite(workPercent) || workPercent < 0) {
    throw new Error(`multiboot fixture: workPercent must be a finite number >= 0, got ${workPercent}`);
  }
  const names = new Set<string>();
  for (const module of base) {
    if (!MODULE_NAME.test(module.name)) {
      throw new Error(`multiboot fixture: module name "${module.name}" must match ${MODULE_NAME.source}`);
    }
    if (names.has(module.name)) throw new Error(`multiboot fixture: module "${module.name}" is listed twice`);
    names.add(module.name);
  }
  const mustExist = (what: string, name: string): void => {
    if (!names.has(name)) {
      throw new Error(`multiboot fixture: ${what} "${name}" is not one of the modules (${[...names].join(', ')})`);
    }
  };
  if (opts.slowModule) {
    mustExist('slowModule', opts.slowModule.name);
    if (!Number.isFinite(opts.slowModule.percent) || opts.slowModule.percent < 0) {
      throw new Error(
        `multiboot fixture: slowModule.percent must be a finite number >= 0, got ${opts.slowModule.percent}`,
      );
    }
  }
  if (opts.exitAfterModule !== undefined) mustExist('exitAfterModule', opts.exitAfterModule);
  const extra = opts.extraIterations ?? 0;
  if (!Number.isInteger(extra) || extra < 0) {
    throw new Error(`multiboot fixture: extraIterations must be an integer >= 0, got ${extra}`);
  }
  if (extra > 0 && base.length === 0) throw new Error('multiboot fixture: extraIterations needs at least one module');

  return base.map((module, index) => {
    if (!Number.isInteger(module.iterations) || module.iterations < 0) {
      throw new Error(
        `multiboot fixture: iterations of "${module.name}" must be an integer >= 0, got ${module.iterations}`,
      );
    }
    let percent = workPercent;
    if (opts.slowModule?.name === module.name) percent = (percent * opts.slowModule.percent) / 100;
    const iterations = Math.round((module.iterations * percent) / 100) + (index === 0 ? extra : 0);
    if (iterations > MAX_ITERATIONS) {
      throw new Error(
        `multiboot fixture: "${module.name}" would do ${iterations} iterations, more than the 32-bit loop counter allows`,
      );
    }
    const waitUs = Math.round(((module.waitUs ?? 0) * percent) / 100);
    if (!Number.isInteger(waitUs) || waitUs < 0 || waitUs > MAX_ITERATIONS) {
      throw new Error(
        `multiboot fixture: waitUs of "${module.name}" must be an integer from 0 to ${MAX_ITERATIONS}, got ${module.waitUs}`,
      );
    }
    return { name: module.name, iterations, waitUs };
  });
}

function configHeader(modules: FixtureModule[], opts: MultibootFixtureOptions): string {
  const exitIndex = opts.exitAfterModule === undefined ? -1 : modules.findIndex((m) => m.name === opts.exitAfterModule);
  const lines = [
    '/* Generated by src/build/multiboot-fixture.ts: do not edit. */',
    '#define FIXTURE_MODULES \\',
    ...modules.map((m) => `\tFIXTURE_MODULE("${m.name}", ${m.iterations}u, ${m.waitUs ?? 0}u) \\`),
    '',
    `#define FIXTURE_EXIT_AFTER (${exitIndex})`,
    `#define FIXTURE_HANG ${opts.hang ? 1 : 0}`,
    `#define FIXTURE_FLOOD ${opts.flood ? 1 : 0}`,
    `#define FIXTURE_TICKS ${opts.timerInterrupts ? 1 : 0}`,
    '',
  ];
  return lines.join('\n');
}

const CFLAGS = [
  '-m32',
  '-ffreestanding',
  '-fno-pic',
  '-fno-stack-protector',
  '-nostdlib',
  '-O2',
  // Paging and SSE are off in multiboot state; keep gcc to plain integer code.
  '-mgeneral-regs-only',
  '-fno-asynchronous-unwind-tables',
  // Ubuntu's gcc enables these by default; they are meaningless here.
  '-fcf-protection=none',
  '-fno-stack-clash-protection',
  '-Wall',
  '-Wextra',
];

const MISSING_MULTILIB =
  /gnu\/stubs-32\.h|bits\/[a-z_-]+\.h: No such file|cannot find -lgcc|cannot find crt|unrecognized command[- ]line option '-m32'|skipping incompatible|i386 architecture of input file .* is incompatible/i;

async function runTool(file: string, args: string[], step: string, target: string): Promise<void> {
  const result = await execa(file, args, { reject: false, all: true });
  if (result.failed) {
    const output = (result.all ?? '').trim() || (result.message ?? '');
    let message = `multiboot fixture: ${step} failed on ${target} (exit ${result.exitCode ?? 'none'}): ${file} ${args.join(' ')}\n${output}`;
    if (file === 'gcc' && MISSING_MULTILIB.test(output)) {
      message +=
        '\nHint: gcc -m32 needs the 32-bit support files; install gcc-multilib (apt-get install gcc-multilib).';
    }
    if (result.code === 'ENOENT') message += `\nHint: ${file} is not installed (apt-get install gcc binutils).`;
    throw new Error(message);
  }
}

async function toolVersion(file: string): Promise<string> {
  const result = await execa(file, ['--version'], { reject: false });
  if (result.failed) {
    throw new Error(`multiboot fixture: cannot run "${file} --version" (${result.message}); install gcc and binutils`);
  }
  return result.stdout.split('\n')[0] ?? '';
}

export async function buildMultibootFixture(opts: MultibootFixtureOptions = {}): Promise<MultibootFixture> {
  const modules = resolveFixtureModules(opts);
  const sourceDir = join(fixtureSourceDir(), 'multiboot');
  const header = configHeader(modules, opts);

  const hash = createHash('sha256');
  for (const name of SOURCE_FILES) {
    hash
      .update(`${name}\0`)
      .update(await readFile(join(sourceDir, name)))
      .update('\0');
  }
  hash
    .update(header)
    .update(CFLAGS.join(' '))
    .update(await toolVersion('gcc'))
    .update(await toolVersion('ld'));
  const outDir = join(resolve(opts.cacheDir ?? bootgateCacheDir()), 'multiboot', hash.digest('hex').slice(0, 16));
  const kernel = join(outDir, 'kernel.elf');
  const fixture: MultibootFixture = {
    kernel,
    startMarker: START_MARKER,
    readyMarker: READY_MARKER,
    moduleMarker: DEFAULT_MODULE_MARKER,
    tscLine: TSC_LINE,
    modules,
  };
  if (existsSync(kernel)) return fixture;

  await buildIntoPlace(kernel, async (work) => {
    await writeFile(join(work, 'fixture-config.h'), header);
    await runTool(
      'gcc',
      [...CFLAGS, '-I', work, '-c', join(sourceDir, 'kernel.c'), '-o', join(work, 'kernel.o')],
      'gcc -m32',
      'kernel.c',
    );
    await runTool(
      'gcc',
      [...CFLAGS, '-c', join(sourceDir, 'boot.S'), '-o', join(work, 'boot.o')],
      'gcc -m32',
      'boot.S',
    );
    await runTool(
      'ld',
      [
        '-m',
        'elf_i386',
        '-nostdlib',
        '-T',
        join(sourceDir, 'linker.ld'),
        '-o',
        join(work, 'kernel.elf'),
        join(work, 'boot.o'),
        join(work, 'kernel.o'),
      ],
      'ld -m elf_i386',
      'kernel.elf',
    );
    return join(work, 'kernel.elf');
  });
  return fixture;
}
