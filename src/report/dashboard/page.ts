// The dashboard as one self-contained HTML file: the data as JSON in a <script type="application/json">,
// the client (Chart.js included) inline. No request leaves the page, so it works from file://, from
// an artifact, or from GitHub Pages on the data branch.
import type { DashboardData } from './model.js';

/** Set by scripts/bundle.mjs: the client bundled for the browser (client.ts + Chart.js), minified. */
declare const BOOTGATE_DASHBOARD_CLIENT: string | undefined;

/** The client script's entry point, relative to this file (used when running from source). */
const CLIENT_ENTRY = new URL('./client.ts', import.meta.url);

/** The esbuild options that make the browser client; scripts/bundle.mjs uses the same. */
export const CLIENT_BUILD = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'inline',
  write: false,
} as const;

let cachedClient: Promise<string> | null = null;

/** The browser client. Bundled builds have it built in; from source (tests), esbuild builds it once. */
export function dashboardClient(): Promise<string> {
  if (typeof BOOTGATE_DASHBOARD_CLIENT === 'string') return Promise.resolve(BOOTGATE_DASHBOARD_CLIENT);
  cachedClient ??= (async () => {
    const name = 'esbuild'; // a variable: the bundle must not pull esbuild in
    const esbuild = (await import(name)) as typeof import('esbuild');
    const { fileURLToPath } = await import('node:url');
    const result = await esbuild.build({ ...CLIENT_BUILD, entryPoints: [fileURLToPath(CLIENT_ENTRY)] });
    return result.outputFiles[0]!.text;
  })();
  return cachedClient;
}

/**
 * JSON that is safe inside a <script> element: `<` `>` `&` and the JS line separators become
 * \u escapes, so no string from a guest can close the element or open a comment.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Inline script text: a `</script` or `<!--` inside the code's strings would end the element early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const html = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 1rem 2rem 3rem; max-width: 1200px; color: #1f2328; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
.meta { color: #59636e; margin-top: 0; }
.empty { color: #59636e; font-style: italic; }
.error { color: #b42318; font-weight: bold; }
figure.chart { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
.canvas-holder { position: relative; height: 320px; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.4rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; }
a { color: #0969da; }
`;

export async function renderDashboardPage(data: DashboardData): Promise<string> {
  const client = await dashboardClient();
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing from elsewhere: inline script and style only, no network.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${html(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main id="bootgate-root"></main>',
    '<noscript>This page draws its charts with JavaScript; the numbers are in the JSON files beside it.</noscript>',
    `<script type="application/json" id="bootgate-data">${scriptSafeJson(data)}</script>`,
    `<script>${inlineScript(client)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
