// Mode report posts, with the base repository's token, what a fork's artifact contains. These tests
// hand it crafted artifacts (through the fake GitHub's artifact API, as a fork's run would upload
// them) and check what reaches the pull request.
import path from 'node:path';
import { describe, expect } from 'vitest';
import { PR_META_SCHEMA } from '../../src/github/publish.js';
import { explainRun as explain, pullRequestPayload } from '../helpers/action-env.js';
import { githubTest } from '../helpers/github-world.js';
import { validPair } from '../helpers/results-doc.js';

const HEAD = 'a'.repeat(40);
const BASE = 'b'.repeat(40);
const MARKER = '<!-- bootgate-report:bootgate.yml -->';
const IMG = '<img src=x onerror=alert(1)>';
const HEADING = '\n# Fake heading\n**No change** @octocat\n';
const EVERYONE = '@everyone';
const CLOSE = '</details>';

const test = githubTest
  /** mode report for the fork run `runId` (its artifact), in a run folder named `name`. */
  .extend(
    'report',
    async ({ runReport, workDir }) =>
      (name: string, runId: number, headSha = HEAD) =>
        runReport({ prRunId: runId, headSha, runId: runId + 1, runDir: path.join(workDir, name) }),
  );

// every crafted artifact is for PR #9
test.beforeEach(({ fake }) => {
  fake.addPull({ number: 9, baseSha: BASE, headSha: HEAD, files: [] });
});

function prMeta(config = 'bootgate.yml'): string {
  return JSON.stringify({
    schema: PR_META_SCHEMA,
    prNumber: 9,
    baseSha: BASE,
    headSha: HEAD,
    config,
    skipped: [],
    verdict: 'no change',
    runUrl: null,
  });
}

/** `body` without fenced code blocks and inline code spans: text in them is shown, never rendered. */
function outsideCode(body: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const opening = /^(`{3,})/.exec(line)?.[1];
    if (fence === null && opening) fence = opening;
    else if (fence !== null && line.trim() === fence) fence = null;
    else if (fence === null) out.push(line.replace(/(`+)(?:(?!\1).)*?\1/g, '`code`'));
  }
  expect(fence, 'a code block is left open').toBeNull();
  return out.join('\n');
}

