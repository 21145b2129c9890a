// Runs in the browser: reads the data embedded in the page and draws it with Chart.js (bundled into
// the page by esbuild; nothing is loaded from the network). Text from results (subject and module
// names, commits) only ever goes through textContent, and links only to http(s) URLs.
// When done, <body data-bootgate-status="ok" data-charts="N" data-points="M"> tells a headless
// browser test what rendered; any error sets the status to "error: …".
import { Chart, registerables, type ChartConfiguration, type ChartDataset, type TooltipItem } from 'chart.js';
import {
  OTHER_MODULES,
  type DashboardData,
  type ResultsSubject,
  type RunSide,
  type TrendPoint,
  type TrendSubject,
} from './model.js';

Chart.register(...registerables);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
const colour = (i: number): string => PALETTE[i % PALETTE.length]!;

let charts = 0;
let points = 0;

function fail(message: string): void {
  document.body.dataset['bootgateStatus'] = `error: ${message}`;
  const box = el('p', 'error', `The page could not be drawn: ${message}`);
  document.body.prepend(box);
}

window.addEventListener('error', (event) => fail(event.message));

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A link for an http(s) URL; plain text otherwise. */
function link(url: string | null, text: string): HTMLElement {
  if (url) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') {
        const a = el('a', undefined, text);
        a.href = parsed.href;
        a.rel = 'noopener noreferrer';
        return a;
      }
    } catch {
      // not a URL: plain text below
    }
  }
  return el('span', undefined, text);
}

function openUrl(url: string | null): void {
  if (!url || !URL.canParse(url)) return;
  const parsed = new URL(url);
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') window.open(parsed.href, '_blank', 'noopener');
}

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined ? '—' : v.toFixed(digits);
const int = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US');

function chartBox(parent: HTMLElement, title: string, config: ChartConfiguration, heightPx = 320): Chart {
  const figure = el('figure', 'chart');
  figure.append(el('figcaption', undefined, title));
  const holder = el('div', 'canvas-holder');
  holder.style.height = `${heightPx}px`;
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  holder.append(canvas);
  figure.append(holder);
  parent.append(figure);
  const chart = new Chart(canvas, config);
  charts += 1;
  for (const ds of config.data.datasets)
    points += (ds.data as unknown[]).filter((v) => v !== null && v !== undefined).length;
  return chart;
}

function table(parent: HTMLElement, header: string[], rows: (string | HTMLElement)[][]): void {
  const t = el('table');
  const head = el('tr');
  for (const h of header) head.append(el('th', undefined, h));
  t.append(head);
  for (const row of rows) {
    const tr = el('tr');
    for (const cell of row) {
      const td = el('td');
      if (typeof cell === 'string') td.textContent = cell;
      else td.append(cell);
      tr.append(td);
    }
    t.append(tr);
  }
  parent.append(t);
}

// ---- nightly history -------------------------------------------------------------------------

const CI_LOW = '95 % CI, low end';
const pointLabel = (p: TrendPoint): string => `${p.at.slice(0, 10)} ${p.commit.slice(0, 7)}`;

function trendOptions(trend: TrendSubject, yTitle: string, stacked = false): ChartConfiguration['options'] {
  return {
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    scales: {
      x: { stacked, ticks: { maxRotation: 45, autoSkip: true, maxTicksLimit: 12 } },
      y: { stacked, title: { display: true, text: yTitle }, beginAtZero: stacked },
    },
    plugins: {
      // the band's lower edge is drawn by its own dataset; one legend entry for the band is enough
      legend: { position: 'bottom', labels: { filter: (item) => item.text !== CI_LOW } },
      tooltip: {
        callbacks: {
          title: (items: TooltipItem<'line'>[]) => {
            const p = trend.points[items[0]?.dataIndex ?? 0];
            return p ? `${p.at.replace('T', ' ').slice(0, 16)} · commit ${p.commit.slice(0, 12)}` : '';
          },
          footer: (items: TooltipItem<'line'>[]) => {
            const i = items[0]?.dataIndex ?? 0;
            const p = trend.points[i];
            const lines = p ? [`${p.n}/${p.total} boots ok`] : [];
            const cp = trend.changePoints.find((c) => c.index === i);
            if (cp)
              lines.push(
                `change point (${cp.direction}): ${fmt(cp.beforeMedian)} → ${fmt(cp.afterMedian)} ms, ${cp.shiftPct >= 0 ? '+' : ''}${fmt(cp.shiftPct)} %, p ${cp.p.toPrecision(2)}`,
              );
            if (p?.runUrl || p?.commitUrl) lines.push('click: open the run (or the commit)');
            return lines;
          },
        },
      },
    },
    onClick: (_event, elements) => {
      const p = trend.points[elements[0]?.index ?? -1];
      if (p) openUrl(p.runUrl ?? p.commitUrl);
    },
  };
}

