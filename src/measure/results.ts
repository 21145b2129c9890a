import type { GuestSpec } from '../boot/guest.js';
import type { ImageSizes as ElfImageSizes } from '../elf/index.js';
import type { Summary } from '../stats/index.js';
import type { ModuleTime } from './modules.js';
import type { PhaseTime } from './phases.js';

export type { Summary };

/** Version tag of the results document (docs/results-schema.md). Bump on incompatible change. */
export const RESULTS_SCHEMA = 'bootgate/results@1';

export interface BootRecord {
  /** position in the subject's counted (or warm-up) boots, from 0 */
  index: number;
  /** position in the whole run's boot order: shows the interleaving */
  sequence: number;
  ok: boolean;
  /** start marker → ready marker */
  bootMs: number | null;
  /** start marker → first HTTP 200 status line */
  httpMs: number | null;
  /** guest instructions start → ready (deterministic mode), else null */
  instructions: number | null;
  modules: ModuleTime[];
  /** where the time went, in boot order (src/measure/phases.ts); absent in older documents */
  phases?: PhaseTime[];
  error: string | null;
  /** serial log of this boot, relative to the results file */
  log: string | null;
}

/** text/data/bss of the booted image, as binutils' `size` prints them (src/elf/sizes.ts). */
export type ImageSizes = Pick<ElfImageSizes, 'text' | 'data' | 'bss'> & { total?: number };

export interface SubjectSummary extends Partial<Summary> {
  /** successful counted boots */
  n: number;
  total: number;
  failed: number;
  http: Summary | null;
  instructions: Summary | null;
  /** median init time per module over the successful counted boots, slowest first */
  modules: { name: string; medianMs: number; n: number }[];
  /** deterministic boots: median instructions per module, most first (absent: no per-module counts) */
  moduleInstructions?: { name: string; medianInstructions: number; n: number }[];
  /** deterministic boots: median of each boot's instructions outside every module's init */
  unattributedInstructions?: number | null;
}

export interface SubjectResult {
  name: string;
  os: string;
  variant: 'base' | 'head' | null;
  /** git ref and commit measured, when gated */
  ref: string | null;
  commit: string | null;
  image: { path: string; sizes: ImageSizes | null } | null;
  build: { seconds: number; cached: boolean; log: string | null } | null;
  /** null when the subject could not be built (see `notBuilt`) */
  guest: GuestSpec | null;
  qemuCommand: string[];
  deterministic: boolean;
  warmup: BootRecord[];
  boots: BootRecord[];
  summary: SubjectSummary;
  /** set when this subject (this variant of it) could not be built or configured: no boots */
  notBuilt?: NotBuilt | null;
  /** adaptive gate: counted boots per side at each look, the cap, and whether the last look was final */
  sequential?: { looks: number[]; maxPerSide: number; final: boolean };
  /** gate: base and head images were identical, so neither was booted */
  identicalImage?: 'same bytes' | 'same loaded sections';
}

/** Why a subject was not booted: which step failed, its message and the last lines of its log. */
export interface NotBuilt {
  /** checkout: the git work tree; build: the build or the image it should produce; config: the subject's settings */
  stage: 'checkout' | 'build' | 'config';
  /** the first line of the error */
  reason: string;
  /** the error's further lines: for a build, the last lines of its log */
  tail: string[];
  /** the full build log, when there is one */
  log: string | null;
}

export interface HostFacts {
  cpu: string;
  cores: number;
  os: string;
  kernel: string;
  qemu: string;
  node: string;
  compiler: string | null;
}

export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  tool: { name: 'bootgate'; version: string };
  createdAt: string;
  host: HostFacts;
  /** true when the run was interrupted: the boots recorded so far are kept */
  partial: boolean;
  subjects: SubjectResult[];
}
