// The dashboard pages nightly mode writes on the data branch, ready for GitHub Pages: one page per
// config (dashboard/<config>/index.html, the data embedded) and an index.html at the root listing them.
import path from 'node:path/posix';
import { historyDashboard } from '../../report/dashboard/build.js';
import { renderDashboardPage } from '../../report/dashboard/page.js';
import { configSlug, historyPaths, parseHistory, type HistoryFile } from '../../history/model.js';
import type { FileUpdate } from './store.js';

export const DASHBOARD_ROOT = 'dashboard';

export function dashboardPath(config: string): string {
  return `${DASHBOARD_ROOT}/${configSlug(config)}/index.html`;
}

const html = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The root page: a plain list of the config dashboards on the branch (no script). */
export function dashboardIndex(pages: readonly string[]): string {
  const items = [...new Set(pages)].sort().map((p) => {
    const name = p.slice(DASHBOARD_ROOT.length + 1, -'/index.html'.length);
    return `<li><a href="${html(encodeURI(p))}">${html(name)}</a></li>`;
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>bootgate dashboards</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}</style>',
    '</head>',
    '<body>',
    '<h1>bootgate: boot-time dashboards</h1>',
    '<p>One page per config measured by the nightly run.</p>',
    `<ul>${items.join('')}</ul>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface DashboardOptions {
  config: string;
  repoUrl: string | null;
  alpha: number;
  thresholdPct: number;
  log: (line: string) => void;
}

/**
 * The config's page (from the histories just written plus any other subject of the config already
 * on the branch) and the root index. `read`/`list` see the branch as it was before this update.
 */
export async function dashboardUpdates(
  written: readonly HistoryFile[],
  read: (p: string) => Promise<string | null>,
  list: () => Promise<string[]>,
  options: DashboardOptions,
): Promise<FileUpdate[]> {
  const files = [...written];
  const folder = path.dirname(historyPaths(options.config, 'subject').data);
  const own = new Set(written.map((f) => historyPaths(options.config, f.subject).data));
  const existing = await list();
  for (const p of existing.filter((p) => path.dirname(p) === folder && p.endsWith('.json') && !own.has(p)).sort()) {
    const text = await read(p);
    if (text === null) continue;
    try {
      files.push(parseHistory(text, p));
    } catch (error) {
      options.log(`dashboard: ${(error as Error).message}; left out of the page`);
    }
  }
  const page = dashboardPath(options.config);
  const data = historyDashboard(files, {
    repoUrl: options.repoUrl,
    alpha: options.alpha,
    thresholdPct: options.thresholdPct,
    title: `bootgate: ${options.config}`,
    subtitle: `nightly boot times of ${files.length} subject${files.length === 1 ? '' : 's'} (${options.config})`,
  });
  const pages = [...existing.filter((p) => p.startsWith(`${DASHBOARD_ROOT}/`) && p.endsWith('/index.html')), page];
  return [
    { path: page, content: await renderDashboardPage(data) },
    { path: 'index.html', content: dashboardIndex(pages) },
  ];
}
