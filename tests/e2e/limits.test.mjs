// What nobody may do to the daemon or to the others on it (docs/security.md,
// "Rendering untrusted text" and "Protocol limits"): markdown renders off
// the event loop, a user's renders and connections are bounded, and /ws
// refuses what breaks its rules at once: a foreign Host, invalid UTF-8, a
// frame announced too large, an id too long, a reply too large to queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { readFile } from 'node:fs/promises';

import { startDaemon, people, openSocket, ok, refused, call, nextRequestId, connect } from '../lib/daemon.mjs';

const NO_LIMIT = 'messages_per_second = 0\n';
const WORST = '![[]()'.repeat(Math.floor(100 * 1024 / 6)); // slow for cmark: ~100 KiB

// A GET with a Host header of our choosing (null: none at all); resolves the status.
function getWithHost(port, path, host) {
  return new Promise((resolve, reject) => {
    const headers = host === null ? {} : { Host: host };
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, setHost: host !== null }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

// One masked client frame (opcode 1: text) with its header announcing `announced` bytes.
function frame(payload, announced = payload.length, opcode = 1) {
  const mask = Buffer.from([0x21, 0x43, 0x65, 0x87]);
  let header;
  if (announced < 126) header = Buffer.from([0x80 | opcode, 0x80 | announced]);
  else if (announced <= 0xffff) header = Buffer.from([0x80 | opcode, 0x80 | 126, announced >> 8, announced & 0xff]);
  else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(announced), 2);
  }
  return Buffer.concat([header, mask, Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]))]);
}

