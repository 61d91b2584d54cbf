// Tracks over real HTTP: the sample tracks, step pages and their ETags, the
// files of a track under /t/, and an operator adding, changing, breaking and
// removing a track from git while groundsd runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { addCohorts, startDaemon, people, register, runCli, tempDir, openSocket, ok, refused } from '../lib/daemon.mjs';

const CONFIG = 'track_check_seconds = 1\nmax_file_mib = 1\n';
const HEX40 = /^[0-9a-f]{40}$/;

let daemon;
let admin;
let work;
let configPath;

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// Makes a git repository (with a work tree) in dir holding files {path: text}.
async function makeRepo(dir, files) {
  await mkdir(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  await commitFiles(dir, files, 'first');
}

async function commitFiles(dir, files, message) {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

// Polls fn until it resolves something truthy; fails after timeoutMs.
async function until(fn, what, timeoutMs = 10000) {
  const started = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - started > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A GET whose path is sent byte for byte, without the URL parser folding
// "..", "%2e%2e" and the like away first.
function rawGet(path, cookie) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { Cookie: cookie } : {};
    const req = httpRequest({ host: '127.0.0.1', port: daemon.port, path, method: 'GET', headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try { json = JSON.parse(text); } catch { json = null; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const DEMO_TRACK = `---
language: en
---

# Demo track

A track made for the tests.

## Basics

- [Hello](steps/hello.md)
- [Second](steps/second.md)
`;

const HELLO = `---
id: hello
kind: lesson
estimate: 10m
---

# Hello

The first version of this step says apple.

Next comes [the second step](second.md).

![A dot](../images/dot.svg)
`;

const DOT = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>dot</title><circle cx="5" cy="5" r="4"/></svg>\n';

const SECOND = `---
id: second
kind: exercise
---

# Second

Just a second step.
`;

let demoRepo;
let demoCommit;
let demoEtag;

before(async () => {
  work = await tempDir('grounds-tracks-');
  daemon = await startDaemon({ config: CONFIG });
  configPath = join(daemon.dataDir, '..', `${daemon.dataDir.split('/').pop()}.conf`);
  ({ admin1: admin } = await people(daemon, {}));
  demoRepo = join(work, 'demo');
  await makeRepo(demoRepo, { 'track.md': DEMO_TRACK, 'steps/hello.md': HELLO, 'steps/second.md': SECOND, 'images/dot.svg': DOT });
});

after(async () => {
  assert.equal(await daemon.stop(), 0, daemon.stderr);
  await rm(configPath, { force: true });
  await rm(work, { recursive: true, force: true });
});

test('without a session the tracks, their steps and their files are refused with 401', async () => {
  const anonymous = daemon.client();
  const list = await admin.get('/api/tracks');
  const commit = list.json.find((t) => t.id === 'web-basics').commit;
  for (const path of ['/api/tracks', '/api/tracks/web-basics', '/api/tracks/web-basics/steps/project',
    '/api/tracks/web-basics/steps/X', `/t/web-basics/${commit}/images/page-anatomy.svg`]) {
    const response = await anonymous.get(path);
    assert.equal(response.status, 401, path);
    assert.equal(response.json.error.code, 'unauthenticated', path);
    assert.ok(!response.text.includes('page-anatomy') && !response.text.includes('<svg'), path);
  }
  // A made-up cookie is no session either.
  const forged = await daemon.client().get('/api/tracks', { headers: { Cookie: 'grounds_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
  assert.equal(forged.status, 401);
});

test('the sample tracks are listed with id, title, summary, commit and step count', async () => {
  const response = await admin.get('/api/tracks');
  assert.equal(response.status, 200);
  const ids = response.json.map((t) => t.id).sort();
  assert.deepEqual(ids, ['command-line-basics', 'learning-to-learn', 'soft-skills', 'soft-skills-nl', 'web-basics']);
  for (const track of response.json) {
    assert.equal(typeof track.title, 'string');
    assert.ok(track.title.length > 0, track.id);
    assert.equal(typeof track.summary, 'string');
    assert.ok(track.summary.length > 20, track.id);
    assert.match(track.commit, HEX40, track.id);
    assert.ok(Number.isInteger(track.steps) && track.steps > 0, track.id);
  }
  const web = response.json.find((t) => t.id === 'web-basics');
  assert.equal(web.title, 'Web basics: HTML and CSS');
  assert.match(web.summary, /^Build your own web page from nothing\./);
  assert.equal(web.steps, 7);
});

test('a sample track has modules of steps, and step pages with html, rubric, prev/next and an ETag', async () => {
  const response = await admin.get('/api/tracks/web-basics');
  assert.equal(response.status, 200);
  const track = response.json;
  assert.equal(track.id, 'web-basics');
  assert.equal(track.language, 'en');
  assert.deepEqual(track.requires, ['learning-to-learn']);
  assert.match(track.commit, HEX40);
  assert.deepEqual(track.modules.map((m) => m.title), ['What a web page is', 'Content', 'Style', 'Project']);
  const steps = track.modules.flatMap((m) => m.steps);
  assert.deepEqual(steps.map((s) => s.id), ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists',
    'colours-and-fonts', 'layout', 'project']);
  for (const step of steps) {
    assert.equal(typeof step.title, 'string');
    assert.ok(step.title.length > 0);
    assert.ok(['lesson', 'exercise', 'project'].includes(step.kind), step.id);
    assert.ok(Number.isInteger(step.reviews), step.id);
    assert.ok(Array.isArray(step.requires), step.id);
    assert.ok(step.estimate === null || (Number.isInteger(step.estimate) && step.estimate > 0), step.id);
  }
  const project = steps.find((s) => s.id === 'project');
  assert.equal(project.kind, 'project');
  assert.equal(project.reviews, 2);
  assert.equal(project.estimate, 180);
  assert.deepEqual(project.requires, ['first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout']);
  assert.equal(steps.find((s) => s.id === 'what-is-a-web-page').kind, 'lesson');
  assert.equal(steps.find((s) => s.id === 'what-is-a-web-page').reviews, 0);

  const page = await admin.get('/api/tracks/web-basics/steps/project');
  assert.equal(page.status, 200);
  assert.equal(page.json.id, 'project');
  assert.equal(page.json.kind, 'project');
  assert.equal(page.json.reviews, 2);
  assert.equal(page.json.module, 'Project');
  assert.equal(page.json.commit, track.commit);
  assert.match(page.json.html, /<h1>Project: a page about something you love<\/h1>/);
  assert.ok(Array.isArray(page.json.rubric) && page.json.rubric.length > 0);
  for (const item of page.json.rubric) assert.ok(typeof item === 'string' && item.trim().length > 0);
  assert.equal(page.json.prev, 'layout');
  assert.equal(page.json.next, null);
  assert.equal(page.json.error, undefined);

  // prev/next follow the outline's order across module boundaries.
  for (let i = 0; i < steps.length; i++) {
    const stepPage = await admin.get(`/api/tracks/web-basics/steps/${steps[i].id}`);
    assert.equal(stepPage.status, 200, steps[i].id);
    assert.equal(stepPage.json.prev, i > 0 ? steps[i - 1].id : null, steps[i].id);
    assert.equal(stepPage.json.next, i + 1 < steps.length ? steps[i + 1].id : null, steps[i].id);
    assert.equal(stepPage.json.title, steps[i].title);
    assert.equal(stepPage.json.commit, track.commit);
  }
  const lesson = await admin.get('/api/tracks/web-basics/steps/what-is-a-web-page');
  assert.deepEqual(lesson.json.rubric, []);

  const etag = page.headers.etag;
  assert.ok(etag && etag.length > 2, 'the step page has an ETag');
  const cached = await admin.get('/api/tracks/web-basics/steps/project', { headers: { 'If-None-Match': etag } });
  assert.equal(cached.status, 304);
  assert.equal(cached.body.length, 0);
  const otherStep = await admin.get('/api/tracks/web-basics/steps/layout', { headers: { 'If-None-Match': etag } });
  assert.equal(otherStep.status, 200, 'one step\'s ETag does not match another step');
  assert.notEqual(otherStep.headers.etag, etag);
  const stale = await admin.get('/api/tracks/web-basics/steps/project', { headers: { 'If-None-Match': '"nope"' } });
  assert.equal(stale.status, 200);
  assert.equal(stale.json.id, 'project');

  for (const path of ['/api/tracks/no-such-track', '/api/tracks/no-such-track/steps/project',
    '/api/tracks/web-basics/steps/no-such-step', '/api/tracks/web-basics/steps/']) {
    const missing = await admin.get(path);
    assert.equal(missing.status, 404, path);
    assert.equal(missing.json.error.code, 'not_found', path);
  }
});

test('the SVG image of a sample step is served from its commit, cached for good and unable to run scripts', async () => {
  const { commit } = (await admin.get('/api/tracks/web-basics')).json;
  const page = await admin.get('/api/tracks/web-basics/steps/what-is-a-web-page');
  const src = `/t/web-basics/${commit}/images/page-anatomy.svg`;
  assert.ok(page.json.html.includes(`<img src="${src}"`), page.json.html);

  const image = await admin.get(src);
  assert.equal(image.status, 200);
  assert.equal(image.headers['content-type'], 'image/svg+xml');
  assert.match(image.text, /<svg[\s>]/);
  assert.equal(image.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(image.headers['x-content-type-options'], 'nosniff');
  const policy = image.headers['content-security-policy'];
  assert.ok(policy, 'a Content-Security-Policy is sent');
  const directives = policy.split(';').map((d) => d.trim());
  assert.ok(directives.includes("default-src 'none'"), policy);
  assert.ok(directives.includes('sandbox'), policy);
  assert.ok(!/script-src/.test(policy), `no directive allows scripts: ${policy}`);

  const cookie = admin.cookie;
  for (const path of [
    `/t/web-basics/${commit}/../../etc/passwd`,
    `/t/web-basics/${commit}/%2e%2e/x`,
    `/t/web-basics/${commit}/%2e%2e/%2e%2e/etc/passwd`,
    `/t/web-basics/${commit}//etc/passwd`,
    `/t/web-basics/${commit}/images/no-such.svg`,
    `/t/web-basics/${'0'.repeat(40)}/images/page-anatomy.svg`,
    `/t/web-basics/${commit.slice(0, 12)}/images/page-anatomy.svg`,
    `/t/no-such-track/${commit}/images/page-anatomy.svg`,
  ]) {
    const refused = await rawGet(path, cookie);
    assert.equal(refused.status, 404, path);
    assert.ok(!refused.text.includes('root:'), path);
    assert.ok(!refused.text.includes('<svg'), path);
  }
  // The HTTP layer folds "." and ".." inside the path; they at most reach
  // another file of the same track at the same commit.
  for (const path of [`/t/web-basics/${commit}/images/../track.md`, `/t/web-basics/${commit}/./track.md`]) {
    const inside = await rawGet(path, cookie);
    assert.ok(inside.status === 404 || inside.text.startsWith('---\nlanguage: en\n'), `${path}: ${inside.status} ${inside.text.slice(0, 80)}`);
  }
  // The same commit is served for the files of the track beside it, but not
  // for another track's id.
  const other = (await admin.get('/api/tracks')).json.find((t) => t.id === 'learning-to-learn');
  const crossed = await rawGet(`/t/learning-to-learn/${commit}/images/page-anatomy.svg`, cookie);
  assert.equal(crossed.status, 404, `a web-basics commit under another track (${other.commit})`);
});

test('a track the operator adds with grounds track add is served within seconds and listed by grounds track list', async () => {
  demoCommit = git(demoRepo, 'rev-parse', 'HEAD');
  const added = await runCli(['--data-dir', daemon.dataDir, 'track', 'add', 'demo', demoRepo]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added track demo: Demo track, 2 steps at commit [0-9a-f]{12}/);
  assert.ok(added.stdout.includes(demoCommit.slice(0, 12)));

  const listed = await until(async () => {
    const response = await admin.get('/api/tracks');
    return response.json.find((t) => t.id === 'demo');
  }, 'demo in /api/tracks');
  assert.deepEqual(listed, { id: 'demo', title: 'Demo track', summary: 'A track made for the tests.', commit: demoCommit, steps: 2 });

  const track = await admin.get('/api/tracks/demo');
  assert.equal(track.status, 200);
  assert.deepEqual(track.json.modules, [{ title: 'Basics', steps: [
    { id: 'hello', title: 'Hello', kind: 'lesson', reviews: 0, requires: [], estimate: 10 },
    { id: 'second', title: 'Second', kind: 'exercise', reviews: 0, requires: [], estimate: null },
  ] }]);
  const hello = await admin.get('/api/tracks/demo/steps/hello');
  assert.match(hello.json.html, /says apple/);
  assert.ok(hello.json.html.includes('href="/tracks/demo/steps/second"'), hello.json.html);
  assert.ok(hello.json.html.includes(`src="/t/demo/${demoCommit}/images/dot.svg"`), hello.json.html);
  const dot = await admin.get(`/t/demo/${demoCommit}/images/dot.svg`);
  assert.equal(dot.status, 200);
  assert.equal(dot.text, DOT);

  const list = await runCli(['--data-dir', daemon.dataDir, 'track', 'list']);
  assert.equal(list.code, 0, list.stderr);
  const line = list.stdout.split('\n').find((l) => l.startsWith('demo '));
  assert.ok(line, list.stdout);
  assert.match(line, new RegExp(`^demo\\s+${demoCommit.slice(0, 12)}\\s+2\\s+Demo track$`));
  assert.match(list.stdout, /^web-basics\s+[0-9a-f]{12}\s+7\s+Web basics: HTML and CSS$/m);
});

test('a new commit to a served track is served without a restart and changes the step ETag', async () => {
  const before = await admin.get('/api/tracks/demo/steps/hello');
  assert.equal(before.status, 200);
  demoEtag = before.headers.etag;
  assert.ok(demoEtag);
  assert.equal((await admin.get('/api/tracks/demo/steps/hello', { headers: { 'If-None-Match': demoEtag } })).status, 304);

  const newCommit = await commitFiles(demoRepo, { 'steps/hello.md': HELLO.replace('says apple', 'says banana') }, 'banana');
  assert.notEqual(newCommit, demoCommit);
  const after = await until(async () => {
    const page = await admin.get('/api/tracks/demo/steps/hello');
    return page.json.html.includes('says banana') && page;
  }, 'the new text of the step');
  assert.ok(!after.json.html.includes('says apple'));
  assert.equal(after.json.commit, newCommit);
  assert.equal((await admin.get('/api/tracks')).json.find((t) => t.id === 'demo').commit, newCommit);
  assert.equal((await admin.get('/api/tracks/demo')).json.commit, newCommit);

  const old = await admin.get('/api/tracks/demo/steps/hello', { headers: { 'If-None-Match': demoEtag } });
  assert.equal(old.status, 200, 'the old ETag no longer matches');
  assert.match(old.json.html, /says banana/);
  assert.notEqual(old.headers.etag, demoEtag);
  demoEtag = old.headers.etag;

  // The new page's image names the new commit; the old commit's file stays
  // available for pages still open at it.
  assert.ok(after.json.html.includes(`src="/t/demo/${newCommit}/images/dot.svg"`), after.json.html);
  assert.equal((await admin.get(`/t/demo/${newCommit}/images/dot.svg`)).status, 200);
  const oldFile = await admin.get(`/t/demo/${demoCommit}/images/dot.svg`);
  assert.equal(oldFile.status, 200);
  assert.equal(oldFile.text, DOT);
  demoCommit = newCommit;
});

// The track reload errors counted on /metrics.
async function reloadErrors() {
  const text = (await daemon.client().get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith('grounds_track_reload_errors_total '));
  assert.ok(line, 'the metric is there');
  return Number(line.split(' ')[1]);
}

test('a commit with an unreadable track.md is skipped: the last good commit stays served and the log says why', async () => {
  const stderrBefore = daemon.stderr.length;
  const errorsBefore = await reloadErrors();
  const broken = await commitFiles(demoRepo, {
    'track.md': '---\nrequires: [unclosed\n---\n\n# Demo track\n\n- [Hello](steps/hello.md)\n',
    'steps/hello.md': HELLO.replace('says apple', 'says cherry'),
  }, 'broken front matter');
  const log = await until(() => {
    const text = daemon.stderr.slice(stderrBefore);
    return /track demo: .*still serving/.test(text) && text;
  }, 'the daemon to log the broken commit');
  const line = log.split('\n').find((l) => /track demo: .*still serving/.test(l));
  assert.ok(line.includes(`still serving ${demoCommit.slice(0, 12)}`), line);
  assert.match(line, /front matter is not valid YAML/, `the log line says what is wrong: ${line}`);
  assert.ok(!line.includes(`serving ${broken.slice(0, 12)}`), line);
  await sleep(2500); // more than two check intervals

  const page = await admin.get('/api/tracks/demo/steps/hello', { headers: { 'If-None-Match': demoEtag } });
  assert.equal(page.status, 304, 'still the same commit, so still the same ETag');
  const fresh = await admin.get('/api/tracks/demo/steps/hello');
  assert.equal(fresh.json.commit, demoCommit);
  assert.match(fresh.json.html, /says banana/);
  assert.ok(!fresh.json.html.includes('cherry'));
  const listed = (await admin.get('/api/tracks')).json.find((t) => t.id === 'demo');
  assert.equal(listed.commit, demoCommit);
  assert.equal(listed.title, 'Demo track');
  // Logged once for that commit, not again at every check.
  const times = daemon.stderr.slice(stderrBefore).split('\n').filter((l) => /track demo: .*still serving/.test(l)).length;
  assert.equal(times, 1, daemon.stderr.slice(stderrBefore));
  assert.equal(await reloadErrors(), errorsBefore + 1, 'one reload error counted for the broken commit');

  // A track.md without a "# Title" cannot be served either.
  const stderrMid = daemon.stderr.length;
  await commitFiles(demoRepo, { 'track.md': 'Just some words.\n\n- [Hello](steps/hello.md)\n' }, 'no title');
  const second = await until(() => {
    const text = daemon.stderr.slice(stderrMid);
    return /track demo: .*still serving/.test(text) && text;
  }, 'the daemon to log the untitled track.md');
  assert.match(second, /title/i);
  assert.ok(second.includes(`still serving ${demoCommit.slice(0, 12)}`), second);
  await sleep(2500);
  assert.equal((await admin.get('/api/tracks/demo/steps/hello')).json.commit, demoCommit);

  // A good commit after the broken ones is served again.
  const fixed = await commitFiles(demoRepo, { 'track.md': DEMO_TRACK }, 'fixed');
  const served = await until(async () => {
    const response = await admin.get('/api/tracks/demo/steps/hello');
    return response.json.commit === fixed && response;
  }, 'the fixed commit');
  assert.match(served.json.html, /says cherry/);
  demoCommit = fixed;
});

test('a hostile step is rendered without scripts, event handlers, javascript: links or frames', async () => {
  const repo = join(work, 'hostile');
  await makeRepo(repo, {
    'track.md': '# Hostile\n\n- [Evil](evil.md)\n',
    'evil.md': [
      '# Evil', '',
      '<script>alert(1)</script>', '',
      'Inline <script>alert(2)</script> script.', '',
      '<img src=x onerror=alert(1)>', '',
      '[click](javascript:alert(1))', '',
      '[upper](JAVASCRIPT:alert(1)) and [spaced]( javascript:alert(1))', '',
      '![pic](javascript:alert(1))', '',
      '<iframe src="https://example.org"></iframe>', '',
      '<a href="javascript:alert(1)">raw</a>', '',
      'Still **here** at the end.', '',
    ].join('\n'),
  });
  const added = await runCli(['--data-dir', daemon.dataDir, 'track', 'add', 'hostile', repo]);
  assert.equal(added.code, 0, added.stderr);
  const page = await until(async () => {
    const response = await admin.get('/api/tracks/hostile/steps/evil');
    return response.status === 200 && response;
  }, 'the hostile track');
  const html = page.json.html.toLowerCase();
  assert.match(html, /<h1>evil<\/h1>/);
  assert.match(html, /still <strong>here<\/strong> at the end/);
  for (const bad of ['<script', 'onerror', 'javascript:', '<iframe', 'alert(1)</']) {
    assert.ok(!html.includes(bad), `${bad} in ${page.json.html}`);
  }
  assert.ok(html.includes('click'), 'the link text stays');
});

test('grounds track check reports links leaving the track, symlinks and files over the cap as file:line lines', async () => {
  const repo = join(work, 'leaky');
  await mkdir(repo, { recursive: true });
  await makeRepo(repo, {
    'track.md': '# Leaky\n\n- [One](steps/one.md)\n',
    'steps/one.md': '# One\n\nSee [the other track](../../other/step.md).\n\nAnd [root](/etc/passwd).\n',
  });
  await symlink('/etc/passwd', join(repo, 'steps', 'passwd.md'));
  await commitFiles(repo, {}, 'symlink');
  const check = await runCli(['--data-dir', daemon.dataDir, 'track', 'check', repo]);
  assert.equal(check.code, 1, check.stdout + check.stderr);
  const lines = check.stdout.trim().split('\n');
  for (const line of lines) assert.match(line, /^[^:\s]+:\d+: .+/, line);
  assert.ok(lines.some((l) => /^steps\/one\.md:3: .*'\.\.\/\.\.\/other\/step\.md'.*leads outside the track/.test(l)), check.stdout);
  assert.ok(lines.some((l) => /^steps\/one\.md:5: .*'\/etc\/passwd'.*absolute/.test(l)), check.stdout);
  assert.ok(lines.some((l) => /^steps\/passwd\.md:1: symbolic links are not followed/.test(l)), check.stdout);

  // A clean track passes.
  const clean = await runCli(['--data-dir', daemon.dataDir, 'track', 'check', demoRepo]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.equal(clean.stdout, '');
  assert.match(clean.stderr, /Demo track: 2 steps in 1 modules, no problems/);

  // A 2 MiB step over a 1 MiB cap.
  const bigRepo = join(work, 'big');
  await makeRepo(bigRepo, {
    'track.md': '# Big\n\n- [Small](small.md)\n- [Huge](huge.md)\n',
    'huge.md': `# Huge\n\n${'word '.repeat(2 * 1024 * 1024 / 5 + 10)}\n`,
    'small.md': '# Small\n\nFine. [Data](data.txt)\n',
    'data.txt': 'x'.repeat(2 * 1024 * 1024),
  });
  const bigCheck = await runCli(['--config', configPath, '--data-dir', daemon.dataDir, 'track', 'check', bigRepo]);
  assert.equal(bigCheck.code, 1, bigCheck.stdout + bigCheck.stderr);
  assert.match(bigCheck.stdout, /^huge\.md:1: file is \d+ bytes, over the limit of 1048576$/m);
  // Under the default cap of 10 MiB the same track is fine.
  const roomy = await runCli(['--data-dir', daemon.dataDir, 'track', 'check', bigRepo]);
  assert.equal(roomy.code, 0, roomy.stdout + roomy.stderr);

  // Served, the huge step is an error step that says why; the small one works.
  const added = await runCli(['--config', configPath, '--data-dir', daemon.dataDir, 'track', 'add', 'big', bigRepo]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stderr, /huge\.md:1: file is \d+ bytes, over the limit/);
  assert.match(added.stdout, /Added track big: Big, 2 steps .*with the problems above/);
  const huge = await until(async () => {
    const response = await admin.get('/api/tracks/big/steps/huge');
    return response.status === 200 && response;
  }, 'the big track');
  assert.match(huge.json.error, /over the limit of 1048576/);
  assert.match(huge.json.html, /^<p class="step-error">This step cannot be shown: /);
  assert.ok(huge.text.length < 10000, 'the huge text is not sent');
  const small = await admin.get('/api/tracks/big/steps/small');
  assert.equal(small.json.error, undefined);
  assert.match(small.json.html, /Fine\./);
  // A linked file over the cap is refused when asked for.
  const bigCommit = git(bigRepo, 'rev-parse', 'HEAD');
  assert.ok(small.json.html.includes(`href="/t/big/${bigCommit}/data.txt"`), small.json.html);
  const data = await admin.get(`/t/big/${bigCommit}/data.txt`);
  assert.equal(data.status, 413);
  assert.equal(data.json.error.code, 'too_large');
});

// Opens a socket for client and says hello; resolves the socket and the
// progress rows of the snapshot.
async function helloSocket(client) {
  const socket = await openSocket(daemon, client);
  const hello = await ok(socket, 'hello', {});
  assert.equal(hello.sync, 'snapshot');
  const snapshot = await socket.next((m) => m.type === 'snapshot');
  return { socket, progress: snapshot.progress };
}

test('open pages of a track hear "track.updated", and a step taken out keeps its progress, shown as retired', async () => {
  await addCohorts(admin, 'retire');
  const invite = async (role) => (await admin.post('/api/invites', { role, cohort: 'retire' })).json.code;
  const learner = await register(daemon, await invite('learner'), 'rita');
  const coach = await register(daemon, await invite('coach'), 'cora');
  const tab = await helloSocket(learner);
  await ok(tab.socket, 'progress.set', { track: 'demo', step: 'second', state: 'started' });
  await ok(tab.socket, 'progress.set', { track: 'demo', step: 'second', state: 'done' });

  // Anyone signed in may follow a served track; an unknown one is not_found.
  const followed = await ok(tab.socket, 'subscribe', { topic: 'track:demo' });
  assert.equal(followed.topic, 'track:demo');
  await refused(tab.socket, 'subscribe', { topic: 'track:no-such-track' }, 'not_found');
  const board = await helloSocket(coach);
  await ok(board.socket, 'subscribe', { topic: 'track:demo' });

  // The second step is taken out of the track.
  const without = await commitFiles(demoRepo, { 'track.md': DEMO_TRACK.replace('- [Second](steps/second.md)\n', '') }, 'without second');
  for (const socket of [tab.socket, board.socket]) {
    const event = await socket.next((m) => m.type === 'event' && m.event === 'track.updated', 15000);
    assert.deepEqual({ topic: event.topic, track: event.track, commit: event.commit },
      { topic: 'track:demo', track: 'demo', commit: without });
  }
  const outline = (await learner.get('/api/tracks/demo')).json;
  assert.equal(outline.commit, without);
  assert.deepEqual(outline.modules.flatMap((m) => m.steps.map((step) => step.id)), ['hello']);

  // The learner's progress on it is kept: in a new tab's snapshot, and on the board.
  const again = await helloSocket(learner);
  const kept = again.progress.find((row) => row.track === 'demo' && row.step === 'second');
  assert.equal(kept && kept.state, 'done', JSON.stringify(again.progress));
  const state = await ok(board.socket, 'board.get', { cohort: 'retire', track: 'demo' });
  assert.deepEqual(state.steps.map((step) => step.id), ['hello']);
  const row = state.learners.find((l) => l.handle === 'rita');
  assert.equal(row.progress.second.state, 'done', JSON.stringify(row));

  // An unsubscribed tab hears nothing of the next commit.
  await ok(board.socket, 'unsubscribe', { topic: 'track:demo' });
  demoCommit = await commitFiles(demoRepo, { 'track.md': DEMO_TRACK }, 'second is back');
  const back = await tab.socket.next((m) => m.type === 'event' && m.event === 'track.updated', 15000);
  assert.equal(back.commit, demoCommit);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(!board.socket.inbox.some((m) => m.event === 'track.updated'), JSON.stringify(board.socket.inbox));
  for (const socket of [tab.socket, board.socket, again.socket]) socket.close();
});

test('grounds track remove stops serving a track within seconds', async () => {
  const learner = await register(daemon, (await admin.post('/api/invites', { role: 'learner' })).json.code, 'remy');
  const socket = await openSocket(daemon, learner);
  await ok(socket, 'hello', {});
  await ok(socket, 'subscribe', { topic: 'track:demo' });
  const removed = await runCli(['--data-dir', daemon.dataDir, 'track', 'remove', 'demo']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /Removed track demo/);
  await until(async () => (await admin.get('/api/tracks/demo')).status === 404, 'demo to be gone');
  const gone = await admin.get('/api/tracks/demo');
  assert.equal(gone.json.error.code, 'not_found');
  assert.equal((await admin.get('/api/tracks/demo/steps/hello')).status, 404);
  const list = await admin.get('/api/tracks');
  assert.ok(!list.json.some((t) => t.id === 'demo'));
  assert.ok(list.json.some((t) => t.id === 'web-basics'), 'other tracks stay');
  const cli = await runCli(['--data-dir', daemon.dataDir, 'track', 'list']);
  assert.ok(!/^demo\s/m.test(cli.stdout), cli.stdout);
  assert.match(daemon.stderr, /track demo: removed/);
  // A page of it that is open hears that it is gone.
  const event = await socket.next((m) => m.type === 'event' && m.event === 'track.updated');
  assert.equal(event.track, 'demo');
  assert.equal(event.commit, null);
  socket.close();
});
