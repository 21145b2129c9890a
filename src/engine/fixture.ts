import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildMultibootFixture, type MultibootFixtureOptions } from '../build/multiboot-fixture.js';
import { ConfigError } from '../config/errors.js';
import { ARCH_FIXTURE_MACHINES, buildArchFixture } from '../build/arch-fixture.js';

export interface FixtureCommandOptions {
  out: string;
  params?: string;
  workPercent?: number;
  extraIterations?: number;
  /** a non-x86 machine (arch fixture): arm, aarch64, riscv64, riscv32 */
  arch?: string;
  startLine?: string;
  readyText?: string;
}

/** `bootgate fixture`: builds the multiboot fixture with the given options and copies it to `out`. */
export async function buildFixtureCommand(options: FixtureCommandOptions): Promise<string> {
  if (options.arch !== undefined) {
    if (!(options.arch in ARCH_FIXTURE_MACHINES)) {
      throw new ConfigError(
        `--arch: "${options.arch}" is not a fixture machine; expected one of ${Object.keys(ARCH_FIXTURE_MACHINES).join(', ')}`,
      );
    }
    const fixture = await buildArchFixture(options.arch, {
      ...(options.workPercent !== undefined ? { workPercent: options.workPercent } : {}),
      ...(options.startLine !== undefined ? { startLine: options.startLine } : {}),
      ...(options.readyText !== undefined ? { readyText: options.readyText } : {}),
    });
    const out = path.resolve(options.out);
    await mkdir(path.dirname(out), { recursive: true });
    await copyFile(fixture.kernel, out);
    return out;
  }
  let params: MultibootFixtureOptions = {};
  if (options.params) {
    try {
      params = JSON.parse(await readFile(options.params, 'utf8')) as MultibootFixtureOptions;
    } catch (error) {
      throw new ConfigError(
        `--params: cannot read fixture options from "${options.params}": ${(error as Error).message}`,
      );
    }
  }
  if (options.workPercent !== undefined) params.workPercent = options.workPercent;
  if (options.extraIterations !== undefined) params.extraIterations = options.extraIterations;
  const fixture = await buildMultibootFixture(params);
  const out = path.resolve(options.out);
  await mkdir(path.dirname(out), { recursive: true });
  await copyFile(fixture.kernel, out);
  return out;
}
