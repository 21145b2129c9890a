// The npm package as a user gets it: `npm pack`, then `npx ./bootgate-<version>.tgz` in an empty
// folder, offline. The bundle is self-contained, so the tarball has no dependencies to fetch.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve('.');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-pack-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm package', () => {
  it('packs the bundle, fixtures and docs (no sources), with no dependencies', async () => {
    const pack = await execa('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: root });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'action.yml',
        'dist/cli.js',
        'dist/index.js',
        'fixtures/multiboot/kernel.c',
        'fixtures/linux/init',
        'apps/httpd/httpd.c',
      ]),
    );
    expect(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f))).toEqual([]);
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ bootgate: 'dist/cli.js' });
    expect(manifest.engines.node).toMatch(/^>=20/);
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(info!.filename).toBe(`bootgate-${manifest.version}.tgz`);
  });

  it('runs from the tarball with npx in an empty folder, offline: --version and demo', async () => {
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    const tarball = `./bootgate-${manifest.version}.tgz`;
    const env = {
      npm_config_cache: path.join(dir, 'npm-cache'),
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      BOOTGATE_CACHE_DIR: process.env['BOOTGATE_CACHE_DIR'] ?? path.join(dir, 'cache'),
    };
    const version = await execa('npx', ['--yes', tarball, '--version'], { cwd: dir, env, reject: false });
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(manifest.version);

    const demo = await execa(
      'npx',
      ['--yes', tarball, 'demo', '--runs', '2', '--warmup', '0', '--json', 'demo.json', '-q'],
      { cwd: dir, env, reject: false, timeout: 600_000 },
    );
    expect(demo.exitCode, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    const doc = JSON.parse(await readFile(path.join(dir, 'demo.json'), 'utf8'));
    expect(doc.tool).toEqual({ name: 'bootgate', version: manifest.version });
    expect(doc.subjects.map((s: { summary: { n: number } }) => s.summary.n)).toEqual([2, 2]);

    // the dashboard page comes with the package too (Chart.js is in the bundle, not fetched)
    const view = await execa('npx', ['--yes', tarball, 'view', 'demo.json', '--out', 'demo.html'], {
      cwd: dir,
      env,
      reject: false,
    });
    expect(view.exitCode, view.stderr).toBe(0);
    expect(view.stdout.trim()).toBe(path.join(dir, 'demo.html'));
    const page = await readFile(path.join(dir, 'demo.html'), 'utf8');
    expect(page).toContain('<script type="application/json" id="bootgate-data">');
    expect(page).toMatch(/Chart\.js v4/);
  }, 900_000);
});
