// groundsd as an operator meets it: --help and --version, config files and
// flags and their errors, static pages, the /ws endpoint's checks, SIGTERM,
// restarts on the same data, one daemon per data directory, and the
// operator's tool beside a running daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startDaemon, runDaemon, runCli, tempDir, freePort, openSocket, register, people } from '../lib/daemon.mjs';

test('--help lists every flag and setting; --version prints the version', async () => {
  const help = await runDaemon(['--help']);
  assert.equal(help.code, 0);
  for (const word of ['--config', '--data-dir', '--listen', '--log-level', '--version', 'data_dir', 'listen', 'session_days', 'invite_days', 'track_check_seconds']) {
    assert.ok(help.stdout.includes(word), `--help mentions ${word}`);
  }
  const version = await runDaemon(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^groundsd \d+\.\d+\.\d+/);
});

test('unknown flags, unknown keys and bad values are named, with exit 2', async () => {
  const dir = await tempDir();
  try {
    const flag = await runDaemon(['--colour']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--colour/);

    const config = join(dir, 'grounds.conf');
    await writeFile(config, '# comment\n\nlisten = 127.0.0.1:1\ncolour = blue\n');
    const key = await runDaemon(['--config', config]);
    assert.equal(key.code, 2);
    assert.match(key.stderr, new RegExp(`${config}:4: .*colour`));

    await writeFile(config, 'session_days = soon\n');
    const value = await runDaemon(['--config', config]);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /:1: .*session_days/);

    const listen = await runDaemon(['--listen', 'no-port-here', '--data-dir', dir]);
    assert.equal(listen.code, 2);
    assert.match(listen.stderr, /listen/);

    const missing = await runDaemon(['--config', join(dir, 'absent.conf')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /absent\.conf/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a config file sets the address and data directory, and flags override it', async () => {
  const dir = await tempDir();
  const port = await freePort();
  const daemon = await startDaemon({
    config: `data_dir = ${dir}/from-config\nlisten = 127.0.0.1:1\nlog_level = warn\nsession_days = 2\n`,
    port,
  });
  try {
    // --listen and --data-dir from the harness override the file's values.
    assert.equal((await daemon.client().get('/healthz')).status, 200);
    const admin = await register(daemon, daemon.firstInvite, 'root-admin');
    const login = await admin.post('/api/login', { handle: 'root-admin', password: 'correct horse battery' });
    assert.match(login.headers['set-cookie'][0], /Max-Age=172800/, 'session_days = 2 came from the file');
    assert.doesNotMatch(daemon.stderr, / info /, 'log_level = warn came from the file');
  } finally {
    assert.equal(await daemon.stop(), 0);
    await rm(dir, { recursive: true, force: true });
  }
});

test('pages of the client are served with a strict policy; paths cannot leave the web root', async () => {
  const daemon = await startDaemon();
  try {
    const client = daemon.client();
    for (const path of ['/', '/signin', `/join/${daemon.firstInvite}`, '/tracks/web-basics/steps/v1.2']) {
      const page = await client.get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.headers['content-type'], /text\/html/);
      assert.match(page.text, /<script type="module" src="\/app.js">/);
      assert.match(page.headers['content-security-policy'], /script-src 'self'/);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
    }
    const script = await client.get('/app.js');
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type'], /javascript/);
    const style = await client.get('/style.css');
    assert.match(style.headers['content-type'], /text\/css/);
    // Sent gzipped to a browser that takes it, whole to one that does not; a
    // browser with this version already gets 304 and no body.
    const original = await readFile(new URL('../../web/app.js', import.meta.url));
    assert.equal(script.headers['content-encoding'], undefined);
    assert.deepEqual(script.body, original);
    const zipped = await client.get('/app.js', { headers: { 'Accept-Encoding': 'gzip, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'Accept-Encoding');
    assert.ok(zipped.body.length < original.length / 2, `${zipped.body.length} bytes gzipped of ${original.length}`);
    assert.deepEqual(gunzipSync(zipped.body), original);
    assert.match(zipped.headers['content-security-policy'], /script-src 'self'/);
    assert.equal(zipped.headers.etag, script.headers.etag);
    const again = await client.get('/app.js', { headers: { 'If-None-Match': script.headers.etag, 'Accept-Encoding': 'gzip' } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const head = await client.request('HEAD', '/app.js');
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), original.length);
    assert.equal(head.body.length, 0);
    for (const path of ['/../README.md', '/%2e%2e/README.md', '/.git/config.js', '/.hidden.css', '/nothing.js']) {
      assert.equal((await client.get(path)).status, 404, path);
    }
    const dotted = await client.get('/.git/config');
    assert.doesNotMatch(dotted.text, /\[core\]/, 'an extensionless path only ever gets the client page');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('/ws needs a session cookie and the served origin; SIGTERM closes it with 1001', async () => {
  const daemon = await startDaemon();
  const { admin1 } = await people(daemon, {});
  await assert.rejects(openSocket(daemon, null, { cookie: null }), (error) => error.status === 403);
  await assert.rejects(openSocket(daemon, admin1, { origin: 'http://evil.example' }), (error) => error.status === 403);
  await assert.rejects(openSocket(daemon, admin1, { cookie: 'grounds_session=forged' }), (error) => error.status === 403);

  const socket = await openSocket(daemon, admin1);
  socket.send(JSON.stringify({ type: 'ping', id: 6 }));
  assert.equal((await socket.next()).code, 'hello_first', 'nothing but hello before hello');
  socket.send(JSON.stringify({ type: 'hello', id: 1 }));
  assert.equal((await socket.next()).id, 1);
  assert.equal((await socket.next()).type, 'snapshot');
  socket.send(JSON.stringify({ type: 'ping', id: 7 }));
  assert.deepEqual(await socket.next(), { type: 'ok', id: 7 });
  socket.send('{not json');
  assert.equal((await socket.next()).code, 'bad_json');
  socket.send(JSON.stringify({ type: 'no.such.thing', id: 8 }));
  const unknown = await socket.next();
  assert.equal(unknown.code, 'unknown_type');
  assert.equal(unknown.id, 8);
  socket.send(JSON.stringify({ type: 'ping', id: 9 }));
  assert.equal((await socket.next()).id, 9, 'the connection stays after errors');

  const closed = socket.closed;
  daemon.child.kill('SIGTERM');
  assert.equal((await closed).code, 1001);
  assert.equal(await daemon.exited, 0);
  assert.match(daemon.stderr, /stopped/);
  await daemon.stop();
});

// The soft open-file limit of a process, and its hard one, from /proc.
async function fileLimits(pid) {
  const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
  const [, soft, hard] = limits.match(/^Max open files\s+(\S+)\s+(\S+)/m);
  return { soft: Number(soft), hard: hard === 'unlimited' ? Infinity : Number(hard) };
}

test('groundsd sets its open-file limit to max_open_files, and says so when the hard limit is lower', async () => {
  const own = await fileLimits(process.pid);
  const asked = Math.min(3000, own.hard);
  const daemon = await startDaemon({ config: `max_open_files = ${asked}\n` });
  try {
    assert.deepEqual(await fileLimits(daemon.child.pid), { soft: asked, hard: own.hard });
    assert.doesNotMatch(daemon.stderr, /max_open_files/);
  } finally {
    await daemon.stop();
  }
  if (own.hard >= 1048576) return; // no lower hard limit here to run into
  const over = await startDaemon({ config: 'max_open_files = 1048576\n' });
  try {
    assert.deepEqual(await fileLimits(over.child.pid), { soft: own.hard, hard: own.hard });
    assert.match(over.stderr, new RegExp(`max_open_files is 1048576, but the open-file limit may not go over ${own.hard}`));
  } finally {
    await over.stop();
  }
});

test('a frame over the size limit is closed with 1009', async () => {
  const daemon = await startDaemon();
  try {
    const { admin1 } = await people(daemon, {});
    const socket = await openSocket(daemon, admin1);
    socket.send(JSON.stringify({ type: 'ping', id: 1, pad: 'x'.repeat(300 * 1024) }));
    assert.equal((await socket.closed).code, 1009);
    assert.equal((await admin1.get('/healthz')).status, 200, 'the daemon carries on');
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('accounts and sessions survive a restart; the first-start invite is printed once', async () => {
  const dataDir = await tempDir();
  try {
    const first = await startDaemon({ dataDir });
    assert.ok(first.firstInvite);
    const admin = await register(first, first.firstInvite, 'keeper');
    assert.equal(await first.stop(), 0);

    const second = await startDaemon({ dataDir });
    assert.equal(second.firstInvite, null, second.stdout);
    admin.base = second.url;
    assert.equal((await admin.get('/api/me')).json.handle, 'keeper');
    assert.equal(await second.stop(), 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a second daemon on the same data directory is refused; a taken port is an error', async () => {
  const daemon = await startDaemon();
  try {
    const port = await freePort();
    const second = await runDaemon(['--data-dir', daemon.dataDir, '--listen', `127.0.0.1:${port}`]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /already|lock|running/i);

    const otherDir = await tempDir();
    const taken = await runDaemon(['--data-dir', otherDir, '--listen', `127.0.0.1:${daemon.port}`]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, new RegExp(String(daemon.port)));
    await rm(otherDir, { recursive: true, force: true });
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('the operator’s tool adds, lists and disables users and makes invites while groundsd runs', async () => {
  const daemon = await startDaemon();
  const cli = (...args) => runCli(['--data-dir', daemon.dataDir, ...args]);
  try {
    // A cohort must be on record before an account or invite names it.
    const unknown = await cli('invite', 'create', '--role', 'learner', '--cohort', 'spring');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no cohort 'spring'/);
    const added = await cli('cohort', 'add', 'spring');
    assert.equal(added.code, 0, added.stderr);
    const add = await new Promise((resolve) => {
      import('node:child_process').then(({ spawn }) => {
        const child = spawn(process.env.GROUNDS_CLI || 'build/tools/grounds',
          ['--data-dir', daemon.dataDir, 'user', 'add', 'carla', '--role', 'coach', '--cohort', 'spring', '--name', 'Carla', '--password-stdin']);
        let stderr = '';
        child.stderr.on('data', (chunk) => { stderr += chunk; });
        child.on('exit', (code) => resolve({ code, stderr }));
        child.stdin.end('carla password 123\n');
      });
    });
    assert.equal(add.code, 0, add.stderr);

    const carla = daemon.client();
    const login = await carla.post('/api/login', { handle: 'carla', password: 'carla password 123' });
    assert.equal(login.status, 200, login.text);
    assert.deepEqual(login.json, { handle: 'carla', display_name: 'Carla', role: 'coach', cohort: 'spring' });

    const list = await cli('user', 'list');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /carla\s+.*coach.*spring/);

    const invite = await cli('invite', 'create', '--role', 'learner', '--cohort', 'spring', '--expires', '2');
    assert.equal(invite.code, 0, invite.stderr);
    const code = invite.stdout.match(/\/join\/([A-Za-z0-9_-]+)/)[1];
    const info = await daemon.client().get(`/api/invites/${code}`);
    assert.equal(info.json.role, 'learner');
    assert.equal(info.json.cohort, 'spring');

    const disable = await cli('user', 'disable', 'carla');
    assert.equal(disable.code, 0, disable.stderr);
    assert.equal((await carla.get('/api/me')).status, 401, 'her session ended');
    assert.equal((await daemon.client().post('/api/login', { handle: 'carla', password: 'carla password 123' })).status, 401);

    assert.equal((await cli('user', 'disable', 'nobody')).code, 1);
    const bad = await cli('user', 'add', 'Bad Handle', '--role', 'learner', '--password-stdin');
    assert.notEqual(bad.code, 0);
    const usage = await cli('frobnicate');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /frobnicate/);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
