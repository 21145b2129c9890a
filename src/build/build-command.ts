import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

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
 * Runs a build, streaming its output to a log file and a progress line every few seconds.
 * On failure the error names what was built and carries the log's last lines.
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
  const tail: string[] = [];
  const keep = options.tailLines ?? 40;
  let lines = 0;
  let lastProgress = Date.now();
  const began = Date.now();
  const child = execa(options.file, options.args, {
    cwd: options.cwd, env: options.env, all: true, buffer: false, reject: false, stdin: 'ignore', cancelSignal: options.signal,
  });
  let partial = '';
  child.all!.on('data', (chunk: Buffer) => {
    out.write(chunk);
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines += 1;
      tail.push(line);
      if (tail.length > keep) tail.shift();
    }
    if (Date.now() - lastProgress > 5000) {
      lastProgress = Date.now();
      options.log(`  ${options.what}: ${lines} lines of output, ${Math.round((Date.now() - began) / 1000)} s — ${(tail.at(-1) ?? '').slice(0, 100)}`);
    }
  });
  const result = await child;
  if (partial) tail.push(partial);
  await new Promise<void>((resolve) => out.end(resolve));
  const seconds = (Date.now() - began) / 1000;
  if (result.failed) {
    const how = result.isCanceled ? 'was cancelled' : result.exitCode !== undefined ? `exited with code ${result.exitCode}` : `failed (${result.shortMessage})`;
    throw new BuildError(`${options.what} ${how} after ${seconds.toFixed(0)} s (log: ${options.logFile}); last ${tail.slice(-keep).length} lines:\n${tail.slice(-keep).join('\n')}`, options.logFile);
  }
  options.log(`  ${options.what}: done in ${seconds.toFixed(1)} s`);
  return { seconds };
}
