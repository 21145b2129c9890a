import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './process-runner.js';

export class BuildError extends Error {
  override readonly name = 'BuildError';
  constructor(
    message: string,
    /** the build's full output */
    readonly logFile?: string,
  ) {
    super(message);
  }
}

/**
 * Runs a build (in its own process group: see process-runner.ts), streaming its output to a log
 * file and a progress line every few seconds. On failure (a cancel included) the error names what
 * was built and carries the log's last lines.
 */
export async function runLoggedBuild(options: {
  what: string;
  file: string;
  args: string[];
  cwd: string;
  logFile: string;
  env?: Record<string, string>;
  log: (line: string) => void;
  signal?: AbortSignal;
  tailLines?: number;
}): Promise<{ seconds: number }> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile);
  const keep = options.tailLines ?? 40;
  const began = Date.now();
  let lastProgress = began;
  const result = await runProcess({
    file: options.file,
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    output: out,
    tailLines: keep,
    onLine: (line, count) => {
      if (Date.now() - lastProgress > 5000) {
        lastProgress = Date.now();
        options.log(
          `  ${options.what}: ${count} lines of output, ${Math.round((Date.now() - began) / 1000)} s — ${line.slice(0, 100)}`,
        );
      }
    },
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (!result.ok) {
    throw new BuildError(
      `${options.what} ${result.how} after ${result.seconds.toFixed(0)} s (log: ${options.logFile}); last ${result.tail.length} lines:\n${result.tail.join('\n')}`,
      options.logFile,
    );
  }
  options.log(`  ${options.what}: done in ${result.seconds.toFixed(1)} s`);
  return { seconds: result.seconds };
}
