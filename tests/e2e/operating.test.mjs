// What an operator does with a running centre: back up while people work and
// restore exactly what was acknowledged, check a data directory, refuse a
// restore under a running daemon, read /metrics (and be refused from
// elsewhere), /healthz, reload settings with SIGHUP, and the operator's tool
// finding its config (GROUNDS_CONFIG, or the one under its installation's
// SYSCONFDIR) and refusing a data directory that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, rm, access, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { addCohorts, startDaemon, runCli, tempDir, openSocket, register, ok, GROUNDS_CLI } from '../lib/daemon.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The number after a metric's name in the text format.
function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is in the metrics`);
  return Number(line.slice(name.length + 1));
}

test('a backup taken during a burst of writes restores every write acknowledged before it began', async () => {
  const daemon = await startDaemon();
  const scratch = await tempDir();
  try {
    const admin = await register(daemon, daemon.firstInvite, 'keeper');
    await addCohorts(admin, 'autumn');
    const acknowledged = []; // {code, at}: at is when the reply arrived
    let writing = true;
    const writer = async () => {
      while (writing) {
        const invite = await admin.post('/api/invites', { role: 'learner', cohort: 'autumn' });
        assert.equal(invite.status, 201, invite.text);
        acknowledged.push({ code: invite.json.code, at: performance.now() });
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    await sleep(400);
    const file = join(scratch, 'burst.db');
    const began = performance.now();
    const backup = await runCli(['--data-dir', daemon.dataDir, 'backup', file]);
    const ended = performance.now();
    await sleep(200);
    writing = false;
    await Promise.all(writers);
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(backup.stdout.trim(), file);
    const before = acknowledged.filter((w) => w.at < began);
    const during = acknowledged.filter((w) => w.at >= began && w.at <= ended);
    assert.ok(before.length >= 10, `${before.length} writes before the backup`);
    const after = acknowledged.filter((w) => w.at > ended);
    assert.ok(after.length > 0, 'the daemon kept writing after the backup');

    // Restoring is refused while groundsd runs, and changes nothing.
    const refused = await runCli(['--data-dir', daemon.dataDir, 'restore', file]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /groundsd is running on .*stop it first/);

    assert.equal(await daemon.stop({ keep: true }), 0);
    const restored = await runCli(['--data-dir', daemon.dataDir, 'restore', file]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /Restored .*burst\.db/);
    await access(join(daemon.dataDir, 'grounds.db.before-restore'));

    const check = await runCli(['--data-dir', daemon.dataDir, 'check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stderr, /no problems/);

    const again = await startDaemon({ dataDir: daemon.dataDir });
    try {
      for (const write of before) {
        const info = await again.client().get(`/api/invites/${write.code}`);
        assert.equal(info.status, 200, `invite acknowledged before the backup: ${info.text}`);
      }
      // What came after the backup is not in it; what came during it may be.
      const missing = [];
      for (const write of after) {
        if ((await again.client().get(`/api/invites/${write.code}`)).status !== 200) missing.push(write);
      }
      assert.equal(missing.length, after.length, 'writes acknowledged after the backup ended are not in it');
      const list = await runCli(['--data-dir', again.dataDir, 'invite', 'list']);
      const rows = list.stdout.trim().split('\n').length - 1; // the header
      assert.ok(rows >= before.length + 1 && rows <= before.length + during.length + 1 + 1,
        `${rows} invites: ${before.length} before, ${during.length} during, and the first one`);
    } finally {
      await again.stop();
    }
  } finally {
    await rm(daemon.dataDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
});

test('restore and check refuse what is not a whole grounds database, and say so', async () => {
  const daemon = await startDaemon();
  const scratch = await tempDir();
  try {
    await register(daemon, daemon.firstInvite, 'keeper');
    const good = join(scratch, 'good.db');
    assert.equal((await runCli(['--data-dir', daemon.dataDir, 'backup', good])).code, 0);
    const twice = await runCli(['--data-dir', daemon.dataDir, 'backup', good]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already exists/);
    const checked = await runCli(['--data-dir', daemon.dataDir, 'check', good]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);

    const garbage = join(scratch, 'garbage.db');
    await writeFile(garbage, 'not a database, not even close to one, but long enough to try');
    const bad = await runCli(['--data-dir', daemon.dataDir, 'check', garbage]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /not a grounds database/);

    assert.equal(await daemon.stop({ keep: true }), 0);
    const refused = await runCli(['--data-dir', daemon.dataDir, 'restore', garbage]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /nothing changed: .*not a grounds database/);
    const list = await runCli(['--data-dir', daemon.dataDir, 'user', 'list']);
    assert.match(list.stdout, /keeper/, 'the database is untouched');

    // Nightly backups into a folder keep the newest N.
    const nightly = join(scratch, 'nightly');
    for (let i = 0; i < 3; i++) {
      const made = await runCli(['--data-dir', daemon.dataDir, 'backup', '--into', nightly, '--keep', '2']);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /nightly\/grounds-\d{8}-\d{6}\.db/);
      await sleep(1100); // names are by the second
    }
    const { readdir } = await import('node:fs/promises');
    assert.equal((await readdir(nightly)).filter((n) => n.endsWith('.db')).length, 2);
  } finally {
    await rm(daemon.dataDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
});

test('/metrics counts real actions, /healthz gives the version', async () => {
  const daemon = await startDaemon();
  try {
    const health = await daemon.client().get('/healthz');
    assert.equal(health.status, 200);
    assert.match(health.text, /^ok grounds \d+\.\d+\.\d+/);

    const first = await daemon.client().get('/metrics');
    assert.equal(first.status, 200);
    assert.match(first.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    assert.match(first.text, /# TYPE grounds_commit_seconds histogram/);

    const admin = await register(daemon, daemon.firstInvite, 'keeper');
    const wrong = await daemon.client().post('/api/login', { handle: 'keeper', password: 'not the password at all' });
    assert.equal(wrong.status, 401);
    const socket = await openSocket(daemon, admin);
    await ok(socket, 'hello', {});
    await ok(socket, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });

    const second = await daemon.client().get('/metrics');
    assert.equal(metric(second.text, 'grounds_signin_failures_total'), metric(first.text, 'grounds_signin_failures_total') + 1);
    assert.equal(metric(second.text, 'grounds_ws_connections'), 1);
    assert.ok(metric(second.text, 'grounds_ws_messages_received_total') >= 2);
    assert.ok(metric(second.text, 'grounds_ws_messages_sent_total') >= 2);
    assert.ok(metric(second.text, 'grounds_commit_seconds_count') > metric(first.text, 'grounds_commit_seconds_count'));
    assert.ok(!second.text.includes('keeper'), 'no handle in the metrics');

    // A learner submits the project nobody else can review yet, and asks for help.
    await addCohorts(admin, 'autumn');
    const invite = await admin.post('/api/invites', { role: 'learner', cohort: 'autumn' });
    const learner = await register(daemon, invite.json.code, 'lena');
    const lena = await openSocket(daemon, learner);
    await ok(lena, 'hello', {});
    for (const step of ['what-is-a-web-page', 'first-page', 'text-links-images', 'lists', 'colours-and-fonts', 'layout']) {
      await ok(lena, 'progress.set', { track: 'web-basics', step, state: 'started' });
      await ok(lena, 'progress.set', { track: 'web-basics', step, state: 'done' });
    }
    await ok(lena, 'progress.set', { track: 'web-basics', step: 'project', state: 'started' });
    const submitted = await ok(lena, 'submission.create', { track: 'web-basics', step: 'project', body_md: '# My page', link: 'https://example.org/p' });
    assert.equal(submitted.state, 'submitted');
    await ok(lena, 'progress.set', { track: 'learning-to-learn', step: 'welcome', state: 'started' });
    await ok(lena, 'help.ask', { track: 'learning-to-learn', step: 'welcome', body: 'Where do I start?' });
    const third = (await daemon.client().get('/metrics')).text;
    assert.equal(metric(third, 'grounds_submissions_waiting'), 1);
    assert.equal(metric(third, 'grounds_help_requests_open'), 1);
    assert.equal(metric(third, 'grounds_ws_connections'), 2);
    assert.ok(!third.includes('lena'), 'no handle in the metrics');

    socket.close();
    lena.close();
    await socket.closed;
    await lena.closed;
    await sleep(100);
    assert.equal(metric((await daemon.client().get('/metrics')).text, 'grounds_ws_connections'), 0);
  } finally {
    await daemon.stop();
  }
});

test('metrics_allow refuses other addresses; SIGHUP reloads it and says what needs a restart', async () => {
  const daemon = await startDaemon({ config: 'metrics_allow = 10.0.0.0/8\n' });
  try {
    const refused = await daemon.client().get('/metrics');
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'forbidden');
    assert.doesNotMatch(refused.text, /grounds_/);

    await writeFile(daemon.configPath, 'metrics_allow = 127.0.0.1\nsession_days = 3\ndurability = fast\n');
    daemon.child.kill('SIGHUP');
    let allowed = null;
    for (let i = 0; i < 50 && (!allowed || allowed.status !== 200); i++) {
      await sleep(100);
      allowed = await daemon.client().get('/metrics');
    }
    assert.equal(allowed.status, 200);
    assert.match(daemon.stderr, /reload: metrics_allow changed and applies now/);
    assert.match(daemon.stderr, /reload: durability changed and applies now/);
    assert.match(daemon.stderr, /reload: session_days changed but needs a restart/);

    // A file that no longer parses changes nothing.
    await writeFile(daemon.configPath, 'metrics_allow = everyone\n');
    daemon.child.kill('SIGHUP');
    await sleep(1500);
    assert.match(daemon.stderr, /reload: .*metrics_allow.*keeping the running settings/);
    assert.equal((await daemon.client().get('/metrics')).status, 200);
  } finally {
    await daemon.stop();
  }
});

test('the operator\'s tool reads GROUNDS_CONFIG, links to public_url and refuses a missing data directory', async () => {
  const scratch = await tempDir();
  try {
    const missing = join(scratch, 'no-such-school');
    const refused = await runCli(['--data-dir', missing, 'user', 'list'], 60000, { GROUNDS_CONFIG: '' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`no data directory at ${missing}`));
    assert.match(refused.stderr, /--init/);
    await assert.rejects(access(missing), 'nothing was made');

    const config = join(scratch, 'grounds.conf');
    await writeFile(config, `data_dir = ${missing}\npublic_url = https://grounds.example.org/\n`);
    const made = await runCli(['--init', 'invite', 'create', '--role', 'admin'], 60000, { GROUNDS_CONFIG: config });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^https:\/\/grounds\.example\.org\/join\/[A-Za-z0-9_-]+\n$/);
    await access(join(missing, 'grounds.db'));
    const list = await runCli(['invite', 'list'], 60000, { GROUNDS_CONFIG: config });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /admin/);

    const broken = await runCli(['user', 'list'], 60000, { GROUNDS_CONFIG: join(scratch, 'absent.conf') });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /absent\.conf/);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

