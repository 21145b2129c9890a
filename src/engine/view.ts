// bootgate view: a dashboard page for local results files (a measure run, or a gate's base.json
// and head.json), written beside them or where --out says.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readResults } from '../measure/results-file.js';
import { resultsDashboard } from '../report/dashboard/build.js';
import { renderDashboardPage } from '../report/dashboard/page.js';

export async function runView(options: { files: string[]; out?: string }): Promise<string> {
  const docs = [];
  for (const file of options.files) docs.push({ label: path.basename(file), doc: await readResults(file) });
  const names = [...new Set(docs.flatMap((d) => d.doc.subjects.map((s) => s.name)))];
  const title = `bootgate: ${names.length === 1 ? names[0] : `${names.length} subjects`}${docs.length > 1 ? ` (${docs.map((d) => d.label).join(' vs ')})` : ''}`;
  const page = await renderDashboardPage(resultsDashboard(docs, title));
  const out = path.resolve(options.out ?? 'bootgate-view.html');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, page);
  return out;
}
