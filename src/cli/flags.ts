import { Option } from 'commander';
import { ZodEnum } from 'zod';
import { SUBJECT_KEYS, subjectSettingsShape, type SubjectKey, type SubjectSettings } from '../config/schema.js';
import { ConfigError } from '../config/errors.js';
import { validateFlagSettings } from '../config/subjects.js';

const HELP: Partial<Record<SubjectKey, string>> = {
  os: 'kind of subject',
  kernel: 'image QEMU boots (-kernel)',
  initrd: 'initial ramdisk (-initrd)',
  append: 'kernel command line (-append)',
  qemu: 'QEMU system emulator binary',
  machine: 'QEMU machine (-machine)',
  memory: 'guest RAM in MiB',
  'qemu-args': 'extra QEMU arguments, split on spaces; repeatable',
  nic: 'QEMU NIC model, e.g. virtio-net-pci',
  mac: 'guest MAC address',
  net: 'user-network subnet, e.g. 10.0.2.0/24',
  gateway: 'user-network host address seen by the guest',
  'guest-ip': 'guest IP address that httpd listens on',
  'guest-port': 'guest TCP port of httpd',
  network: 'give the guest a NIC and probe HTTP (--no-network: ready marker ends the boot)',
  'http-path': 'path of the readiness GET',
  'start-marker': 'regex of the first kernel line (clock starts)',
  'ready-marker': 'regex of the line saying httpd started',
  'module-marker': 'regex of per-module init lines; group 1 = module name',
  timeout: 'seconds one boot may take',
  runs: 'counted boots',
  warmup: 'boots before the counted ones, not counted',
  'pin-cpu': 'run QEMU on this host CPU only',
  deterministic: 'count guest instructions (QEMU -icount) instead of wall-clock',
  'start-symbol': 'ELF symbol where instruction counting starts (deterministic)',
  'ready-symbol': 'ELF symbol where instruction counting stops (deterministic)',
  parallel: 'deterministic boots run at the same time (default: number of cores)',
  'build-command': 'shell command that builds a custom image, run in the checkout (or gate work tree)',
  source: 'Embox or Rumprun checkout (or, for custom, the repository gate builds)',
  template: 'Embox template, e.g. x86/qemu',
  'download-dir': "pre-filled folder of Embox's third-party archives",
  overrides: 'folder whose files replace those in conf/ (Embox)',
  'build-dir': 'where builds and work trees go',
  jobs: 'parallel build jobs',
  'bake-target': 'Rumprun bake target',
  app: 'Rumprun app source folder',
  'app-build': 'command that builds the Rumprun app',
  always: 'always measure this subject in PR mode',
  threshold: 'regression threshold (wall-clock): "3%" of the base median or "40ms"',
  'module-threshold': 'a module this much slower (e.g. "10ms") is a regression line of its own',
  'max-runs': 'adaptive gate: most counted boots per side (runs is the least)',
  'instructions-threshold': 'regression threshold in percent (instructions)',
};

function kindOf(key: SubjectKey): string {
  return subjectSettingsShape[key].def.type;
}

/** One commander Option per subject setting: flag name = config key. */
export function subjectOptions(): Option[] {
  return SUBJECT_KEYS.flatMap((key) => {
    const kind = kindOf(key);
    const help = HELP[key] ?? key;
    if (kind === 'boolean') {
      return [new Option(`--${key}`, help), new Option(`--no-${key}`, `opposite of --${key}`).hideHelp()];
    }
    const option = new Option(`--${key} <${kind === 'number' ? 'n' : 'value'}>`, help);
    const schema = subjectSettingsShape[key];
    if (schema instanceof ZodEnum) option.choices(schema.options.map(String));
    if (kind === 'array')
      option.argParser((value: string, previous: string[] | undefined) => [
        ...(previous ?? []),
        ...value.split(/\s+/).filter(Boolean),
      ]);
    return [option];
  });
}

/** Picks the subject settings out of commander's parsed options and checks them against the schema. */
export function subjectFlags(opts: Record<string, unknown>): SubjectSettings {
  const raw: Record<string, unknown> = {};
  for (const key of SUBJECT_KEYS) {
    const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = opts[camel];
    if (value === undefined) continue;
    if (kindOf(key) === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new ConfigError(
          `command line --${key}: expected a number, got "${typeof value === 'string' ? value : JSON.stringify(value)}"`,
        );
      raw[key] = n;
    } else {
      raw[key] = value;
    }
  }
  return validateFlagSettings(raw);
}