function trendSection(root: HTMLElement, trend: TrendSubject): void {
  const section = el('section', 'subject');
  section.append(el('h2', undefined, trend.name));
  section.append(
    el(
      'p',
      'meta',
      `${trend.os} · ${trend.config} · ${trend.points.length} nightly run${trend.points.length === 1 ? '' : 's'}`,
    ),
  );
  root.append(section);
  if (trend.points.length === 0) {
    section.append(el('p', 'empty', 'No nightly run recorded yet.'));
    return;
  }
  const labels = trend.points.map(pointLabel);
  const changeMarks = trend.points.map((p, i) => (trend.changePoints.some((c) => c.index === i) ? p.median : null));
  const changeColours = trend.points.map((_, i) =>
    trend.changePoints.find((c) => c.index === i)?.direction === 'improvement' ? '#2ca02c' : '#d62728',
  );
  const bootSets: ChartDataset<'line'>[] = [
    {
      label: CI_LOW,
      data: trend.points.map((p) => p.ciLow),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: 'rgba(31,119,180,0.15)',
      fill: false,
    },
    {
      label: '95 % CI of the median',
      data: trend.points.map((p) => p.ciHigh),
      borderWidth: 0,
      pointRadius: 0,
      backgroundColor: 'rgba(31,119,180,0.15)',
      fill: '-1',
    },
    {
      label: 'median boot (start → ready)',
      data: trend.points.map((p) => p.median),
      borderColor: colour(0),
      backgroundColor: colour(0),
      pointRadius: 3,
      spanGaps: false,
    },
  ];
  if (trend.points.some((p) => p.httpMedian !== null)) {
    bootSets.push({
      label: 'median first HTTP 200',
      data: trend.points.map((p) => p.httpMedian),
      borderColor: colour(1),
      backgroundColor: colour(1),
      pointRadius: 2,
      borderDash: [4, 3],
    });
  }
  if (trend.changePoints.length > 0) {
    bootSets.push({
      label: 'change point',
      data: changeMarks,
      showLine: false,
      pointStyle: 'triangle',
      pointRadius: 9,
      pointBackgroundColor: changeColours,
      pointBorderColor: changeColours,
      borderColor: '#d62728',
      backgroundColor: '#d62728',
    });
  }
  chartBox(section, 'Boot time per nightly run (ms): median with its 95 % CI, first HTTP 200, change points ▲', {
    type: 'line',
    data: { labels, datasets: bootSets },
    options: trendOptions(trend, 'ms'),
  });
  if (trend.points.some((p) => p.instructionsMedian !== null)) {
    chartBox(section, 'Guest instructions, start → ready (deterministic mode)', {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'instructions',
            data: trend.points.map((p) => p.instructionsMedian),
            borderColor: colour(4),
            backgroundColor: colour(4),
          },
        ],
      },
      options: trendOptions(trend, 'instructions'),
    });
  }
  if (trend.points.some((p) => p.imageBytes !== null)) {
    chartBox(section, 'Image size (text + data + bss, bytes)', {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: 'image bytes',
            data: trend.points.map((p) => p.imageBytes),
            borderColor: colour(2),
            backgroundColor: colour(2),
            stepped: true,
          },
        ],
      },
      options: trendOptions(trend, 'bytes'),
    });
  }
  if (trend.moduleNames.length > 0) {
    chartBox(section, 'Module init times, stacked (median ms per nightly run)', {
      type: 'line',
      data: {
        labels,
        datasets: trend.moduleNames.map((name, i) => ({
          label: name,
          data: trend.points.map((p) => p.modules[name] ?? (name === OTHER_MODULES ? 0 : null)),
          borderColor: colour(i),
          backgroundColor: `${colour(i)}99`,
          fill: i === 0 ? 'origin' : '-1',
          pointRadius: 1,
        })),
      },
      options: trendOptions(trend, 'ms', true),
    });
  }
  if (trend.changePoints.length > 0) {
    section.append(el('h3', undefined, 'Change points'));
    table(
      section,
      ['first run of the new level', 'commit', 'median before → after (ms)', 'shift', 'p'],
      trend.changePoints.map((cp) => {
        const p = trend.points[cp.index]!;
        return [
          `${p.at.slice(0, 10)} (${cp.direction})`,
          link(p.commitUrl, p.commit.slice(0, 12)),
          `${fmt(cp.beforeMedian)} → ${fmt(cp.afterMedian)}`,
          `${cp.shiftPct >= 0 ? '+' : ''}${fmt(cp.shiftPct)} %`,
          cp.p.toPrecision(2),
        ];
      }),
    );
  }
  section.append(el('h3', undefined, 'Latest runs'));
  table(
    section,
    ['date', 'commit', 'run', 'median ms', '95 % CI ms', 'HTTP 200 ms', 'instructions', 'image bytes', 'ok'],
    trend.points
      .slice(-20)
      .reverse()
      .map((p) => [
        p.at.replace('T', ' ').slice(0, 16),
        link(p.commitUrl, p.commit.slice(0, 12)),
        p.runUrl ? link(p.runUrl, 'run') : '—',
        fmt(p.median),
        p.ciLow !== null && p.ciHigh !== null ? `${fmt(p.ciLow)}–${fmt(p.ciHigh)}` : '—',
        fmt(p.httpMedian),
        int(p.instructionsMedian),
        int(p.imageBytes),
        `${p.n}/${p.total}`,
      ]),
  );
}