const within = (promise, ms, what) => Promise.race([promise,
  new Promise((resolve, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref())]);

test('only the configured hosts are served; loopback always; others get 421, none 400', async () => {
  const daemon = await startDaemon({ config: 'public_url = https://grounds.example.org\nallowed_origins = http://lab.example.org:8000\n' });
  try {
    const { admin1 } = await people(daemon, {});
    const port = daemon.port;
    assert.equal(await getWithHost(port, '/healthz', `127.0.0.1:${port}`), 200);
    assert.equal(await getWithHost(port, '/healthz', 'localhost'), 200);
    assert.equal(await getWithHost(port, '/healthz', '127.0.0.7:1'), 200);
    assert.equal(await getWithHost(port, '/healthz', 'grounds.example.org'), 200, 'public_url');
    assert.equal(await getWithHost(port, '/', 'GROUNDS.example.org'), 200, 'without case');
    assert.equal(await getWithHost(port, '/healthz', 'lab.example.org:8000'), 200, 'allowed_origins');
    assert.equal(await getWithHost(port, '/healthz', 'evil.example'), 421);
    assert.equal(await getWithHost(port, '/api/me', 'grounds.example.org.evil.example'), 421);
    assert.equal(await getWithHost(port, '/healthz', 'lab.example.org'), 421, 'another port');
    assert.equal(await getWithHost(port, '/healthz', null), 400);
    // The websocket upgrade too, whatever the Origin says.
    const socket = new (await import('ws')).WebSocket(`ws://127.0.0.1:${port}/ws`, 'grounds', {
      headers: { Host: 'evil.example', Origin: 'http://evil.example', Cookie: admin1.cookie },
    });
    const status = await new Promise((resolve) => {
      socket.on('unexpected-response', (req, res) => { res.resume(); resolve(res.statusCode); });
      socket.on('open', () => resolve('open'));
      socket.on('error', () => {});
    });
    assert.equal(status, 421);
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('invalid UTF-8 closes with 1007; a frame announced too large is refused before its payload', async () => {
  const daemon = await startDaemon({ config: NO_LIMIT });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const bad = await connect(daemon, ana);
    bad._socket.write(frame(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]))); // {"\xc3("}
    assert.equal((await within(bad.closed, 5000, 'the close')).code, 1007);

    // 300 KiB announced, 10 bytes sent, then nothing: refused at once, not after 300 KiB.
    const stalled = await connect(daemon, ana);
    stalled._socket.write(frame(Buffer.from('{"type":"p'), 300 * 1024));
    const error = await within(stalled.next((m) => m.type === 'error'), 5000, 'too_large');
    assert.equal(error.code, 'too_large');
    assert.equal((await within(stalled.closed, 5000, 'the close')).code, 1009);

    // Fragments count together: a second fragment that takes the message over the limit.
    const fragments = await connect(daemon, ana);
    const first = frame(Buffer.from('{"type":"ping","pad":"'), undefined, 1);
    first[0] &= 0x7f; // not final
    fragments._socket.write(first);
    fragments._socket.write(frame(Buffer.alloc(10, 0x78), 256 * 1024, 0));
    assert.equal((await within(fragments.closed, 5000, 'the close')).code, 1009);

    const after = await connect(daemon, ana);
    await ok(after, 'ping');
    after.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('an id over 64 characters is refused and not echoed; a reply too large for the queue is too_large', async () => {
  const daemon = await startDaemon({ config: `${NO_LIMIT}queue_kib = 16\n` });
  try {
    const { ana } = await people(daemon, { ana: 'learner' });
    const socket = await connect(daemon, ana);
    const id = 'x'.repeat(200 * 1024);
    socket.send(JSON.stringify({ type: 'ping', id }));
    const refusal = await socket.next((m) => m.type === 'error');
    assert.equal(refusal.code, 'bad_value');
    assert.equal(refusal.id, undefined);
    assert.ok(JSON.stringify(refusal).length < 200, 'the id is not echoed');
    const sixtyFour = 'é'.repeat(64);
    socket.send(JSON.stringify({ type: 'ping', id: sixtyFour }));
    assert.equal((await socket.next((m) => m.id === sixtyFour)).type, 'ok');

    // Nested quotes: a few KiB of markdown, some 26 KiB of HTML, over the 16 KiB queue.
    const big = await call(socket, 'markdown.preview', { body_md: '>'.repeat(2000) });
    assert.equal(big.type, 'error');
    assert.equal(big.code, 'too_large');
    await ok(socket, 'ping');
    assert.equal(socket.readyState, 1, 'a client that reads stays');
    socket.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('a user has at most max_connections_per_user sockets; one more gets 429', async () => {
  const daemon = await startDaemon({ config: `${NO_LIMIT}max_connections_per_user = 2\n` });
  try {
    const { ana, ben } = await people(daemon, { ana: 'learner', ben: 'learner' });
    const first = await openSocket(daemon, ana);
    const second = await openSocket(daemon, ana);
    await assert.rejects(openSocket(daemon, ana), (error) => error.status === 429);
    const other = await openSocket(daemon, ben); // another user's count is their own
    first.close();
    await first.closed;
    const again = await openSocket(daemon, ana);
    for (const socket of [second, other, again]) socket.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

test('markdown renders off the loop: replies keep their order, other users are not stalled, a user is told busy', async () => {
  const daemon = await startDaemon({ config: `${NO_LIMIT}render_queue = 1\n` });
  try {
    const { ana, ben } = await people(daemon, { ana: 'learner', ben: 'learner' });
    const sockets = [];
    for (let i = 0; i < 4; i++) sockets.push(await connect(daemon, ana));
    const other = await connect(daemon, ben);

    // A slow preview and a ping in one write: the ping is answered after the preview.
    const order = [];
    const previewId = nextRequestId(), pingId = nextRequestId();
    sockets[0]._socket.write(Buffer.concat([
      frame(Buffer.from(JSON.stringify({ type: 'markdown.preview', id: previewId, body_md: WORST }))),
      frame(Buffer.from(JSON.stringify({ type: 'ping', id: pingId }))),
    ]));
    const replies = [sockets[0].next((m) => m.id === previewId).then((m) => order.push(['preview', m])),
      sockets[0].next((m) => m.id === pingId).then((m) => order.push(['ping', m]))];
    // Three more at once on the other sockets: one runs, one waits, the rest are busy.
    const more = sockets.slice(1).map((socket) => call(socket, 'markdown.preview', { body_md: WORST }, 30000));

    // Meanwhile another user's ping is answered quickly, each time.
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await ok(other, 'ping');
      assert.ok(performance.now() - started < 250, `ping ${i} took ${performance.now() - started} ms`);
    }
    await Promise.all(replies);
    assert.deepEqual(order.map(([kind]) => kind), ['preview', 'ping']);
    assert.equal(order[0][1].type, 'ok');
    assert.match(order[0][1].html, /<img|<p>/);
    const answers = await Promise.all(more);
    const busy = answers.filter((m) => m.code === 'busy');
    assert.ok(busy.length >= 1, JSON.stringify(answers.map((m) => m.code || m.type)));
    assert.ok(busy.every((m) => m.retry_after >= 1));
    assert.ok(answers.every((m) => m.type === 'ok' || m.code === 'busy'));
    // Once its renders are done, the user may render again.
    assert.equal((await call(sockets[1], 'markdown.preview', { body_md: '*hi*' })).html, '<p><em>hi</em></p>\n');
    for (const socket of [...sockets, other]) socket.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});

// The daemon's side of a connection in /proc/net/tcp (IPv4 loopback): its
// timer kind (2: keepalive) and seconds until that timer fires.
async function serverSideTimer(port, peerPort) {
  const hex = (n) => n.toString(16).toUpperCase().padStart(4, '0');
  const rows = (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1).map((line) => line.trim().split(/\s+/));
  const row = rows.find((r) => r[1] === `0100007F:${hex(port)}` && r[2] === `0100007F:${hex(peerPort)}` && r[3] === '01');
  if (!row) return null;
  const [kind, when] = row[5].split(':');
  return { kind: parseInt(kind, 16), seconds: parseInt(when, 16) / 100 };
}

test('a learner\'s connection that went silent is probed by TCP keepalive within a minute, with no timer of its own on the loop', async () => {
  const daemon = await startDaemon();
  try {
    const { lena } = await people(daemon, { lena: 'learner' });
    const socket = await connect(daemon, lena);
    // Timer 1 (retransmit) runs while the hello's reply is unacknowledged; wait for it to end.
    let timer = await serverSideTimer(daemon.port, socket._socket.localPort);
    for (let i = 0; i < 30 && timer && timer.kind === 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      timer = await serverSideTimer(daemon.port, socket._socket.localPort);
    }
    assert.ok(timer, 'the daemon\'s side of the connection is in /proc/net/tcp');
    assert.equal(timer.kind, 2, 'SO_KEEPALIVE is on: the kernel keeps a keepalive timer');
    assert.ok(timer.seconds > 0 && timer.seconds <= 60, `first probe in ${timer.seconds} s`);
    socket.close();
  } finally {
    assert.equal(await daemon.stop(), 0);
  }
});
