// A local stand-in for the GitHub services the action talks to, on 127.0.0.1:
//  - REST (GITHUB_API_URL): pulls, PR files, issue comments, issues, Git Data (refs, commits, trees,
//    blobs), run artifacts — with Link-header pagination and GitHub's status codes;
//  - the Actions results service (ACTIONS_RESULTS_URL): the twirp ArtifactService and CacheService
//    that @actions/artifact 6 and @actions/cache 6 call;
//  - a blob store standing in for Azure Blob Storage (signed URLs point here).
// Every request is recorded, so tests can assert what was (and was not) called.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  service: 'rest' | 'twirp' | 'blob';
  body: unknown;
  token: string | null;
  status: number;
}

export interface FakeComment {
  id: number;
  body: string;
  issue: number;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  comments: string[];
}

export interface FakePull {
  number: number;
  headSha: string;
  baseSha: string;
  files: { filename: string; status: string; previous_filename?: string }[];
}

interface Artifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  blobKey: string;
  size: number;
  finalized: boolean;
  createdAt: string;
}

interface GitCommit {
  tree: string;
  parents: string[];
  message: string;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  /** requests with this token get 403 on every REST write (a fork's read-only token) */
  readOnlyToken?: string;
  /** how the cache service fails: a reset connection, a 500, or not at all */
  cacheFailure?: 'reset' | 'status-500' | null;
  /** answer this many ref updates with 422 first, as if another run moved the branch */
  forceRefConflicts?: number;
  /**
   * hold the first N ref updates (create or move) until all N have arrived, then answer them in
   * arrival order: N runs that read the same tip really race, and all but one get 422
   */
  raceRefUpdates?: number;
  /**
   * who each token is. A 'User' (a PAT) answers GET /user; a 'Bot' (an app installation token,
   * like the GITHUB_TOKEN) gets 403 there, as on GitHub, and is known by GraphQL's viewer. Tokens
   * not listed are github-actions[bot].
   */
  identities?: Record<string, FakeUser>;
}

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
  /** what GraphQL's viewer says, when it differs from the REST login (an app without "[bot]") */
  viewerLogin?: string;
}

const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot' };

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
};

