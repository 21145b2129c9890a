import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import type { HostFacts } from './results.js';

async function firstLine(file: string, args: string[]): Promise<string | null> {
  // a version line is short: a "qemu" that prints without end must not fill memory
  const result = await execa(file, args, { reject: false, timeout: 10_000, maxBuffer: 64 * 1024 });
  if (result.failed) return null;
  return `${result.stdout}`.split('\n')[0]?.trim() || null;
}

/** Facts about the machine that a reader of the numbers needs: CPU, QEMU, compiler. */
export async function hostFacts(qemuBinary: string): Promise<HostFacts> {
  let release = `${os.type()} ${os.release()}`;
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    release = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? release;
  } catch {
    // not Linux: keep os.type()
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    os: release,
    kernel: os.release(),
    qemu: (await firstLine(qemuBinary, ['--version'])) ?? `${qemuBinary}: not found`,
    node: process.version,
    compiler: await firstLine('gcc', ['--version']),
  };
}
