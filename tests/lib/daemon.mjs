// daemon.mjs - what the end-to-end and browser tests share: start the real
// groundsd on a free loopback port with a fresh data directory, talk to it
// over HTTP with a cookie jar, and run the operator's tool.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import WebSocket from 'ws';

export const GROUNDSD = process.env.GROUNDSD || 'build/daemon/groundsd';
export const GROUNDS_CLI = process.env.GROUNDS_CLI || 'build/tools/grounds';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function tempDir(prefix = 'grounds-e2e-') {
  return mkdtemp(join(tmpdir(), prefix));
}

function waitFor(predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = predicate();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 25);
    };
    poll();
  });
}

// Starts groundsd. options: config (text of a config file), args (more
// flags), dataDir (reuse one), env. Resolves once it prints that it runs.
export async function startDaemon(options = {}) {
  const dataDir = options.dataDir || await tempDir();
  const port = options.port || await freePort();
  const args = ['--data-dir', dataDir, '--listen', `127.0.0.1:${port}`];
  let configPath = null;
  if (options.config !== undefined) {
    configPath = join(dataDir, '..', `${dataDir.split('/').pop()}.conf`);
    await writeFile(configPath, options.config);
    args.unshift('--config', configPath);
  }
  args.push(...(options.args || []));
  const child = spawn(GROUNDSD, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const daemon = {
    child, dataDir, port, configPath, url: `http://127.0.0.1:${port}`, stdout: '', stderr: '', exitCode: null,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => {
      daemon.exitCode = code;
      daemon.signal = signal;
      resolve(code);
    })),
  };
  child.stdout.on('data', (chunk) => { daemon.stdout += chunk; });
  child.stderr.on('data', (chunk) => { daemon.stderr += chunk; });
  try {
    await waitFor(() => daemon.stdout.includes('grounds is running') || daemon.exitCode !== null, 30000, 'groundsd to start');
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${daemon.stderr}`);
  }
  if (daemon.exitCode !== null) throw new Error(`groundsd exited with ${daemon.exitCode}:\n${daemon.stderr}`);
  const invite = daemon.stdout.match(/\/join\/([A-Za-z0-9_-]+)/);
  daemon.firstInvite = invite ? invite[1] : null;

  // Stops it with SIGTERM and resolves with its exit code; keep leaves the data.
  daemon.stop = async ({ keep = false } = {}) => {
    if (daemon.exitCode === null && !daemon.signal) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await daemon.exited;
      clearTimeout(timer);
    }
    if (!keep && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    return daemon.exitCode;
  };
  daemon.client = (localAddress) => new Client(daemon.url, localAddress);
  return daemon;
}

// Runs groundsd to completion (for --help, bad flags); resolves {code, stdout, stderr}.
export function runDaemon(args, timeoutMs = 20000) {
  return run(GROUNDSD, args, timeoutMs);
}

// Runs the operator's tool; resolves {code, stdout, stderr}. env: more
// variables for it (GROUNDS_CONFIG, ...).
export function runCli(args, timeoutMs = 60000, env = {}) {
  return run(GROUNDS_CLI, args, timeoutMs, env);
}

function run(file, args, timeoutMs, env = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// An HTTP client with one cookie, as a browser tab would be.
export class Client {
  // localAddress: the loopback address to connect from (127.0.0.2, …), so a
  // test can look like several machines to the sign-in rate limit.
  constructor(base, localAddress = undefined) {
    this.base = base;
    this.localAddress = localAddress;
    this.cookie = null;
    const url = new URL(base);
    this.origin = url.origin;
  }

  // Resolves {status, headers, text, json}. options: body (object, sent as
  // JSON), headers, raw (a string body sent as is), timeoutMs (30 s).
  request(method, path, options = {}) {
    const url = new URL(path, this.base);
    const headers = { ...options.headers };
    let payload = null;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] ??= 'application/json';
    } else if (options.raw !== undefined) {
      payload = Buffer.from(options.raw);
    }
    if (payload) headers['Content-Length'] = payload.length;
    if (method !== 'GET' && method !== 'HEAD') headers.Origin ??= this.origin;
    if (this.cookie && !('Cookie' in headers)) headers.Cookie = this.cookie;
    for (const [name, value] of Object.entries(headers)) if (value === null) delete headers[name];
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers, localAddress: this.localAddress }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const setCookie = res.headers['set-cookie'];
          if (setCookie) {
            const pair = setCookie[0].split(';')[0];
            this.cookie = pair.endsWith('=') ? null : pair;
          }
          let json = null;
          try {
            json = JSON.parse(body.toString());
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode, headers: res.headers, body, text: body.toString(), json });
        });
      });
      req.on('error', reject);
      req.setTimeout(options.timeoutMs || 30000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      if (payload) req.write(payload);
      req.end();
    });
  }

  get(path, options) { return this.request('GET', path, options); }
  post(path, body, options = {}) { return this.request('POST', path, { ...options, body }); }
}

// Registers a user through an invite code; returns the signed-in client.
export async function register(daemon, code, handle, password = 'correct horse battery', displayName = null) {
  const client = daemon.client();
  const response = await client.post('/api/register', { invite: code, handle, display_name: displayName || handle, password });
  if (response.status !== 201) throw new Error(`register ${handle}: ${response.status} ${response.text}`);
  return client;
}

// Puts cohorts on record through an admin's client (one already there is fine):
// invites and accounts may name only cohorts on record.
export async function addCohorts(admin, ...names) {
  for (const name of names) {
    const added = await admin.post('/api/cohorts', { name });
    if (added.status !== 201 && added.status !== 409) throw new Error(`cohort ${name}: ${added.status} ${added.text}`);
  }
}

// The first-start admin, then an invite for each further user. Returns a
// map of handle → client; roles is {handle: 'learner'|'coach'|'admin'}.
export async function people(daemon, roles, cohort = 'autumn') {
  const admin = await register(daemon, daemon.firstInvite, 'admin1');
  const clients = { admin1: admin };
  await addCohorts(admin, cohort);
  for (const [handle, role] of Object.entries(roles)) {
    const invite = await admin.post('/api/invites', { role, cohort });
    if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${invite.text}`);
    clients[handle] = await register(daemon, invite.json.code, handle);
  }
  return clients;
}

