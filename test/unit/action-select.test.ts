// Which subjects a PR needs (pure; no boots): templates touched, derived subjects, skipped ones.
import { describe, expect, it } from 'vitest';
import type { Subject } from '../../src/config/subjects.js';
import {
  parseBuildConf,
  qemuForBuildConf,
  templateFoldersOf,
  templateNameOfFolder,
  templateOfPath,
} from '../../src/github/embox-templates.js';
import { selectSubjects, type ChangedFile, type TemplateProbe } from '../../src/github/select.js';

const x86: Subject = {
  name: 'x86-qemu',
  os: 'embox',
  settings: {
    os: 'embox',
    source: '/src/embox',
    template: 'x86/qemu',
    runs: 12,
    'download-dir': '/dl',
    qemu: 'qemu-system-i386',
    overrides: '/o.conf',
  },
};
const armOwn: Subject = {
  name: 'arm',
  os: 'embox',
  settings: { os: 'embox', source: '/src/embox', template: 'arm/vexpress-a9' },
};
const fixture: Subject = { name: 'fixture', os: 'custom', settings: { os: 'custom', kernel: '/k.elf', always: true } };
const other: Subject = { name: 'linux', os: 'custom', settings: { os: 'custom', kernel: '/l' } };
const config = [x86, armOwn, fixture, other];

const files = (...paths: string[]): ChangedFile[] => paths.map((path) => ({ path, status: 'modified' }));
const probes = (entries: Record<string, string | null>): Map<string, TemplateProbe> =>
  new Map(Object.entries(entries).map(([t, c]) => [t, { buildConf: c }]));
const names = (s: { subjects: Subject[] }): string[] => s.subjects.map((x) => x.name);

