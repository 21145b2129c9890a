import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { processStartTime, runningDir as registryDir } from '../../src/boot/leftovers.js';
import { buildMultibootFixture } from '../../src/build/multiboot-fixture.js';
import type { ResultsDocument } from '../../src/measure/results.js';
import { CLI } from '../helpers/fixture-repo.js';
import { processesMentioning } from '../helpers/processes.js';

/**
 * Nothing bootgate starts outlives it: a SIGTERM during a custom build command, a second
 * SIGTERM, a SIGKILL (no handler runs), and what a killed bootgate left is swept by the next.
 */

const FIXTURE_FLAGS = [
  '--qemu',
  'qemu-system-i386',
  '--memory',
  '64',
  '--no-network',
  '--start-marker',
  'bootgate-fixture: kernel start',
  '--ready-marker',
  'bootgate-fixture: ready',
];

async function until<T>(what: string, probe: () => Promise<T | null>, seconds = 20): Promise<T> {
  for (let i = 0; i < seconds * 10; i++) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const running = async (kernel: string): Promise<number[] | null> => {
  const pids = await processesMentioning(kernel);
  return pids.length > 0 ? pids : null;
};
const gone = async (pids: number[]): Promise<true | null> => {
  const states = await Promise.all(pids.map((pid) => processStartTime(pid)));
  return states.every((s) => s === null) ? true : null;
};

/** A config whose build command starts a grandchild (background sleeper) and a child, writing their pids. */
async function slowBuildConfig(dir: string, kernel: string): Promise<{ config: string; pidFile: string }> {
  const pidFile = path.join(dir, 'build-pids');
  const config = path.join(dir, 'bootgate.yml');
  const command = `sleep 300 & echo $! >> ${pidFile}; sh -c 'echo $$ >> ${pidFile}; sleep 300'`;
  await writeFile(
    config,
    [
      'subjects:',
      '  - name: slow-build',
      '    os: custom',
      `    kernel: ${JSON.stringify(kernel)}`,
      `    build-command: ${JSON.stringify(command)}`,
      '    qemu: qemu-system-i386',
      '    memory: 64',
      '    network: false',
      '    start-marker: "bootgate-fixture: kernel start"',
      '    ready-marker: "bootgate-fixture: ready"',
      '',
    ].join('\n'),
  );
  return { config, pidFile };
}

async function buildPids(pidFile: string): Promise<number[]> {
  return until('the build command to start', async () => {
    const pids = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    return pids.length >= 2 ? pids : null;
  });
}

describe('nothing left running (real CLI, real QEMU)', () => {
  it('SIGTERM during a custom build command: the whole build stops, exit 130 within seconds, partial results written', async () => {
    const fixture = await buildMultibootFixture();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-life-'));
    const { config, pidFile } = await slowBuildConfig(dir, fixture.kernel);
    const json = path.join(dir, 'out.json');
    const child = execa('node', [CLI, 'measure', '--config', config, '--json', json], { reject: false });
    const pids = await buildPids(pidFile);
    const sent = Date.now();
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect((Date.now() - sent) / 1000).toBeLessThan(10);
    expect(result.stderr).toContain('(partial)');
    expect((JSON.parse(await readFile(json, 'utf8')) as ResultsDocument).partial).toBe(true);
    expect(await until('the build processes to end', () => gone(pids), 5)).toBe(true);
  });

  it("a second SIGTERM during a build exits at once and still kills the build's grandchildren", async () => {
    const fixture = await buildMultibootFixture();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-life-'));
    const { config, pidFile } = await slowBuildConfig(dir, fixture.kernel);
    // a build that ignores SIGTERM: only the second signal ends bootgate
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace('build-command: "', "build-command: \"trap '' TERM; "),
    );
    const child = execa('node', [CLI, 'measure', '--config', config], { reject: false });
    const pids = await buildPids(pidFile);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(await until('the build processes to end', () => gone(pids), 5)).toBe(true);
  });

  it('a second SIGTERM during a boot exits at once and leaves no QEMU', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    const child = execa(
      'node',
      [
        CLI,
        'measure',
        '--os',
        'custom',
        '--kernel',
        fixture.kernel,
        ...FIXTURE_FLAGS,
        '--runs',
        '3',
        '--timeout',
        '60',
      ],
      { reject: false },
    );
    const qemu = await until('QEMU to start', () => running(fixture.kernel));
    child.kill('SIGTERM');
    child.kill('SIGTERM');
    const result = await child;
    expect([130, 143]).toContain(result.exitCode);
    expect(await until('QEMU to end', () => gone(qemu), 5)).toBe(true);
  });

  it('SIGKILL of bootgate mid-boot: QEMU dies with it (setpriv --pdeathsig)', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    const child = execa(
      'node',
      [
        CLI,
        'measure',
        '--os',
        'custom',
        '--kernel',
        fixture.kernel,
        ...FIXTURE_FLAGS,
        '--runs',
        '3',
        '--timeout',
        '60',
      ],
      { reject: false },
    );
    const qemu = await until('QEMU to start', () => running(fixture.kernel));
    child.kill('SIGKILL');
    await child;
    const began = Date.now();
    expect(await until('QEMU to end', () => gone(qemu), 5)).toBe(true);
    expect(Date.now() - began).toBeLessThan(5000);
  });

  it('SIGKILL of bootgate mid-build: the next run kills the build it left running', async () => {
    const fixture = await buildMultibootFixture();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-life-'));
    const { config, pidFile } = await slowBuildConfig(dir, fixture.kernel);
    const child = execa('node', [CLI, 'measure', '--config', config], { reject: false });
    const pids = await buildPids(pidFile);
    child.kill('SIGKILL');
    await child;
    // no handler ran: the build is still there
    expect(await gone(pids)).toBe(null);
    const result = await execa(
      'node',
      [CLI, 'measure', '--os', 'custom', '--kernel', fixture.kernel, ...FIXTURE_FLAGS, '--runs', '1', '--warmup', '0'],
      { reject: false },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/killed the build process group \d+, left running by an earlier bootgate/);
    expect(await until('the build processes to end', () => gone(pids), 5)).toBe(true);
  });

  it('a QEMU that a dead bootgate left behind is killed by the next run', async () => {
    const fixture = await buildMultibootFixture({ hang: true });
    // What setpriv would have prevented: a QEMU whose bootgate died without killing it. The test
    // starts it itself (detached) and records it the way bootgate does, with an owner that is gone.
    const orphan = spawn(
      'qemu-system-i386',
      [
        '-accel',
        'tcg',
        '-m',
        '64',
        '-display',
        'none',
        '-vga',
        'none',
        '-monitor',
        'none',
        '-serial',
        'null',
        '-nic',
        'none',
        '-no-reboot',
        '-kernel',
        fixture.kernel,
      ],
      { detached: true, stdio: 'ignore' },
    );
    try {
      const pid = orphan.pid!;
      const startTime = await until('the orphan QEMU to start', () => processStartTime(pid));
      const deadOwner = (await execa('sh', ['-c', 'echo $$'])).stdout.trim();
      const runningDir = registryDir();
      await mkdir(runningDir, { recursive: true });
      await writeFile(
        path.join(runningDir, `qemu-${pid}.json`),
        JSON.stringify({ pid, startTime, owner: Number(deadOwner), ownerStartTime: '1' }),
      );
      const ok = await buildMultibootFixture();
      const result = await execa(
        'node',
        [CLI, 'measure', '--os', 'custom', '--kernel', ok.kernel, ...FIXTURE_FLAGS, '--runs', '1', '--warmup', '0'],
        { reject: false },
      );
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain(`killed QEMU ${pid}, left running by an earlier bootgate`);
      expect(await until('the orphan to end', () => gone([pid]), 5)).toBe(true);
    } finally {
      orphan.kill('SIGKILL');
    }
  });
});
