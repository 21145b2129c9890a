import type { ChildProcess } from 'node:child_process';

/**
 * Every QEMU (or other long-lived child) bootgate starts is registered here, so that no path
 * — success, error, timeout, or a signal to bootgate itself — leaves one running.
 */
const live = new Set<ChildProcess>();
/** process groups of running builds (each led by the command bootgate started) */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort: on process exit, synchronous kill of anything still registered.
    process.on('exit', killAllNow);
  }
}

/** Registers the process group `pgid` (a build and everything it forked); returns the untrack function. */
export function trackGroup(pgid: number): () => void {
  installExitHook();
  liveGroups.add(pgid);
  return () => {
    liveGroups.delete(pgid);
  };
}

export function trackChild(child: ChildProcess): () => void {
  live.add(child);
  installExitHook();
  const untrack = (): void => {
    live.delete(child);
  };
  child.once('exit', untrack);
  return untrack;
}

export function liveChildren(): number {
  return live.size + liveGroups.size;
}

export function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Kills a child and resolves once it has been reaped. */
export function killAndReap(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  // never spawned (e.g. ENOENT), or already gone
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Turns SIGINT/SIGTERM into an abort: running boots stop and their QEMU is reaped, the caller
 * writes partial results and exits. A second signal kills children and exits at once.
 */
export function abortOnSignals(controller: AbortController): () => void {
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      killAllNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
