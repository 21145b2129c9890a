// The nightly run's Markdown: the history section of the job summary (trend charts, change points,
// QEMU changes) and the body of the sustained-regression issue. Pure: strings in, string out.
import type { SubjectTrend } from '../history/trend.js';
import { DEFAULT_CHANGE_POINT_OPTIONS } from '../stats/change-points.js';
import { escapeMarkdown, inlineCode } from './escape.js';
import { trendMermaid } from './trend-charts.js';

/** Where the history lives: the data branch, links to its files, the dashboard page, this run. */
export interface DataBranchLinks {
  branch: string;
  /** a file on the data branch → its GitHub URL */
  blobUrl: (file: string) => string;
  /** the config's dashboard page on the branch, when one is written */
  dashboardPage: string | null;
  runUrl: string | null;
}

/** The history section of the nightly job summary: per subject its trend chart, change points and QEMU changes. */
export function nightlyTrendSection(links: DataBranchLinks, trends: readonly SubjectTrend[]): string {
  const { branch, blobUrl } = links;
  const out = [`#### History (data branch ${inlineCode(branch)})`, ''];
  const page = trends.length > 0 ? links.dashboardPage : null;
  if (page)
    out.push(
      `Dashboard: ${inlineCode(page)} on the data branch ([file](${blobUrl(page)}); serve the branch with GitHub Pages to open it).`,
      '',
    );
  for (const t of trends) {
    const latest = t.points.at(-1);
    out.push(
      `**${escapeMarkdown(t.subject)}**: ${t.file.entries.length} nightly runs${latest ? `, latest median ${latest.median.toFixed(1)} ms` : ''} · [trend chart (SVG)](${blobUrl(t.chartPath)})`,
      '',
    );
    const chart = trendMermaid(`${t.subject}: median boot ms per nightly run`, t.points);
    if (chart) out.push(chart, '');
    if (t.changePoints.length > 0) {
      out.push('| change point | commit | median before → after (ms) | shift | p |', '| --- | --- | --: | --: | --: |');
      for (const cp of t.changePoints.slice(-10)) {
        const p = t.points[cp.index]!;
        out.push(
          `| ${p.at.slice(0, 10)} (${cp.direction}) | ${inlineCode(p.commit.slice(0, 12))} | ${cp.beforeMedian.toFixed(1)} → ${cp.afterMedian.toFixed(1)} | ${cp.shiftPct >= 0 ? '+' : ''}${cp.shiftPct.toFixed(1)} % | ${cp.p.toPrecision(2)} |`,
        );
      }
      out.push('');
    } else {
      out.push(`No change point in the history (window ${DEFAULT_CHANGE_POINT_OPTIONS.window} runs each side).`, '');
    }
    for (const q of t.qemuChanges.slice(-5)) {
      const p = t.points[q.index]!;
      out.push(
        `QEMU changed on ${p.at.slice(0, 10)} (${escapeMarkdown(q.from)} → ${escapeMarkdown(q.to)}): timings before and after are not comparable, so no change point is tested across it.`,
        '',
      );
    }
    if (t.sustained) {
      const s = t.sustained;
      out.push(
        `**Sustained regression**: ${s.currentShiftPct.toFixed(1)} % slower than before ${t.points[s.index]!.at.slice(0, 10)} (median ${s.beforeMedian.toFixed(1)} → ${s.currentMedian.toFixed(1)} ms over the latest runs).`,
        '',
      );
    }
  }
  return out.join('\n');
}

/** The sustained-regression issue's title and body; null when no subject regressed. */
export function regressionIssueContent(
  configName: string,
  links: DataBranchLinks,
  trends: readonly SubjectTrend[],
): { title: string; body: string } | null {
  const { blobUrl } = links;
  const sustained = trends.filter((t) => t.sustained);
  if (sustained.length === 0) return null;
  const lines = [`The nightly bootgate run finds a sustained boot-time regression in ${inlineCode(configName)}:`, ''];
  for (const t of sustained) {
    const s = t.sustained!;
    const at = t.points[s.index]!;
    const before = s.index > 0 ? t.points[s.index - 1]! : null;
    lines.push(
      `- **${escapeMarkdown(t.subject)}**: +${s.currentShiftPct.toFixed(1)} % (median ${s.beforeMedian.toFixed(1)} → ${s.currentMedian.toFixed(1)} ms), ` +
        `first seen ${at.at.slice(0, 10)} at ${inlineCode(at.commit.slice(0, 12))}${before ? ` (previous run: ${inlineCode(before.commit.slice(0, 12))})` : ''}, ` +
        `p = ${s.p.toPrecision(2)} · [chart](${blobUrl(t.chartPath)})`,
    );
  }
  lines.push(
    '',
    `Latest run: ${links.runUrl ?? '(no run URL)'}. This issue is updated by every nightly run and closed when the level comes back.`,
  );
  return { title: `bootgate: sustained boot-time regression (${configName})`, body: lines.join('\n') };
}