/** Nothing an attacker wrote is live in `body`: no HTML, no mention, no block closed early, no heading. */
function expectInert(whole: string): void {
  const body = outsideCode(whole);
  expect(body).not.toContain('<img');
  expect(body).not.toContain('onerror=alert(1)>');
  expect(body).not.toMatch(/@everyone|@octocat/);
  expect(body.split(CLOSE).length).toBe(body.split('<details>').length);
  expect(body).not.toMatch(/^# Fake heading/m);
  expect(body).not.toMatch(/^\*\*No change\*\* @/m);
}

describe('mode report, crafted artifacts', () => {
  test('refuses results whose numbers are strings: a fixed notice is posted, the log names the field', async ({
    fake,
    report,
  }) => {
    const { base, head } = validPair();
    const evilHead = JSON.parse(JSON.stringify(head)) as Record<string, any>;
    evilHead.subjects[0].summary.n = IMG;
    evilHead.subjects[0].summary.total = `${EVERYONE} ${CLOSE}`;
    evilHead.subjects[0].boots[0].index = HEADING;
    evilHead.host.cores = `${CLOSE}${HEADING}`;
    fake.addArtifact(600, 'bootgate-report', {
      'bootgate-pr.json': prMeta(),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(evilHead),
    });
    const r = await report('strings-in-numbers', 600);
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout).toMatch(/head\.json subjects\[0\]\.summary\.n: /);
    expect(r.stdout).toContain('failed validation');
    const comments = fake.comments.filter((c) => c.issue === 9);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('**Not reported**');
    expect(body).not.toContain('fixture');
    expectInert(body);
    expect(r.summary).toContain('**Not reported**');
  });

  test('refuses infinite numbers, fractional indices and oversized strings', async ({ fake, report }) => {
    const { base, head } = validPair();
    const cases: [string, (d: Record<string, any>) => void, RegExp][] = [
      ['fraction', (d) => (d.subjects[0].boots[1].index = 1.5), /subjects\[0\]\.boots\[1\]\.index/],
      ['long-name', (d) => (d.subjects[0].name = 'x'.repeat(5000)), /subjects\[0\]\.name/],
    ];
    let runId = 700;
    for (const [name, mutate, field] of cases) {
      const evil = JSON.parse(JSON.stringify(head)) as Record<string, any>;
      mutate(evil);
      fake.addArtifact(runId, 'bootgate-report', {
        'bootgate-pr.json': prMeta(),
        'base.json': JSON.stringify(base),
        'head.json': JSON.stringify(evil),
      });
      const r = await report(name, runId);
      expect(r.code, explain(r)).not.toBe(0);
      expect(r.stdout).toMatch(field);
      runId += 10;
    }
    // 1e999 is valid JSON and parses to Infinity.
    const text = JSON.stringify(head).replace(/"bootMs":100\.5/, '"bootMs":1e999');
    fake.addArtifact(runId, 'bootgate-report', {
      'bootgate-pr.json': prMeta(),
      'base.json': JSON.stringify(base),
      'head.json': text,
    });
    const r = await report('infinity', runId);
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout).toMatch(/subjects\[0\]\.boots\[0\]\.bootMs/);
    expect(fake.comments.filter((c) => c.issue === 9)).toHaveLength(1);
    expect(fake.comments[0]!.body).toContain('**Not reported**');
  });

  test('renders hostile text in valid documents inert, and ignores a config path outside the workspace', async ({
    fake,
    report,
  }) => {
    const evilName = `${IMG} ${EVERYONE} ${CLOSE}${HEADING}`;
    const { base, head } = validPair();
    for (const doc of [base, head]) {
      doc.subjects[0]!.name = evilName;
      doc.subjects[0]!.ref = `${CLOSE}${HEADING}`;
      doc.host.cpu = `${IMG}${HEADING}`;
      doc.tool.version = EVERYONE;
    }
    head.subjects[0]!.boots[0] = {
      ...head.subjects[0]!.boots[0]!,
      ok: false,
      bootMs: null,
      httpMs: null,
      modules: [],
      error: `\`\`\`\n${CLOSE}${HEADING}${IMG}`,
    };
    head.subjects[0]!.summary.modules = [{ name: `${IMG}${EVERYONE}`, medianMs: 5, n: 5 }];
    fake.addArtifact(800, 'bootgate-report', {
      'bootgate-pr.json': prMeta('../../../etc/passwd'),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(head),
    });
    const r = await report('hostile-text', 800);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toContain("the artifact's config path is not a relative path inside the workspace");
    const comments = fake.comments.filter((c) => c.issue === 9);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).not.toContain('passwd');
    expect(body).toContain('&lt;img');
    expectInert(body);
  });

  test('refuses a triggering run without a head commit', async ({ fake, report }) => {
    const { base, head } = validPair();
    fake.addArtifact(900, 'bootgate-report', {
      'bootgate-pr.json': prMeta(),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(head),
    });
    const r = await report('no-head-sha', 900, '');
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout).toContain('has no head commit in its event');
    expect(fake.writeCalls()).toEqual([]);
  });

  test("edits only the token's own comment that starts with the marker", async ({ fake, report }) => {
    const { base, head } = validPair();
    const userComment = fake.addComment(9, `${MARKER}\nmy own notes`, { login: 'mallory', type: 'User' });
    const quoting = fake.addComment(9, `> quoting the report:\n> ${MARKER}`, {
      login: 'github-actions[bot]',
      type: 'Bot',
    });
    fake.addArtifact(950, 'bootgate-report', {
      'bootgate-pr.json': prMeta(),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(head),
    });
    const first = await report('own-comment-1', 950);
    expect(first.code, explain(first)).toBe(0);
    const second = await report('own-comment-2', 950);
    expect(second.code, explain(second)).toBe(0);
    const comments = fake.comments.filter((c) => c.issue === 9);
    expect(comments).toHaveLength(3);
    expect(userComment.body).toBe(`${MARKER}\nmy own notes`);
    expect(quoting.body).toBe(`> quoting the report:\n> ${MARKER}`);
    const own = comments[2]!;
    expect(own.user.login).toBe('github-actions[bot]');
    expect(own.body.startsWith(`${MARKER}\n`)).toBe(true);
    // The GITHUB_TOKEN is refused by GET /user; its identity came from GraphQL's viewer.
    expect(fake.requests.some((q) => q.path === '/user' && q.status === 403)).toBe(true);
    expect(fake.requests.some((q) => q.path === '/graphql')).toBe(true);
    expect(
      fake.requests.filter((q) => q.method === 'PATCH' && q.path.includes(`/issues/comments/${userComment.id}`)),
    ).toEqual([]);
  });

  test('mode merge refuses a shard whose results fail the schema, naming the field', async ({ fake, runAction }) => {
    const { base, head } = validPair();
    const evil = JSON.parse(JSON.stringify(head)) as Record<string, any>;
    evil.subjects[0].boots[1].bootMs = IMG;
    const meta = (index: number): string =>
      JSON.stringify({
        schema: 'bootgate/shard@1',
        index,
        count: 2,
        config: 'bootgate.yml',
        skipped: [],
        baseSha: BASE,
        headSha: HEAD,
      });
    fake.addArtifact(1000, 'bootgate-shard-1', {
      'bootgate-shard.json': meta(1),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(head),
    });
    fake.addArtifact(1000, 'bootgate-shard-2', {
      'bootgate-shard.json': meta(2),
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(evil),
    });
    const r = await runAction({
      inputs: { mode: 'merge' },
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 9, baseSha: BASE, headSha: HEAD, repo: 'acme/embox' }),
      runId: 1000,
      token: 'base-write-token',
    });
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout).toMatch(/bootgate-shard-2\/head\.json subjects\[0\]\.boots\[1\]\.bootMs: /);
    expect(r.stdout).not.toContain('onerror');
    // The PR hears that the run failed, naming the field, and nothing of the document's content.
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toMatch(
      /^\*\*Failed\*\* — bootgate could not finish this check: .*bootgate-shard-2\/head\.json subjects\\\[0\\\]\.boots\\\[1\\\]\.bootMs: Invalid input/m,
    );
    expect(fake.comments[0]!.body).not.toContain('onerror');
  });

  test('mode merge refuses shard metadata out of bounds before allocating anything for it', async ({
    fake,
    runAction,
  }) => {
    const { base, head } = validPair();
    const meta = JSON.stringify({
      schema: 'bootgate/shard@1',
      index: 1,
      count: 1_000_000_000,
      config: 'bootgate.yml',
      skipped: [],
      baseSha: BASE,
      headSha: HEAD,
    });
    fake.addArtifact(1100, 'bootgate-shard-1', {
      'bootgate-shard.json': meta,
      'base.json': JSON.stringify(base),
      'head.json': JSON.stringify(head),
    });
    const r = await runAction({
      inputs: { mode: 'merge' },
      eventName: 'pull_request',
      payload: pullRequestPayload({ number: 9, baseSha: BASE, headSha: HEAD, repo: 'acme/embox' }),
      runId: 1100,
      token: 'base-write-token',
    });
    expect(r.code, explain(r)).not.toBe(0);
    expect(r.stdout).toMatch(/bootgate-shard\.json count: Too big/);
    expect(fake.comments.map((c) => c.body.split('\n')[3])).toEqual([
      expect.stringMatching(
        /^\*\*Failed\*\* — bootgate could not finish this check: .*bootgate-shard\.json count: Too big/,
      ),
    ]);
  });
});
