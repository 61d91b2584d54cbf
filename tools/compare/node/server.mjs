// A minimal Node server with groundsd's live fan-out, on the `ws` package
// (pinned in package.json), for tools/bench-compare. Nothing is stored,
// checked or authorised. It speaks the messages tools/loadgen sends and
// expects, as groundsd sends them (docs/protocol.md; tools/compare/bare_lws.c
// is the same server in C):
//
//   hello {id, user}                  -> ok {id, seq}
//   subscribe {id, topic}             -> ok {id, topic}; the connection is a board
//   progress.set {id, track, step, state}
//                                     -> ok {id, state, seq}, and one event
//      {"type":"event","seq","event":"progress","user","track","step","state","at"}
//      serialized once and sent to the sender and to every board.
//
//   node tools/compare/node/server.mjs [--listen HOST:PORT]
//
// `ws` is required from this folder's node_modules (tools/setup bench
// installs it), or from NODE_PATH when that is absent. SIGINT or SIGTERM
// stops it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws');

let host = '127.0.0.1';
let port = 8091;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const match = args[i] === '--listen' && /^(.*):(\d+)$/.exec(args[i + 1] ?? '');
  if (!match) {
    console.error('usage: node server.mjs [--listen HOST:PORT]');
    process.exit(2);
  }
  [, host, port] = [null, match[1], Number(match[2])];
}

const boards = new Set();
const server = new WebSocketServer({ host, port, path: '/ws', perMessageDeflate: false });

server.on('connection', (socket) => {
  let user = '';
  let seq = 0;
  socket.on('message', (data) => {
    let request;
    try {
      request = JSON.parse(data);
    } catch {
      socket.send(JSON.stringify({ type: 'error', id: null, code: 'bad_json' }));
      return;
    }
    const id = request.id ?? null;
    if (request.type === 'progress.set') {
      seq += 1;
      socket.send(JSON.stringify({ type: 'ok', id, state: request.state, seq }));
      const event = JSON.stringify({
        type: 'event', seq, event: 'progress', user, track: request.track,
        step: request.step, state: request.state, at: Date.now(),
      });
      socket.send(event);
      for (const board of boards) if (board !== socket) board.send(event);
    } else if (request.type === 'hello') {
      user = String(request.user ?? '');
      socket.send(JSON.stringify({ type: 'ok', id, seq }));
    } else if (request.type === 'subscribe') {
      boards.add(socket);
      socket.send(JSON.stringify({ type: 'ok', id, topic: request.topic }));
    } else {
      socket.send(JSON.stringify({ type: 'error', id, code: 'unknown_type' }));
    }
  });
  socket.on('close', () => boards.delete(socket));
});

server.on('listening', () => console.log(`node ws server listening on ${host}:${port}`));
server.on('error', (error) => {
  console.error(`node ws server: ${error.message}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const socket of server.clients) socket.terminate();
    server.close(() => process.exit(0));
  });
}