// ---- local results (bootgate view) -----------------------------------------------------------

function medianOf(values: readonly number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  if (sorted.length === 0) return null;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A fixed spread of the dots around their column, so that equal times stay visible. */
const jitter = (i: number): number => (((i * 7919) % 101) / 101 - 0.5) * 0.5;

function distributionChart(
  section: HTMLElement,
  subject: ResultsSubject,
  pick: (s: RunSide) => number[],
  title: string,
  unit: string,
): void {
  const sides = subject.sides;
  const datasets: ChartDataset<'scatter'>[] = sides.map((s, si) => ({
    label: `${s.label} (n = ${pick(s).length})`,
    data: pick(s).map((v, i) => ({ x: si + jitter(i), y: v })),
    backgroundColor: `${colour(si)}aa`,
    borderColor: colour(si),
    pointRadius: 4,
  }));
  datasets.push({
    label: 'median',
    data: sides
      .map((s, si) => {
        const median = medianOf(pick(s));
        return median === null ? null : { x: si, y: median };
      })
      .filter((p): p is { x: number; y: number } => p !== null),
    pointStyle: 'line',
    pointRadius: 30,
    borderWidth: 3,
    borderColor: '#222',
    backgroundColor: '#222',
  });
  chartBox(section, title, {
    type: 'scatter',
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          min: -0.6,
          max: sides.length - 0.4,
          ticks: { stepSize: 1, callback: (v) => sides[Number(v)]?.label ?? '' },
          grid: { display: false },
        },
        y: { title: { display: true, text: unit } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (item: TooltipItem<'scatter'>) => `${item.dataset.label}: ${fmt(item.parsed.y, 2)} ${unit}`,
          },
        },
      },
    },
  });
}