// Opens the websocket as a signed-in browser tab would. Resolves the open
// socket, or rejects with an error whose status is the HTTP refusal.
export function openSocket(daemon, client, { origin = daemon.url, cookie = client && client.cookie } = {}) {
  const headers = {};
  if (origin) headers.Origin = origin;
  if (cookie) headers.Cookie = cookie;
  const socket = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`, 'grounds', { headers });
  socket.inbox = [];
  socket.waiters = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const waiter = socket.waiters.findIndex((w) => w.match(message));
    if (waiter >= 0) socket.waiters.splice(waiter, 1)[0].resolve(message);
    else socket.inbox.push(message);
  });
  // Resolves the next message (already received or still to come) that matches.
  socket.next = (match = () => true, timeoutMs = 10000) => {
    const index = socket.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(socket.inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      socket.waiters.push(waiter);
      setTimeout(() => {
        const at = socket.waiters.indexOf(waiter);
        if (at >= 0) {
          socket.waiters.splice(at, 1);
          reject(new Error('timed out waiting for a websocket message'));
        }
      }, timeoutMs).unref();
    });
  };
  socket.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve(socket));
    socket.on('unexpected-response', (request, response) => {
      const error = new Error(`websocket refused: ${response.statusCode}`);
      error.status = response.statusCode;
      response.resume();
      reject(error);
    });
    socket.on('error', reject);
  });
}

// Request ids for the websocket helpers below, unique across a test file.
let requestId = 1;
// A socket of client's that said hello (and read its snapshot, if one came).
export async function connect(daemon, client) {
  const socket = await openSocket(daemon, client);
  const hello = await ok(socket, 'hello');
  if (hello.sync === 'snapshot') await socket.next((m) => m.type === 'snapshot');
  return socket;
}

export function nextRequestId() {
  return requestId++;
}

// Sends a request on an open socket and resolves its one reply (ok or error).
export function call(socket, type, fields = {}, timeoutMs = 10000) {
  const id = nextRequestId();
  socket.send(JSON.stringify({ type, id, ...fields }));
  return socket.next((m) => (m.type === 'ok' || m.type === 'error') && m.id === id, timeoutMs);
}

// A request whose reply must be ok; resolves the reply.
export async function ok(socket, type, fields = {}) {
  const reply = await call(socket, type, fields);
  assert.equal(reply.type, 'ok', `${type} ${JSON.stringify(fields)}: ${JSON.stringify(reply)}`);
  return reply;
}

// A request whose reply must be the error code, with a message for a person.
export async function refused(socket, type, fields, code) {
  const reply = await call(socket, type, fields);
  assert.equal(reply.type, 'error', `${type} ${JSON.stringify(fields)} should fail: ${JSON.stringify(reply)}`);
  assert.equal(reply.code, code, `${type} ${JSON.stringify(fields)}: ${JSON.stringify(reply)}`);
  assert.ok(typeof reply.message === 'string' && reply.message.length > 0);
  return reply;
}