describe('selectSubjects, subjects: changed', () => {
  it('a PR touching one template with its own subject measures that subject and the always ones', () => {
    const s = selectSubjects({
      subjects: config,
      filter: { kind: 'changed' },
      changedFiles: files('templates/x86/qemu/mods.conf', 'README.md'),
      templates: new Map(),
    });
    expect(names(s)).toEqual(['x86-qemu', 'fixture']);
    expect(s.skipped).toEqual([]);
  });

  it('derives a subject for a touched template QEMU can boot, from the Embox subject of the config', () => {
    const s = selectSubjects({
      subjects: config,
      filter: { kind: 'changed' },
      changedFiles: files('templates/riscv64/qemu/build.conf', 'templates/arm/qemu/mods.conf'),
      templates: probes({
        'riscv64/qemu': 'TARGET = embox\n\nPLATFORM = virt\nARCH = riscv\nCFLAGS += -march=rv64gc -mabi=lp64d\n',
        'arm/qemu': 'TARGET = embox\n\nARCH = arm\nPLATFORM = integratorcp\nCFLAGS += -O0\n',
      }),
    });
    expect(names(s)).toEqual(['fixture', 'arm-qemu', 'riscv64-qemu']);
    const [, arm, riscv] = s.subjects;
    expect(riscv!.os).toBe('embox');
    expect(riscv!.settings).toMatchObject({
      template: 'riscv64/qemu',
      source: '/src/embox',
      'download-dir': '/dl',
      runs: 12,
    });
    // QEMU, machine and loader come from the build's derivation (the same architecture table), not the settings
    expect(riscv!.settings.qemu).toBeUndefined();
    expect(s.notes).toContain(
      'template riscv64/qemu changed: new subject riscv64-qemu (settings from x86-qemu, qemu-system-riscv64 -M virt, -bios)',
    );
    expect(s.notes).toContain(
      'template arm/qemu changed: new subject arm-qemu (settings from arm, qemu-system-arm -M integratorcp, -kernel)',
    );
    // Settings tied to the other template are not carried over.
    expect(riscv!.settings.overrides).toBeUndefined();
    // A template of an arch the config already has copies that subject's settings.
    expect(arm!.settings).toEqual({ os: 'embox', source: '/src/embox', template: 'arm/qemu' });
  });

  it('skips templates QEMU cannot boot, and removed ones, with the reason', () => {
    const s = selectSubjects({
      subjects: config,
      filter: { kind: 'changed' },
      changedFiles: [
        ...files(
          'templates/arm/stm32f4-discovery/mods.conf',
          'templates/mips/malta/build.conf',
          'templates/e2k/qemu/build.conf',
        ),
        { path: 'templates/x86/gone/build.conf', status: 'removed' },
      ],
      templates: probes({
        'arm/stm32f4-discovery': 'ARCH = arm\nPLATFORM = stm32f4_discovery\n',
        'mips/malta': 'ARCH = mips\nPLATFORM = mipssim\n',
        'e2k/qemu': 'ARCH = e2k\n',
        'x86/gone': null,
      }),
    });
    expect(names(s)).toEqual(['fixture']);
    expect(s.skipped.map((x) => x.name)).toEqual(['arm/stm32f4-discovery', 'e2k/qemu', 'mips/malta', 'x86/gone']);
    expect(s.skipped[0]!.reason).toContain('PLATFORM stm32f4_discovery');
    expect(s.skipped[1]!.reason).toBe(
      'ARCH e2k is not one bootgate can boot under QEMU; expected one of x86, arm, aarch64, riscv, mips, sparc, microblaze, ppc',
    );
    expect(s.skipped[2]!.reason).toContain('ARCH mips: bootgate knows no Debian cross compiler for it');
    expect(s.skipped[3]!.reason).toContain('not in the head checkout');
  });

  it('a change to shared code runs every subject', () => {
    for (const path of ['src/kernel/task.c', 'mk/build.mk', 'third-party/lib/Makefile', 'platform/x/y.c', 'Makefile']) {
      const s = selectSubjects({
        subjects: config,
        filter: { kind: 'changed' },
        changedFiles: files('templates/x86/qemu/a', path),
        templates: new Map(),
      });
      expect(names(s)).toEqual(['x86-qemu', 'arm', 'fixture', 'linux']);
      expect(s.notes[0]).toContain('shared code changed');
    }
  });

  it('docs only: the always subjects; a rename counts its old template too', () => {
    expect(
      names(
        selectSubjects({
          subjects: config,
          filter: { kind: 'changed' },
          changedFiles: files('docs/x.md'),
          templates: new Map(),
        }),
      ),
    ).toEqual(['fixture']);
    const renamed = selectSubjects({
      subjects: config,
      filter: { kind: 'changed' },
      changedFiles: [
        {
          path: 'templates/x86/renamed/build.conf',
          previousPath: 'templates/arm/vexpress-a9/build.conf',
          status: 'renamed',
        },
      ],
      templates: probes({ 'x86/renamed': 'ARCH = x86\n' }),
    });
    expect(names(renamed)).toEqual(['arm', 'fixture', 'x86-renamed']);
    expect(renamed.subjects[2]!.settings.template).toBe('x86/renamed');
  });

  it('derived names never clash with the config', () => {
    const clash: Subject = { name: 'x86-small', os: 'custom', settings: { os: 'custom', kernel: '/k' } };
    const s = selectSubjects({
      subjects: [x86, clash],
      filter: { kind: 'changed' },
      changedFiles: files('templates/x86/small/build.conf'),
      templates: probes({ 'x86/small': 'ARCH = x86\n' }),
    });
    expect(names(s)).toEqual(['x86-small-2']);
  });

  it('falls back to every subject when it cannot tell', () => {
    expect(
      names(
        selectSubjects({ subjects: config, filter: { kind: 'changed' }, changedFiles: null, templates: new Map() }),
      ),
    ).toHaveLength(4);
    const many = Array.from({ length: 3000 }, (_, i) => ({ path: `docs/${i}.md` }));
    expect(
      names(
        selectSubjects({ subjects: config, filter: { kind: 'changed' }, changedFiles: many, templates: new Map() }),
      ),
    ).toHaveLength(4);
    // A config without Embox templates has nothing to pick by.
    expect(
      names(
        selectSubjects({
          subjects: [fixture, other],
          filter: { kind: 'changed' },
          changedFiles: files('README.md'),
          templates: new Map(),
        }),
      ),
    ).toEqual(['fixture', 'linux']);
  });
});

describe('selectSubjects, all and names', () => {
  it('all, a list, and an unknown name', () => {
    expect(
      names(selectSubjects({ subjects: config, filter: { kind: 'all' }, changedFiles: null, templates: new Map() })),
    ).toHaveLength(4);
    expect(
      names(
        selectSubjects({
          subjects: config,
          filter: { kind: 'names', names: ['linux', 'arm'] },
          changedFiles: null,
          templates: new Map(),
        }),
      ),
    ).toEqual(['arm', 'linux']);
    expect(() =>
      selectSubjects({
        subjects: config,
        filter: { kind: 'names', names: ['nope'] },
        changedFiles: null,
        templates: new Map(),
      }),
    ).toThrow('input "subjects": no subject named "nope"');
  });
});

