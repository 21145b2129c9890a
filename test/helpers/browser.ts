// Headless Chromium (the Debian package) loading a page from a file: the DOM after the scripts ran,
// the page's console messages, and optionally a screenshot. No browser download, no library: two
// runs of the chromium binary, one with --dump-dom, one with --screenshot.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';

/** Where tests put screenshots; CI uploads this folder as an artifact. */
export const SCREENSHOT_DIR = path.resolve('test-artifacts/screenshots');

export const CHROMIUM = process.env['BOOTGATE_CHROMIUM'] ?? 'chromium';

export interface RenderedPage {
  /** <body data-bootgate-status>: "ok" when the client drew everything, "error: …" otherwise */
  status: string | null;
  charts: number;
  points: number;
  dom: string;
  /** console messages the page logged (console.log/error, uncaught exceptions) */
  console: string[];
}

async function runChromium(args: string[], profile: string): Promise<{ stdout: string; stderr: string }> {
  const child = execa(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--disable-background-networking',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
      '--virtual-time-budget=5000',
      ...args,
    ],
    {
      timeout: 90_000,
      killSignal: 'SIGKILL',
      reject: false,
      detached: true,
      cleanup: true,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const result = await child;
  // the browser's helper processes share its process group: none may outlive the test
  if (child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  }
  if (result.timedOut) throw new Error(`chromium timed out: ${args.join(' ')}\n${String(result.stderr).slice(-2000)}`);
  if (result.exitCode !== 0)
    throw new Error(`chromium exited ${result.exitCode}: ${String(result.stderr).slice(-2000)}`);
  return { stdout: String(result.stdout), stderr: String(result.stderr) };
}

const attribute = (dom: string, name: string): string | null => {
  const body = /<body\b[^>]*>/.exec(dom)?.[0] ?? '';
  return new RegExp(`${name}="([^"]*)"`).exec(body)?.[1] ?? null;
};

export async function renderPage(
  file: string,
  options: { screenshot?: string; height?: number } = {},
): Promise<RenderedPage> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'bootgate-chromium-'));
  try {
    const url = pathToFileURL(path.resolve(file)).href;
    const { stdout, stderr } = await runChromium(['--dump-dom', url], profile);
    if (options.screenshot) {
      await mkdir(path.dirname(options.screenshot), { recursive: true });
      await runChromium(
        [`--window-size=1280,${options.height ?? 2400}`, `--screenshot=${options.screenshot}`, url],
        profile,
      );
    }
    return {
      status: attribute(stdout, 'data-bootgate-status'),
      charts: Number(attribute(stdout, 'data-charts') ?? 0),
      points: Number(attribute(stdout, 'data-points') ?? 0),
      dom: stdout,
      console: stderr.split('\n').filter((line) => /:CONSOLE[(:]/.test(line)),
    };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
