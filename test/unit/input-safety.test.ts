// What bootgate reads from others (results files, history files, configs, guests' text) is checked
// and bounded before anything is rendered or run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfigText } from '../../src/config/load.js';
import { upsertComment } from '../../src/github/comment.js';
import { parseInputs } from '../../src/github/inputs.js';
import { configSlug, historyPaths, parseHistory, HISTORY_SCHEMA } from '../../src/history/model.js';
import { refusedNotice, trustedConfigPath } from '../../src/github/report-mode.js';
import type { ResultsDocument } from '../../src/measure/results.js';
import { readResults } from '../../src/measure/results-file.js';
import { parseResultsDocument, ResultsValidationError } from '../../src/measure/results-schema.js';
import { renderGateReport, renderMeasureReport, reportMarker } from '../../src/report/markdown.js';
import { comparisonSummary, progressLine, resultsTable } from '../../src/report/terminal.js';
import { compareResults, DEFAULT_GATE_OPTIONS } from '../../src/compare/index.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { validPair, validSubject } from '../helpers/results-doc.js';

const EVIL = '<img src=x onerror=alert(1)> @everyone </details>\n# Fake heading\n**No change** @octocat';
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

type Loose = Record<string, any>;

describe('results document schema', () => {
  it('accepts what bootgate writes', () => {
    const { base } = validPair();
    expect(parseResultsDocument(clone(base), 'base.json')).toEqual(base);
  });

  it('refuses wrong types, non-integers, unbounded strings and arrays, naming the field and never the value', () => {
    const { head } = validPair();
    const cases: [string, (d: Loose) => void, string][] = [
      ['string in a count', (d) => (d.subjects[0].summary.n = EVIL), 'head.json subjects[0].summary.n:'],
      ['string in an index', (d) => (d.subjects[0].boots[2].index = EVIL), 'head.json subjects[0].boots[2].index:'],
      ['fractional index', (d) => (d.subjects[0].boots[2].index = 2.5), 'head.json subjects[0].boots[2].index:'],
      ['negative time', (d) => (d.subjects[0].boots[0].bootMs = -1), 'head.json subjects[0].boots[0].bootMs:'],
      ['string in host cores', (d) => (d.host.cores = EVIL), 'head.json host.cores:'],
      [
        'string in a CI bound',
        (d) => (d.subjects[0].summary.ci95 = [1, EVIL]),
        'head.json subjects[0].summary.ci95[1]:',
      ],
      ['unknown OS', (d) => (d.subjects[0].os = EVIL), 'head.json subjects[0].os:'],
      ['long name', (d) => (d.subjects[0].name = 'x'.repeat(1001)), 'head.json subjects[0].name:'],
      ['too many subjects', (d) => (d.subjects = Array(1001).fill(d.subjects[0])), 'head.json subjects:'],
      [
        'too many boots',
        (d) => (d.subjects[0].boots = Array(5001).fill(d.subjects[0].boots[0])),
        'head.json subjects[0].boots:',
      ],
      ['subjects not an array', (d) => (d.subjects = {}), 'head.json subjects:'],
    ];
    for (const [what, mutate, field] of cases) {
      const doc = clone(head) as Loose;
      mutate(doc);
      let message = '';
      try {
        parseResultsDocument(doc, 'head.json');
      } catch (error) {
        expect(error, what).toBeInstanceOf(ResultsValidationError);
        expect(error, what).toBeInstanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message, what).toContain(field);
      expect(message, what).not.toMatch(/onerror|everyone|Fake heading/);
    }
    expect(() => parseResultsDocument({ schema: 'other' }, 'x.json')).toThrow(
      'x.json: expected a bootgate results document with "schema": "bootgate/results@1"',
    );
    expect(() => parseResultsDocument(null, 'x.json')).toThrow(ResultsValidationError);
  });

  it('readResults: missing, non-JSON and invalid files are input errors; Infinity in the JSON is refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bootgate-results-'));
    try {
      await expect(readResults(path.join(dir, 'missing.json'))).rejects.toThrow(
        /missing\.json: cannot read the results file \(ENOENT\)/,
      );
      await expect(readResults(path.join(dir, 'missing.json'))).rejects.toBeInstanceOf(ConfigError);
      await writeFile(path.join(dir, 'bad.json'), '{"schema": \u001b[31m');
      await expect(readResults(path.join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: not a JSON results file/);
      await expect(readResults(path.join(dir, 'bad.json'))).rejects.not.toThrow(/\u001b/);
      const { base } = validPair();
      await writeFile(path.join(dir, 'inf.json'), JSON.stringify(base).replace('"bootMs":100,', '"bootMs":1e999,'));
      await expect(readResults(path.join(dir, 'inf.json'))).rejects.toThrow(/subjects\[0\]\.boots\[0\]\.bootMs/);
      await writeFile(path.join(dir, 'big.json'), JSON.stringify(base));
      await expect(readResults(path.join(dir, 'big.json'), 100)).rejects.toThrow(
        /refusing a results file over 100 bytes/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('numbers in reports go through the formatters', () => {
  // A document that skipped validation (as every document did before): strings in numeric fields.
  function hostile(doc: ResultsDocument): ResultsDocument {
    const d = clone(doc) as Loose;
    d.host.cores = EVIL;
    d.subjects[0].summary.n = EVIL;
    d.subjects[0].summary.total = EVIL;
    d.subjects[0].summary.ci95 = [EVIL, EVIL];
    d.subjects[0].summary.cv = EVIL;
    d.subjects[0].summary.modules = [{ name: 'm', medianMs: EVIL, n: EVIL }];
    for (const b of d.subjects[0].boots) b.index = EVIL;
    d.subjects[0].image.sizes = { text: EVIL, data: 0, bss: 0 };
    return d as ResultsDocument;
  }

  it('the gate report and the measure report print no text from a numeric field', () => {
    const pair = validPair();
    const base = hostile(pair.base);
    const head = hostile(pair.head);
    const gate = renderGateReport(compareResults(base.subjects, head.subjects, DEFAULT_GATE_OPTIONS), { base, head });
    const measure = renderMeasureReport(base);
    for (const text of [gate, measure]) {
      expect(text).not.toMatch(/onerror|@everyone|Fake heading|@octocat/);
      expect(text.split('</details>').length).toBe(text.split('<details>').length);
    }
  });
});

describe('terminal output', () => {
  const ESC = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  it('strips escape sequences and control characters from guest-controlled text', () => {
    const name = 'evil\u001b]0;owned\u0007\u001b[2J\u001b[31mred\rX\u0008';
    const subject = validSubject(name, null, [100, null, 102]);
    subject.boots[1]!.error =
      'timed out\u001b[?1049h\nserial tail:\n  | \u001b]8;;http://x\u0007link\u001b]8;;\u0007\u0000';
    subject.summary.modules = [{ name: 'mod\u001b[5m', medianMs: 3, n: 2 }];
    const table = resultsTable([subject]);
    expect(table).not.toMatch(ESC);
    expect(table).toContain('evil');
    expect(table).toContain('timed out');
    const line = progressLine({
      subject: name,
      variant: null,
      warmup: false,
      index: 1,
      of: 3,
      record: subject.boots[1]!,
    });
    expect(line).not.toMatch(ESC);
    const pair = validPair(name);
    const summary = comparisonSummary(compareResults(pair.base.subjects, pair.head.subjects, DEFAULT_GATE_OPTIONS));
    expect(summary).not.toMatch(ESC);
    expect(summary).toContain('evil');
  });
});

describe('config upper bounds and template paths', () => {
  const config = (settings: string): string =>
    `version: 1\nsubjects:\n  - name: s\n    os: custom\n    kernel: k.elf\n${settings}`;
  it('refuses numbers that would exhaust memory or overflow a timer, with the limit in the message', () => {
    const cases: [string, string][] = [
      ['    runs: 1000000000\n', 'subjects[0].runs: expected at most 5000 counted boots'],
      ['    timeout: 3000000\n', 'subjects[0].timeout: expected at most 86400 seconds'],
      ['    warmup: 5000\n', 'subjects[0].warmup: expected at most 1000 warm-up boots'],
      ['    memory: 100000000\n', 'subjects[0].memory: expected at most 65536 MiB'],
      ['    jobs: 100000\n', 'subjects[0].jobs: expected at most 1024'],
      ['    pin-cpu: 99999\n', 'subjects[0].pin-cpu: expected at most 4095'],
      ['    guest-port: 70000\n', 'subjects[0].guest-port:'],
    ];
    for (const [line, message] of cases) expect(() => parseConfigText(config(line), 'b.yml'), line).toThrow(message);
    expect(parseConfigText(config('    runs: 5000\n    timeout: 86400\n'), 'b.yml').subjects[0]!.runs).toBe(5000);
  });

  it('the action inputs runs and warmup have the same ceilings', () => {
    const read =
      (values: Record<string, string>) =>
      (name: string): string =>
        values[name] ?? '';
    expect(() => parseInputs(read({ runs: '1000000000' }))).toThrow(
      'input "runs": expected a whole number from 1 to 5000',
    );
    expect(() => parseInputs(read({ warmup: '5000' }))).toThrow(
      'input "warmup": expected a whole number from 0 to 1000',
    );
    expect(parseInputs(read({ runs: '5000', warmup: '1000' })).runs).toBe(5000);
  });

  it('refuses template paths with . or .. parts', () => {
    for (const template of ['../qemu', 'x86/..', './qemu', 'x86/.', '../..']) {
      expect(() => parseConfigText(config(`    template: ${template}\n`), 'b.yml'), template).toThrow(
        /subjects\[0\]\.template: expected an Embox template like x86\/qemu/,
      );
    }
    expect(parseConfigText(config('    template: x86/qemu.v2\n'), 'b.yml').subjects[0]!.template).toBe('x86/qemu.v2');
  });
});

describe('history files', () => {
  it('gives every config path its own folder', () => {
    const slugs = ['ci/x.yml', 'ci-x.yml', './ci x.yml', 'ci_x.yml', 'ci+x.yml', 'ci~2fx.yml'].map(configSlug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(configSlug('bootgate.yml')).toBe('bootgate.yml');
    expect(configSlug('./ci/x.yml')).toBe(configSlug('ci/x.yml'));
    expect(configSlug('.github/b.yml')).toBe('~2egithub+b.yml');
    for (const slug of [...slugs, configSlug('..'), configSlug('../x'), configSlug('')])
      expect(slug).toMatch(/^[\w~+-][\w.~+-]*$/);
    expect(historyPaths('ci/x.yml', 'fixture').data).toBe('history/ci+x.yml/fixture.json');
  });

  const entry = {
    id: 'r1',
    at: '2026-01-01T00:00:00Z',
    commit: 'c'.repeat(40),
    ref: 'main',
    runUrl: null,
    host: { cpu: 'x', cores: 2, os: 'x', kernel: 'x', qemu: 'q', node: 'v20', compiler: null },
    summary: {
      n: 1,
      total: 1,
      failed: 0,
      median: 100,
      ci95: [99, 101],
      cv: 0,
      min: 100,
      max: 100,
      httpMedian: null,
      instructionsMedian: null,
    },
    bootMs: [100],
    httpMs: [null],
    instructions: [null],
    modules: [],
  };
  const file = (over: Loose = {}, entryOver: Loose = {}): string =>
    JSON.stringify({
      schema: HISTORY_SCHEMA,
      config: 'ci/x.yml',
      subject: 'fixture',
      os: 'custom',
      entries: [{ ...entry, ...entryOver }],
      ...over,
    });

  it('validates entries and refuses a file of another config or subject', () => {
    const who = { config: 'ci/x.yml', subject: 'fixture' };
    expect(parseHistory(file(), 'h.json', who).entries).toHaveLength(1);
    expect(parseHistory(file(), 'h.json', { config: './ci/x.yml', subject: 'fixture' }).entries).toHaveLength(1);
    expect(() => parseHistory(file({ config: 'ci-x.yml' }), 'h.json', who)).toThrow(
      'h.json: holds the history of config "ci-x.yml", subject "fixture", not of config "ci/x.yml"',
    );
    expect(() => parseHistory(file({ subject: 'other' }), 'h.json', who)).toThrow(
      /subject "other", not of config "ci\/x.yml", subject "fixture"/,
    );
    expect(() => parseHistory(file({}, { summary: { ...entry.summary, median: EVIL } }), 'h.json', who)).toThrow(
      'h.json entries[0].summary.median:',
    );
    expect(() => parseHistory(file({}, { bootMs: ['1'] }), 'h.json', who)).toThrow('h.json entries[0].bootMs[0]:');
  });
});

describe('report mode helpers', () => {
  it('accepts the artifact config path only inside the workspace', () => {
    for (const ok of ['bootgate.yml', 'ci/x.yml', './ci x.yml', '.github/bootgate.yml'])
      expect(trustedConfigPath(ok, 'in.yml')).toBe(ok);
    for (const bad of [
      '../x.yml',
      'ci/../../x.yml',
      '/etc/passwd',
      'C:\\x.yml',
      'ci\\..\\x.yml',
      '.',
      './',
      'x\u0000.yml',
      'a\nb.yml',
      '<!-- x -->',
    ]) {
      expect(trustedConfigPath(bad, 'in.yml'), JSON.stringify(bad)).toBe('in.yml');
    }
    expect(trustedConfigPath('', 'in.yml')).toBe('in.yml');
  });

  it('the refusal notice is fixed text under the marker', () => {
    expect(refusedNotice(reportMarker('b.yml'))).toBe(
      "<!-- bootgate-report:b.yml -->\n### bootgate: boot time\n\n**Not reported** — the results uploaded by this pull request's workflow run failed validation, so nothing from them is shown here. The log of the report workflow names the field.\n",
    );
  });
});

describe('sticky comment identity', () => {
  let fake: FakeGitHub | null = null;
  afterEach(async () => {
    await fake?.stop();
    fake = null;
  });
  const target = { owner: 'acme', repo: 'embox', issueNumber: 5 };
  const marker = reportMarker('b.yml');
  const body = (text: string): string => `${marker}\n${text}`;

  it("a user token (GET /user) updates its own marked comment, never a bot's or a quote", async () => {
    fake = new FakeGitHub({ owner: 'acme', repo: 'embox', identities: { pat: { login: 'Maintainer', type: 'User' } } });
    await fake.start();
    const octokit = getOctokit('pat', { baseUrl: fake.url });
    const bots = fake.addComment(5, body('bot report'), { login: 'github-actions[bot]', type: 'Bot' });
    const quote = fake.addComment(5, `see:\n${body('quoted')}`, { login: 'maintainer', type: 'User' });
    const created = await upsertComment(octokit, target, {
      marker,
      body: body('one'),
      policy: 'always',
      verdict: 'no change',
    });
    expect(created.action).toBe('created');
    const updated = await upsertComment(octokit, target, {
      marker,
      body: body('two'),
      policy: 'always',
      verdict: 'no change',
    });
    expect(updated.action).toBe('updated');
    expect(bots.body).toBe(body('bot report'));
    expect(quote.body).toBe(`see:\n${body('quoted')}`);
    expect(fake.comments.filter((c) => c.issue === 5).map((c) => c.body)).toEqual([
      body('bot report'),
      `see:\n${body('quoted')}`,
      body('two'),
    ]);
  });

  it("an app token (GET /user refused) is known by GraphQL viewer; a user's marked comment is left alone", async () => {
    fake = new FakeGitHub({
      owner: 'acme',
      repo: 'embox',
      identities: { app: { login: 'my-app[bot]', type: 'Bot', viewerLogin: 'my-app' } },
    });
    await fake.start();
    const octokit = getOctokit('app', { baseUrl: fake.url });
    const users = fake.addComment(5, body('not yours'), { login: 'mallory', type: 'User' });
    const actions = fake.addComment(5, body('another bot'), { login: 'github-actions[bot]', type: 'Bot' });
    expect(
      (await upsertComment(octokit, target, { marker, body: body('one'), policy: 'always', verdict: 'no change' }))
        .action,
    ).toBe('created');
    expect(
      (await upsertComment(octokit, target, { marker, body: body('two'), policy: 'always', verdict: 'no change' }))
        .action,
    ).toBe('updated');
    expect(users.body).toBe(body('not yours'));
    expect(actions.body).toBe(body('another bot'));
    expect(fake.comments.at(-1)!.user.login).toBe('my-app[bot]');
    expect(fake.comments.at(-1)!.body).toBe(body('two'));
  });
});