// Whether this machine lets a test make a private user and mount namespace.
function namespacesWork() {
  return spawnSync('unshare', ['-rm', 'true'], { stdio: 'ignore' }).status === 0;
}

test('the operator\'s tool reads the config its installation put under SYSCONFDIR', async (t) => {
  const help = await runCli(['--help'], 60000, { GROUNDS_CONFIG: '' });
  const installed = help.stdout.match(/first that exists of:\n {2}(\S+)\n/);
  assert.ok(installed, help.stdout);
  assert.match(help.stdout, /\/etc\/grounds\/grounds\.conf/);
  const sysconfdir = dirname(dirname(installed[1]));
  if (installed[1] === '/etc/grounds/grounds.conf') return t.skip('built with the prefix /usr: SYSCONFDIR is /etc');
  if (!namespacesWork()) return t.skip('no private mount namespace here (unshare -rm)');
  const scratch = await tempDir();
  try {
    // A private mount namespace shows scratch/etc at SYSCONFDIR to the tool only.
    await mkdir(join(scratch, 'etc', 'grounds'), { recursive: true });
    await writeFile(join(scratch, 'etc', 'grounds', 'grounds.conf'),
      `data_dir = ${join(scratch, 'school')}\npublic_url = https://installed.example.org\n`);
    const env = { ...process.env };
    delete env.GROUNDS_CONFIG;
    const inside = (args) => spawnSync('unshare', ['-rm', 'sh', '-c',
      'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'sh', join(scratch, 'etc'), sysconfdir, GROUNDS_CLI, ...args],
    { env, encoding: 'utf8', timeout: 60000 });
    const made = inside(['--init', 'invite', 'create', '--role', 'admin']);
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /^https:\/\/installed\.example\.org\/join\/[A-Za-z0-9_-]+\n$/);
    await access(join(scratch, 'school', 'grounds.db'));
    // GROUNDS_CONFIG still comes first.
    const other = join(scratch, 'other.conf');
    await writeFile(other, `data_dir = ${join(scratch, 'school')}\npublic_url = https://other.example.org\n`);
    env.GROUNDS_CONFIG = other;
    const chosen = inside(['invite', 'create', '--role', 'learner']);
    assert.equal(chosen.status, 0, chosen.stderr);
    assert.match(chosen.stdout, /^https:\/\/other\.example\.org\/join\//);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
