import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { defaultHttpdAppDir } from '../../src/build/rumprun/app.js';
import { HTTPD_READY_MARKER } from '../../src/build/rumprun/run.js';

// bootgate's guest httpd, built for the host: the same source the Rumprun image bakes.

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function request(
  port: number,
  method: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

describe('apps/httpd on the host', () => {
  it('prints the ready marker, answers GET with 200 and other methods with 405', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'bootgate-httpd-'));
    const binary = path.join(tmp, 'httpd');
    const port = await freePort();
    let child: ReturnType<typeof execa> | undefined;
    try {
      await execa('gcc', ['-O2', '-Wall', '-Werror', '-o', binary, path.join(defaultHttpdAppDir(), 'httpd.c')]);
      child = execa(binary, [String(port)], { stdin: 'ignore', buffer: false, reject: false });
      const running = child;
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        const timer = setTimeout(
          () => reject(new Error(`no "${HTTPD_READY_MARKER}" line within 10 s; got ${JSON.stringify(seen)}`)),
          10_000,
        );
        running.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString('utf8');
          if (seen.split('\n').includes(HTTPD_READY_MARKER)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void running.then((r) => {
          clearTimeout(timer);
          reject(new Error(`httpd exited before it was ready (exit ${r.exitCode}): ${String(r.stderr ?? '')}`));
        });
      });

      const ok = await request(port, 'GET');
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toBe('text/html');
      expect(Number(ok.headers['content-length'])).toBe(Buffer.byteLength(ok.body));
      expect(ok.body).toContain('bootgate-httpd is serving');

      const refused = await request(port, 'POST');
      expect(refused.status).toBe(405);
    } finally {
      if (child) {
        child.kill('SIGKILL');
        await child.catch(() => undefined);
      }
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