function resultsSection(root: HTMLElement, subject: ResultsSubject): void {
  const section = el('section', 'subject');
  section.append(el('h2', undefined, subject.name));
  section.append(el('p', 'meta', `${subject.os} · ${subject.sides.map((s) => s.label).join(' vs ')}`));
  root.append(section);
  table(
    section,
    ['', 'ok/total', 'median ms', '95 % CI ms', 'HTTP 200 median ms', 'instructions', 'image bytes', 'commit'],
    subject.sides.map((s) => [
      s.label,
      `${s.total - s.failed}/${s.total}`,
      fmt(s.median),
      s.ciLow !== null && s.ciHigh !== null ? `${fmt(s.ciLow)}–${fmt(s.ciHigh)}` : '—',
      fmt(s.httpMedian),
      int(s.instructionsMedian),
      int(s.imageBytes),
      s.commit ? s.commit.slice(0, 12) : '—',
    ]),
  );
  if (subject.sides.some((s) => s.bootMs.length > 0))
    distributionChart(section, subject, (s) => s.bootMs, 'Boot time per boot (start → ready, ms); bar = median', 'ms');
  if (subject.sides.some((s) => s.httpMs.length > 0))
    distributionChart(section, subject, (s) => s.httpMs, 'First HTTP 200 per boot (ms); bar = median', 'ms');
  if (subject.sides.some((s) => s.instructions.length > 0))
    distributionChart(
      section,
      subject,
      (s) => s.instructions,
      'Guest instructions per boot (start → ready)',
      'instructions',
    );

  const peak = new Map<string, number>();
  for (const s of subject.sides)
    for (const m of s.modules) peak.set(m.name, Math.max(peak.get(m.name) ?? 0, m.medianMs));
  const names = [...peak.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([n]) => n);
  if (names.length > 0) {
    const byName = subject.sides.map((s) => new Map(s.modules.map((m) => [m.name, m.medianMs])));
    chartBox(
      section,
      'Module init time (median ms), slowest modules',
      {
        type: 'bar',
        data: {
          labels: names,
          datasets: subject.sides.map((s, si) => ({
            label: s.label,
            data: names.map((n) => byName[si]!.get(n) ?? null),
            backgroundColor: colour(si),
          })),
        },
        options: {
          indexAxis: 'y',
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { position: 'bottom' } },
          scales: { x: { title: { display: true, text: 'ms' } }, y: { ticks: { autoSkip: false } } },
        },
      },
      90 + names.length * 12 * subject.sides.length,
    );
    if (subject.sides.length === 2) {
      const [a, b] = byName as [Map<string, number>, Map<string, number>];
      const all = [...new Set([...a.keys(), ...b.keys()])];
      const rows = all
        .map((n) => ({ n, a: a.get(n) ?? null, b: b.get(n) ?? null, d: (b.get(n) ?? 0) - (a.get(n) ?? 0) }))
        .sort((x, y) => Math.abs(y.d) - Math.abs(x.d))
        .slice(0, 20);
      section.append(el('h3', undefined, `Module diff (${subject.sides[1]!.label} − ${subject.sides[0]!.label})`));
      table(
        section,
        ['module', `${subject.sides[0]!.label} ms`, `${subject.sides[1]!.label} ms`, 'Δ ms'],
        rows.map((r) => [r.n, fmt(r.a, 2), fmt(r.b, 2), `${r.d >= 0 ? '+' : ''}${r.d.toFixed(2)}`]),
      );
    }
  }
}

function main(): void {
  const source = document.getElementById('bootgate-data');
  if (!source?.textContent) throw new Error('no data in the page');
  const data = JSON.parse(source.textContent) as DashboardData;
  document.title = data.title;
  const root = document.getElementById('bootgate-root')!;
  const header = el('header');
  header.append(el('h1', undefined, data.title));
  header.append(
    el(
      'p',
      'meta',
      `${data.subtitle} · generated ${data.generatedAt.replace('T', ' ').slice(0, 16)} UTC by bootgate ${data.toolVersion}`,
    ),
  );
  root.append(header);
  if (data.kind === 'history') {
    if (data.trends.length === 0)
      root.append(el('p', 'empty', 'No nightly history yet: the first nightly run adds it.'));
    for (const trend of data.trends) trendSection(root, trend);
  } else {
    if (data.results.length === 0) root.append(el('p', 'empty', 'These results hold no subject.'));
    for (const subject of data.results) resultsSection(root, subject);
  }
  document.body.dataset['charts'] = String(charts);
  document.body.dataset['points'] = String(points);
  if (!document.body.dataset['bootgateStatus']) document.body.dataset['bootgateStatus'] = 'ok';
}

try {
  main();
} catch (error) {
  fail((error as Error).message);
}
