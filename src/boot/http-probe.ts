import http from 'node:http';

export interface HttpProbeResult {
  /** hrtime when the status line of the first accepted response arrived */
  at: bigint | null;
  status: number | null;
  attempts: number;
  lastError: string | null;
}

export interface HttpProbeOptions {
  port: number;
  path: string;
  /** per-attempt bound: slirp accepts connections before the guest listens, so a connect proves nothing */
  attemptTimeoutMs: number;
  /** pause between attempts that failed fast (reset, non-200) */
  retryDelayMs: number;
  signal: AbortSignal;
  /** after every attempt: the result so far (the boot's error message names the last status) */
  onAttempt?: (soFar: HttpProbeResult) => void;
}

/**
 * GETs http://127.0.0.1:port/path until a 200 status line arrives or the signal aborts.
 * One attempt at a time, so timed-out attempts do not pile up in slirp and flood the guest.
 */
export async function probeHttp(options: HttpProbeOptions): Promise<HttpProbeResult> {
  const result: HttpProbeResult = { at: null, status: null, attempts: 0, lastError: null };
  while (!options.signal.aborted) {
    result.attempts += 1;
    const attempt = await getOnce(options);
    if (attempt.status !== null) {
      result.status = attempt.status;
      if (attempt.status === 200) {
        result.at = attempt.at;
        return result;
      }
      result.lastError = `HTTP ${attempt.status}`;
    } else {
      result.lastError = attempt.error;
    }
    options.onAttempt?.(result);
    if (options.signal.aborted) break;
    await delay(options.retryDelayMs, options.signal);
  }
  return result;
}

function getOnce(
  options: HttpProbeOptions,
): Promise<{ at: bigint | null; status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: { at: bigint | null; status: number | null; error: string | null }): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(value);
    };
    const request = http.get(
      { host: '127.0.0.1', port: options.port, path: options.path, agent: false, headers: { connection: 'close' } },
      (response) => {
        const at = process.hrtime.bigint();
        response.resume();
        settle({ at, status: response.statusCode ?? null, error: null });
      },
    );
    request.setTimeout(options.attemptTimeoutMs, () =>
      settle({ at: null, status: null, error: `no status line within ${options.attemptTimeoutMs} ms` }),
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ at: null, status: null, error: error.code ?? error.message }),
    );
    const onAbort = (): void => settle({ at: null, status: null, error: 'aborted' });
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
