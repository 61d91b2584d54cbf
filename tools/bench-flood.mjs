// One learner floods markdown previews; another user's pings are timed.
// Driven by tools/bench-flood (see there for the arguments); prints one
// line of figures: nobody can stall the centre.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { WebSocket } = require('ws');

const flooding = process.argv[2] === '--flood';
const [groundsd, connections = '8', seconds = '10', inFlight = '4'] = process.argv.slice(flooding ? 4 : 2); // flooding: the cookie takes the place of groundsd
const CONNECTIONS = Number(connections), SECONDS = Number(seconds), IN_FLIGHT = Number(inFlight);
// The worst case: 100 KiB of "![[]()", some 350 ms of cmark each.
const WORST = '![[]()'.repeat(Math.floor(100 * 1024 / 6));
const PING_EVERY_MS = 100; // 10 a second: within the default messages_per_second

const freePort = () => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

async function post(base, path, body, cookie) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: base, ...(cookie ? { Cookie: cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return { json: await response.json(), cookie: (response.headers.get('set-cookie') || '').split(';')[0] };
}

function open(base, port, cookie) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, 'grounds', { headers: { Origin: base, Cookie: cookie } });
    socket.on('open', () => resolve(socket));
    socket.on('unexpected-response', (req, res) => { res.resume(); resolve(null); });
    socket.on('error', () => resolve(null));
  });
}

// Sends hello; resolves once its reply (and snapshot) arrived.
function hello(socket) {
  return new Promise((resolve) => {
    const onMessage = (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'snapshot' || (message.id === 'hello' && message.sync === 'replay')) {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'hello', id: 'hello' }));
  });
}

const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] : NaN;

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'grounds-flood-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const daemon = spawn(groundsd, ['--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  daemon.stdout.on('data', (chunk) => { out += chunk; });
  daemon.stderr.on('data', (chunk) => { if (process.env.DEBUG) process.stderr.write(chunk); });
  for (let i = 0; i < 300 && !/join\/[A-Za-z0-9_-]+/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  try {
    const code = out.match(/join\/([A-Za-z0-9_-]+)/)[1];
    const admin = await post(base, '/api/register', { invite: code, handle: 'admin1', display_name: 'Admin', password: 'correct horse battery' });
    const users = {};
    await post(base, '/api/cohorts', { name: 'c' }, admin.cookie);
    for (const handle of ['flooder', 'other']) {
      const invite = await post(base, '/api/invites', { role: 'learner', cohort: 'c' }, admin.cookie);
      users[handle] = await post(base, '/api/register', { invite: invite.json.code, handle, display_name: handle, password: 'correct horse battery' });
    }

    const other = await open(base, port, users.other.cookie);
    await hello(other);
    // The flooder in a process of its own: its work does not delay the pings' timing.
    const flooder = spawn(process.execPath, [new URL(import.meta.url).pathname, '--flood', String(port),
      users.flooder.cookie, String(CONNECTIONS), String(SECONDS), String(IN_FLIGHT)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    flooder.stdout.on('data', (chunk) => { report += chunk; });
    for (let i = 0; i < 600 && !report.includes('flooding'); i++) await new Promise((r) => setTimeout(r, 50));
    const flooderDone = new Promise((resolve) => flooder.on('exit', resolve));

    // The other user's pings, one at a time, every PING_EVERY_MS.
    const latencies = [];
    let pingErrors = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      const sent = performance.now();
      const id = `ping${latencies.length}`;
      await new Promise((resolve) => {
        const onMessage = (data) => {
          const message = JSON.parse(data.toString());
          if (message.id === id || (message.type === 'error' && message.id === undefined)) {
            if (message.type !== 'ok') pingErrors++;
            other.off('message', onMessage);
            resolve();
          }
        };
        other.on('message', onMessage);
        other.send(JSON.stringify({ type: 'ping', id }));
      });
      latencies.push(performance.now() - sent);
      const wait = PING_EVERY_MS - (performance.now() - sent);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await flooderDone;
    const { floods, refusedSockets, counts } = JSON.parse(report.slice(report.indexOf('{')));
    latencies.sort((a, b) => a - b);
    console.log(`flood: ${floods} sockets open (${refusedSockets} refused), ${IN_FLIGHT} previews in flight each; ` +
      `previews ok ${counts.ok}, busy ${counts.busy}, rate_limited ${counts.rate_limited}, other ${counts.other} in ${SECONDS} s | ` +
      `other user's ping: n ${latencies.length}, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms, errors ${pingErrors}`);
    other.terminate();
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.on('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

// The flooder's process: open the sockets, flood for SECONDS, print the counts as JSON.
async function flood(port, cookie) {
  const base = `http://127.0.0.1:${port}`;
    const floods = [];
    let refusedSockets = 0;
    for (let i = 0; i < CONNECTIONS; i++) {
      const socket = await open(base, port, cookie);
      if (!socket) { refusedSockets++; continue; }
      await hello(socket);
      floods.push(socket);
    }

    const counts = { ok: 0, busy: 0, rate_limited: 0, other: 0 };
    let running = true, nextId = 1;
    const send = (socket) => socket.readyState === 1 && socket.send(JSON.stringify({ type: 'markdown.preview', id: `p${nextId++}`, body_md: WORST }));
    for (const socket of floods) {
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString());
        // A reply to a preview, or a rate_limited one (which has no id).
        if (message.type !== 'ok' && message.type !== 'error') return;
        if (message.id !== undefined && (typeof message.id !== 'string' || !message.id.startsWith('p'))) return;
        if (message.type === 'ok') counts.ok++;
        else if (counts[message.code] !== undefined) counts[message.code]++;
        else counts.other++;
        if (running) setTimeout(() => send(socket), message.code === 'busy' || message.code === 'rate_limited' ? 50 : 0);
      });
      for (let k = 0; k < IN_FLIGHT; k++) send(socket);
    }

    console.log('flooding');
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 500));
    running = false;
    console.log(JSON.stringify({ floods: floods.length, refusedSockets, counts }));
    for (const socket of floods) socket.terminate();
}

(process.argv[2] === '--flood' ? flood(process.argv[3], process.argv[4]) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