describe('Embox templates', () => {
  it('maps paths to templates', () => {
    expect(templateOfPath('templates/x86/qemu/mods.conf')).toBe('x86/qemu');
    expect(templateOfPath('templates/x86/qemu')).toBeNull();
    expect(templateOfPath('src/templates/x86/qemu/a')).toBeNull();
  });

  it('resolves every template path form as make confload does (nested, platform/, project/)', () => {
    const folders = templateFoldersOf([
      'templates/x86/qemu/build.conf',
      'templates/x86/test/fs/build.conf',
      'templates/x86/test/fs/mods.conf',
      'templates/x86/test/units/build.conf',
      'platform/stellaris/templates/lm3s811evb/build.conf',
      'project/lua/templates/x86/build.conf',
      'src/kernel/build.conf',
      'templates/README.md',
    ]);
    expect([...folders].sort()).toEqual([
      'platform/stellaris/templates/lm3s811evb',
      'project/lua/templates/x86',
      'templates/x86/qemu',
      'templates/x86/test/fs',
      'templates/x86/test/units',
    ]);
    expect(templateOfPath('templates/x86/test/fs/rootfs/network', folders)).toBe('x86/test/fs');
    expect(templateOfPath('templates/x86/qemu/mods.conf', folders)).toBe('x86/qemu');
    expect(templateOfPath('platform/stellaris/templates/lm3s811evb/mods.conf', folders)).toBe(
      'platform/stellaris/lm3s811evb',
    );
    expect(templateOfPath('project/lua/templates/x86/mods.conf', folders)).toBe('project/lua/x86');
    // a project's own sources, and board support, are not templates
    expect(templateOfPath('project/lua/src/main.c', folders)).toBeNull();
    expect(templateOfPath('platform/stellaris/arch/arm/board.c', folders)).toBeNull();
    // without a listing (or for a removed template) the usual layouts
    expect(templateOfPath('platform/stellaris/templates/lm3s811evb/mods.conf')).toBe('platform/stellaris/lm3s811evb');
    expect(templateOfPath('project/lua/templates/x86/mods.conf')).toBe('project/lua/x86');
    expect(templateNameOfFolder('templates/x86/test/fs')).toBe('x86/test/fs');
  });

  it('a nested template is selected, and a platform template is not mistaken for shared code', () => {
    const folders = new Set(['templates/x86/test/fs', 'platform/stellaris/templates/lm3s811evb']);
    const s = selectSubjects({
      subjects: config,
      filter: { kind: 'changed' },
      templateFolders: folders,
      changedFiles: files('templates/x86/test/fs/mods.conf', 'platform/stellaris/templates/lm3s811evb/mods.conf'),
      templates: probes({
        'x86/test/fs': 'ARCH = x86\n',
        'platform/stellaris/lm3s811evb': 'ARCH = arm\nPLATFORM = lm3s811evb\n',
      }),
    });
    expect(s.notes[0]).not.toContain('shared code');
    expect(names(s)).toEqual(['fixture', 'platform-stellaris-lm3s811evb', 'x86-test-fs']);
    expect(s.subjects.find((x) => x.name === 'x86-test-fs')!.settings.template).toBe('x86/test/fs');
  });

  it('reads build.conf and picks the QEMU target from the architecture table', () => {
    const riscv64 = parseBuildConf(
      'TARGET = embox\nPLATFORM = virt\nARCH = riscv\nCFLAGS += -march=rv64gc -mabi=lp64d\n',
    );
    expect(qemuForBuildConf(riscv64)).toEqual({
      target: { qemu: 'qemu-system-riscv64', machine: 'virt', loader: 'bios' },
    });
    const riscv32 = parseBuildConf(
      'PLATFORM = virt\nARCH = riscv\nCFLAGS += -march=rv32imfc_zicsr_zifencei -mabi=ilp32f\nLDFLAGS += -melf32lriscv\n',
    );
    expect(qemuForBuildConf(riscv32)).toEqual({
      target: { qemu: 'qemu-system-riscv32', machine: 'virt', loader: 'bios' },
    });
    expect(qemuForBuildConf(parseBuildConf('ARCH = aarch64\n// CFLAGS += -march=x\n'))).toEqual({
      target: { qemu: 'qemu-system-aarch64', machine: 'virt,gic_version=3', cpu: 'cortex-a53', loader: 'kernel' },
    });
    expect(qemuForBuildConf(parseBuildConf('ARCH = arm\nPLATFORM = vexpress-a9\n'))).toEqual({
      target: { qemu: 'qemu-system-arm', machine: 'vexpress-a9', loader: 'kernel' },
    });
    expect(qemuForBuildConf(parseBuildConf('// ARCH = x86\n'))).toEqual({ reason: 'its build.conf sets no ARCH' });
  });
});