const sha1 = (data: string | Buffer): string => createHash('sha1').update(data).digest('hex');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `files`, stored without compression: what an artifact download returns. */
export function storedZip(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly issues: FakeIssue[] = [];
  readonly pulls = new Map<number, FakePull>();
  /** label events of issues and PRs, oldest first (GET /issues/{n}/events) */
  readonly labelEvents: { issue: number; event: 'labeled' | 'unlabeled'; label: string; actor: string; at: string }[] =
    [];
  readonly refs = new Map<string, string>();
  readonly commits = new Map<string, GitCommit>();
  /** tree sha → flat map path → blob sha */
  readonly trees = new Map<string, Map<string, string>>();
  readonly blobs = new Map<string, Buffer>();
  readonly artifacts: Artifact[] = [];
  readonly storage = new Map<string, Buffer>();
  private readonly blocks = new Map<string, Map<string, Buffer>>();
  private readonly caches = new Map<string, { key: string; version: string; blobKey: string; done: boolean }>();
  private nextId = 1000;
  private server: http.Server | null = null;
  private conflictsLeft: number;
  private raceWaiting: (() => void)[] = [];
  private raceLeft: number;
  url = '';

  constructor(readonly options: FakeGitHubOptions) {
    this.conflictsLeft = options.forceRefConflicts ?? 0;
    this.raceLeft = options.raceRefUpdates ?? 0;
  }

  /** Makes `branch` hold exactly these files, as one new commit on its tip (or a new root). */
  seedBranch(branch: string, files: Record<string, string>, message = 'seed'): string {
    const tree = new Map<string, string>();
    for (const [p, content] of Object.entries(files)) {
      const blob = sha1(`blob\0${content}`);
      this.blobs.set(blob, Buffer.from(content, 'utf8'));
      tree.set(p, blob);
    }
    const treeSha = sha1(`tree\0${JSON.stringify([...tree].sort())}`);
    this.trees.set(treeSha, tree);
    const parent = this.refs.get(`heads/${branch}`);
    const commit: GitCommit = { tree: treeSha, parents: parent ? [parent] : [], message };
    const sha = sha1(`commit\0${JSON.stringify(commit)}\0${this.id()}`);
    this.commits.set(sha, commit);
    this.refs.set(`heads/${branch}`, sha);
    return sha;
  }

  /** Waits (up to 60 s) until `raceRefUpdates` ref updates are waiting, then lets them all go. */
  private async raceGate(): Promise<void> {
    if (this.raceLeft <= 0) return;
    this.raceLeft--;
    const all = new Promise<void>((resolve) => {
      this.raceWaiting.push(resolve);
      setTimeout(resolve, 60_000).unref();
    });
    if (this.raceLeft === 0) for (const go of this.raceWaiting.splice(0)) go();
    await all;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { message: `fake-github: ${(error as Error).stack ?? String(error)}` });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** A finalized artifact of run `runId` holding `files`, as if that run had uploaded it (a crafted one, say). */
  addArtifact(runId: number, name: string, files: Record<string, string | Buffer>): void {
    const id = this.id();
    const zip = storedZip(files);
    const blobKey = `artifacts/${id}.zip`;
    this.storage.set(blobKey, zip);
    this.artifacts.push({
      id,
      name,
      runBackendId: `run-${runId}`,
      jobBackendId: 'job-1',
      blobKey,
      size: zip.length,
      finalized: true,
      createdAt: new Date().toISOString(),
    });
  }

  /** A comment someone else wrote (a user quoting the report, another bot). */
  addComment(issue: number, body: string, user: FakeUser): FakeComment {
    const now = new Date().toISOString();
    const c: FakeComment = {
      id: this.id(),
      body,
      issue,
      user: { login: user.login, type: user.type },
      created_at: now,
      updated_at: now,
    };
    this.comments.push(c);
    return c;
  }

  private identity(token: string | null): FakeUser {
    return (token && this.options.identities?.[token]) || ACTIONS_BOT;
  }

  addPull(pull: FakePull): void {
    this.pulls.set(pull.number, pull);
  }

  /** REST calls that change something in the repository (comments, issues, git data); GraphQL here only reads. */
  writeCalls(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.service === 'rest' && r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/graphql',
    );
  }

  /** The files of a branch's tip on the Git Data side: path → content. */
  branchFiles(branch: string): Map<string, string> {
    const tip = this.refs.get(`heads/${branch}`);
    const out = new Map<string, string>();
    if (!tip) return out;
    const tree = this.trees.get(this.commits.get(tip)!.tree)!;
    for (const [p, blob] of tree) out.set(p, this.blobs.get(blob)!.toString('utf8'));
    return out;
  }

  /** Number of commits reachable from a branch tip. */
  branchLength(branch: string): number {
    let sha = this.refs.get(`heads/${branch}`);
    let n = 0;
    while (sha) {
      n++;
      sha = this.commits.get(sha)?.parents[0];
    }
    return n;
  }

  private id(): number {
    return this.nextId++;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const service: RecordedRequest['service'] = url.pathname.startsWith('/twirp/')
      ? 'twirp'
      : url.pathname.startsWith('/blob/')
        ? 'blob'
        : 'rest';
    let body: unknown = null;
    if (service !== 'blob' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    }
    const auth = req.headers['authorization'];
    const token = typeof auth === 'string' ? auth.replace(/^(token|Bearer)\s+/i, '') : null;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      service,
      body,
      token,
      status: 0,
    };
    this.requests.push(record);
    const originalWriteHead = res.writeHead.bind(res);
    res.writeHead = (status: number, ...rest: unknown[]) => {
      record.status = status;
      return (originalWriteHead as (...a: unknown[]) => http.ServerResponse)(status, ...rest);
    };

    const isRefUpdate =
      (req.method === 'PATCH' && /\/git\/refs\//.test(url.pathname)) ||
      (req.method === 'POST' && url.pathname.endsWith('/git/refs'));
    if (isRefUpdate) await this.raceGate();
    if (service === 'twirp') return this.twirp(url, body as Record<string, unknown>, res);
    if (service === 'blob') return this.blob(req, url, raw, res);
    return this.rest(req, url, body as Record<string, unknown> | null, token, res);
  }

  // ------------------------------------------------------------------------------------------
  // REST

  private paginate<T>(
    req: http.IncomingMessage,
    url: URL,
    items: T[],
    res: http.ServerResponse,
    wrap?: (page: T[]) => unknown,
  ): void {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url.href);
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('per_page', String(perPage));
      const last = new URL(url.href);
      last.searchParams.set('page', String(Math.ceil(items.length / perPage)));
      last.searchParams.set('per_page', String(perPage));
      headers['link'] = `<${next.href}>; rel="next", <${last.href}>; rel="last"`;
    }
    json(res, 200, wrap ? wrap(slice) : slice, headers);
  }

  private commentJson(c: FakeComment): unknown {
    const { owner, repo } = this.options;
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      html_url: `https://github.com/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
      created_at: c.created_at,
      updated_at: c.updated_at,
    };
  }

  private issueJson(i: FakeIssue): unknown {
    const { owner, repo } = this.options;
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      html_url: `https://github.com/${owner}/${repo}/issues/${i.number}`,
    };
  }

  private rest(
    req: http.IncomingMessage,
    url: URL,
    body: Record<string, unknown> | null,
    token: string | null,
    res: http.ServerResponse,
  ): void {
    const method = req.method ?? 'GET';
    const prefix = `/repos/${this.options.owner}/${this.options.repo}`;
    const who = this.identity(token);
    if (url.pathname === '/user' && method === 'GET') {
      if (who.type === 'Bot') return json(res, 403, { message: 'Resource not accessible by integration' });
      return json(res, 200, { login: who.login, type: who.type, id: 1 });
    }
    if (url.pathname === '/graphql' && method === 'POST') {
      const query = String(body?.['query'] ?? '');
      if (/^\s*query\s*\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
        return json(res, 200, { data: { viewer: { login: who.viewerLogin ?? who.login } } });
      return json(res, 200, { errors: [{ message: `fake-github: unsupported GraphQL query ${query}` }] });
    }
    if (!url.pathname.startsWith(prefix)) return json(res, 404, { message: 'Not Found' });
    const p = url.pathname.slice(prefix.length);
    if (method !== 'GET' && this.options.readOnlyToken && token === this.options.readOnlyToken) {
      return json(res, 403, { message: 'Resource not accessible by integration' });
    }
    let m: RegExpExecArray | null;
    const now = new Date().toISOString();

    if ((m = /^\/pulls\/(\d+)$/.exec(p)) && method === 'GET') {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { number: pull.number, head: { sha: pull.headSha }, base: { sha: pull.baseSha } });
    }
    if ((m = /^\/pulls\/(\d+)\/files$/.exec(p)) && method === 'GET') {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return json(res, 404, { message: 'Not Found' });
      return this.paginate(req, url, pull.files, res);
    }
    if ((m = /^\/issues\/(\d+)\/events$/.exec(p)) && method === 'GET') {
      const issue = Number(m[1]);
      const events = this.labelEvents
        .filter((e) => e.issue === issue)
        .map((e, i) => ({
          id: i + 1,
          event: e.event,
          label: { name: e.label, color: 'ededed' },
          actor: { login: e.actor, type: 'User' },
          created_at: e.at,
        }));
      return this.paginate(req, url, events, res);
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(p))) {
      const issue = Number(m[1]);
      if (method === 'GET')
        return this.paginate(
          req,
          url,
          this.comments.filter((c) => c.issue === issue).map((c) => this.commentJson(c)),
          res,
        );
      if (method === 'POST') {
        const text = String(body?.['body'] ?? '');
        const existingIssue = this.issues.find((i) => i.number === issue);
        if (existingIssue) existingIssue.comments.push(text);
        const c: FakeComment = {
          id: this.id(),
          body: text,
          issue,
          user: { login: who.login, type: who.type },
          created_at: now,
          updated_at: now,
        };
        this.comments.push(c);
        return json(res, 201, this.commentJson(c));
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(p)) && method === 'PATCH') {
      const c = this.comments.find((x) => x.id === Number(m![1]));
      if (!c) return json(res, 404, { message: 'Not Found' });
      // An app token may edit only its own comments.
      if (who.type === 'Bot' && c.user.login !== who.login)
        return json(res, 403, { message: 'Resource not accessible by integration' });
      c.body = String(body?.['body'] ?? '');
      c.updated_at = now;
      return json(res, 200, this.commentJson(c));
    }
    if (p === '/issues') {
      if (method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        return this.paginate(
          req,
          url,
          this.issues.filter((i) => state === 'all' || i.state === state).map((i) => this.issueJson(i)),
          res,
        );
      }
      if (method === 'POST') {
        const issue: FakeIssue = {
          number: this.id(),
          title: String(body?.['title'] ?? ''),
          body: String(body?.['body'] ?? ''),
          state: 'open',
          comments: [],
        };
        this.issues.push(issue);
        return json(res, 201, this.issueJson(issue));
      }
    }
    if ((m = /^\/issues\/(\d+)$/.exec(p)) && method === 'PATCH') {
      const issue = this.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return json(res, 404, { message: 'Not Found' });
      if (typeof body?.['title'] === 'string') issue.title = body['title'];
      if (typeof body?.['body'] === 'string') issue.body = body['body'];
      if (body?.['state'] === 'closed' || body?.['state'] === 'open') issue.state = body['state'];
      return json(res, 200, this.issueJson(issue));
    }

    // Git Data
    if ((m = /^\/git\/ref\/(.+)$/.exec(p)) && method === 'GET') {
      const sha = this.refs.get(decodeURIComponent(m[1]!));
      if (!sha) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { ref: `refs/${m[1]}`, object: { sha, type: 'commit' } });
    }
    if ((m = /^\/git\/commits\/([0-9a-f]+)$/.exec(p)) && method === 'GET') {
      const c = this.commits.get(m[1]!);
      if (!c) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, {
        sha: m[1],
        tree: { sha: c.tree },
        parents: c.parents.map((s) => ({ sha: s })),
        message: c.message,
      });
    }
    if ((m = /^\/git\/trees\/([0-9a-f]+)$/.exec(p)) && method === 'GET') {
      const t = this.trees.get(m[1]!);
      if (!t) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, {
        sha: m[1],
        truncated: false,
        tree: [...t].map(([path, sha]) => ({ path, sha, type: 'blob', mode: '100644' })),
      });
    }
    if ((m = /^\/git\/blobs\/([0-9a-f]+)$/.exec(p)) && method === 'GET') {
      const b = this.blobs.get(m[1]!);
      if (!b) return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { sha: m[1], content: b.toString('base64'), encoding: 'base64', size: b.length });
    }
    if (p === '/git/trees' && method === 'POST') {
      const baseSha = body?.['base_tree'] as string | undefined;
      if (baseSha && !this.trees.has(baseSha)) return json(res, 422, { message: 'base_tree not found' });
      const tree = new Map(baseSha ? this.trees.get(baseSha) : []);
      for (const entry of (body?.['tree'] as { path: string; content?: string; sha?: string | null }[]) ?? []) {
        if (entry.sha === null) tree.delete(entry.path);
        else if (entry.content !== undefined) {
          const blob = sha1(`blob\0${entry.content}`);
          this.blobs.set(blob, Buffer.from(entry.content, 'utf8'));
          tree.set(entry.path, blob);
        } else if (entry.sha) tree.set(entry.path, entry.sha);
      }
      const sha = sha1(`tree\0${JSON.stringify([...tree].sort())}`);
      this.trees.set(sha, tree);
      return json(res, 201, { sha, tree: [...tree].map(([path, s]) => ({ path, sha: s, type: 'blob' })) });
    }
    if (p === '/git/commits' && method === 'POST') {
      const commit: GitCommit = {
        tree: String(body?.['tree']),
        parents: (body?.['parents'] as string[]) ?? [],
        message: String(body?.['message'] ?? ''),
      };
      if (!this.trees.has(commit.tree)) return json(res, 422, { message: 'tree not found' });
      const sha = sha1(`commit\0${JSON.stringify(commit)}\0${this.id()}`);
      this.commits.set(sha, commit);
      return json(res, 201, { sha, tree: { sha: commit.tree }, parents: commit.parents.map((s) => ({ sha: s })) });
    }
    if (p === '/git/refs' && method === 'POST') {
      const ref = String(body?.['ref'] ?? '').replace(/^refs\//, '');
      if (this.refs.has(ref)) return json(res, 422, { message: 'Reference already exists' });
      this.refs.set(ref, String(body?.['sha']));
      return json(res, 201, { ref: `refs/${ref}`, object: { sha: body?.['sha'] } });
    }
    if ((m = /^\/git\/refs\/(.+)$/.exec(p)) && method === 'PATCH') {
      const ref = decodeURIComponent(m[1]!);
      const current = this.refs.get(ref);
      if (!current) return json(res, 422, { message: 'Reference does not exist' });
      const sha = String(body?.['sha']);
      if (this.conflictsLeft > 0) {
        this.conflictsLeft--;
        return json(res, 422, { message: 'Update is not a fast forward' });
      }
      if (body?.['force'] !== true && !this.isAncestor(current, sha))
        return json(res, 422, { message: 'Update is not a fast forward' });
      this.refs.set(ref, sha);
      return json(res, 200, { ref: `refs/${ref}`, object: { sha } });
    }

    // Artifacts of a run (the public API @actions/artifact uses with findBy)
    if ((m = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(p)) && method === 'GET') {
      const runId = m[1];
      const name = url.searchParams.get('name');
      const list = this.artifacts.filter(
        (a) => a.finalized && a.runBackendId === `run-${runId}` && (!name || a.name === name),
      );
      return json(res, 200, {
        total_count: list.length,
        artifacts: list.map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.size,
          created_at: a.createdAt,
          expired: false,
        })),
      });
    }
    if ((m = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(p)) && method === 'GET') {
      const a = this.artifacts.find((x) => x.id === Number(m![1]));
      if (!a) return json(res, 404, { message: 'Not Found' });
      res.writeHead(302, { location: `${this.url}/blob/${a.blobKey}?sig=download` });
      res.end();
      return;
    }
    json(res, 404, { message: `fake-github: no route for ${method} ${url.pathname}` });
  }

  private isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // Twirp (Actions results service)

  private twirp(url: URL, body: Record<string, unknown>, res: http.ServerResponse): void {
    const [, , serviceName, method] = url.pathname.split('/');
    if (serviceName === 'github.actions.results.api.v1.CacheService') return this.cacheService(method!, body, res);
    if (serviceName !== 'github.actions.results.api.v1.ArtifactService')
      return json(res, 404, { code: 'bad_route', msg: `no service ${serviceName}` });
    const runId = String(body['workflow_run_backend_id'] ?? '');
    const jobId = String(body['workflow_job_run_backend_id'] ?? '');
    const toJson = (a: Artifact): unknown => ({
      workflow_run_backend_id: a.runBackendId,
      workflow_job_run_backend_id: a.jobBackendId,
      database_id: String(a.id),
      name: a.name,
      size: String(a.size),
      created_at: a.createdAt,
    });
    switch (method) {
      case 'CreateArtifact': {
        const name = String(body['name']);
        if (this.artifacts.some((a) => a.runBackendId === runId && a.name === name && a.finalized)) {
          return json(res, 409, {
            code: 'already_exists',
            msg: `an artifact named ${name} already exists in this run`,
          });
        }
        const id = this.id();
        const a: Artifact = {
          id,
          name,
          runBackendId: runId,
          jobBackendId: jobId,
          blobKey: `artifacts/${id}.zip`,
          size: 0,
          finalized: false,
          createdAt: new Date().toISOString(),
        };
        this.artifacts.push(a);
        return json(res, 200, { ok: true, signed_upload_url: `${this.url}/blob/${a.blobKey}?sig=upload` });
      }
      case 'FinalizeArtifact': {
        const a = this.artifacts.find((x) => x.runBackendId === runId && x.name === body['name'] && !x.finalized);
        if (!a) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
        a.finalized = true;
        a.size = this.storage.get(a.blobKey)?.length ?? 0;
        return json(res, 200, { ok: true, artifact_id: String(a.id) });
      }
      case 'ListArtifacts': {
        const nameFilter = body['name_filter'] as string | undefined;
        const idFilter = body['id_filter'] as string | undefined;
        const list = this.artifacts.filter(
          (a) =>
            a.finalized &&
            a.runBackendId === runId &&
            (!nameFilter || a.name === nameFilter) &&
            (!idFilter || String(a.id) === String(idFilter)),
        );
        return json(res, 200, { artifacts: list.map(toJson) });
      }
      case 'GetSignedArtifactURL': {
        const a = this.artifacts.find((x) => x.finalized && x.runBackendId === runId && x.name === body['name']);
        if (!a) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
        return json(res, 200, { signed_url: `${this.url}/blob/${a.blobKey}?sig=download` });
      }
      default:
        return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
    }
  }

  private cacheService(method: string, body: Record<string, unknown>, res: http.ServerResponse): void {
    if (this.options.cacheFailure === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (this.options.cacheFailure === 'status-500')
      return json(res, 500, { code: 'internal', msg: 'fake cache service failure' });
    const version = String(body['version'] ?? '');
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const keys = [String(body['key']), ...((body['restore_keys'] as string[]) ?? [])];
        for (const [i, key] of keys.entries()) {
          const done = [...this.caches.values()].filter(
            (c) => c.done && c.version === version && (i === 0 ? c.key === key : c.key.startsWith(key)),
          );
          const hit = done.at(-1);
          if (hit)
            return json(res, 200, {
              ok: true,
              signed_download_url: `${this.url}/blob/${hit.blobKey}?sig=download`,
              matched_key: hit.key,
            });
        }
        return json(res, 200, { ok: false });
      }
      case 'CreateCacheEntry': {
        const key = String(body['key']);
        if ([...this.caches.values()].some((c) => c.key === key && c.version === version))
          return json(res, 200, { ok: false, message: 'already exists' });
        const blobKey = `caches/${this.id()}.tzst`;
        this.caches.set(`${key}\0${version}`, { key, version, blobKey, done: false });
        return json(res, 200, { ok: true, signed_upload_url: `${this.url}/blob/${blobKey}?sig=upload` });
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = this.caches.get(`${String(body['key'])}\0${version}`);
        if (!entry) return json(res, 200, { ok: false, message: 'no such entry' });
        entry.done = true;
        return json(res, 200, { ok: true, entry_id: String(this.id()) });
      }
      default:
        return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Blob storage (the subset of Azure Blob the SDK's uploads and plain downloads use)

  private blob(req: http.IncomingMessage, url: URL, raw: Buffer, res: http.ServerResponse): void {
    const key = decodeURIComponent(url.pathname.slice('/blob/'.length));
    const comp = url.searchParams.get('comp');
    const azureHeaders = {
      'x-ms-request-id': String(this.id()),
      'x-ms-version': '2024-11-04',
      etag: `"${this.id()}"`,
      'last-modified': new Date().toUTCString(),
    };
    if (req.method === 'PUT') {
      if (comp === 'block') {
        const blockId = url.searchParams.get('blockid') ?? '';
        if (!this.blocks.has(key)) this.blocks.set(key, new Map());
        this.blocks.get(key)!.set(blockId, raw);
        res.writeHead(201, { ...azureHeaders, 'content-length': 0 });
        res.end();
        return;
      }
      if (comp === 'blocklist') {
        const ids = [
          ...raw
            .toString('utf8')
            .matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\/(?:Latest|Uncommitted|Committed)>/g),
        ].map((x) => x[1]!);
        const staged = this.blocks.get(key) ?? new Map<string, Buffer>();
        this.storage.set(key, Buffer.concat(ids.map((id) => staged.get(id) ?? Buffer.alloc(0))));
        this.blocks.delete(key);
        res.writeHead(201, { ...azureHeaders, 'content-length': 0 });
        res.end();
        return;
      }
      this.storage.set(key, raw);
      res.writeHead(201, { ...azureHeaders, 'content-length': 0 });
      res.end();
      return;
    }
    const data = this.storage.get(key);
    if (!data) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    const type = key.endsWith('.zip') ? 'application/zip' : 'application/octet-stream';
    const range = /bytes=(\d+)-(\d*)/.exec(String(req.headers['x-ms-range'] ?? req.headers['range'] ?? ''));
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
      const part = data.subarray(start, end + 1);
      res.writeHead(206, {
        ...azureHeaders,
        'content-type': type,
        'content-length': part.length,
        'content-range': `bytes ${start}-${end}/${data.length}`,
      });
      res.end(req.method === 'HEAD' ? undefined : part);
      return;
    }
    res.writeHead(200, {
      ...azureHeaders,
      'content-type': type,
      'content-length': data.length,
      'x-ms-blob-type': 'BlockBlob',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }
}
