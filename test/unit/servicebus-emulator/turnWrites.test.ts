import { createServer, connect, type Server, type Socket } from 'node:net';
import { coalesceWritesPerTurn } from '../../../local/servicebus-emulator/amqp/turnWrites';
import { waitFor } from '../../support/wait';

/**
 * The emulator's sockets hold what is written in one turn of the event loop and hand it to the
 * kernel in one write at the end of that turn: fewer writes, nothing later than the turn, nothing
 * lost when the socket is ended or destroyed in the middle of a turn. Over a real loopback
 * connection; the writes to the kernel are counted at the socket's `_write` / `_writev` (what
 * Node calls once per write request it hands to libuv).
 */

interface KernelWrites {
  /** Chunks handed to the kernel, per write request. */
  requests: number[];
}

interface Pair {
  /** The emulator's side, coalescing. */
  local: Socket;
  /** The other end: what it has received so far. */
  peer: Socket;
  received: () => Buffer;
  peerEnded: () => boolean;
  writes: KernelWrites;
}

let server: Server;
const open: Socket[] = [];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterEach(() => {
  for (const socket of open.splice(0)) socket.destroy();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function pair(): Promise<Pair> {
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('server not listening');
  const peer = connect(address.port, '127.0.0.1');
  const local = await accepted;
  open.push(local, peer);
  local.on('error', () => undefined);
  peer.on('error', () => undefined);
  local.setNoDelay(true);
  coalesceWritesPerTurn(local);
  const chunks: Buffer[] = [];
  let ended = false;
  peer.on('data', (chunk: Buffer) => chunks.push(chunk));
  peer.on('end', () => {
    ended = true;
  });
  const writes: KernelWrites = { requests: [] };
  const internals = local as unknown as {
    _write: (chunk: Buffer, encoding: string, done: () => void) => void;
    _writev: (chunks: unknown[], done: () => void) => void;
  };
  const single = internals._write.bind(local);
  const vector = internals._writev.bind(local);
  internals._write = (chunk, encoding, done) => {
    writes.requests.push(1);
    single(chunk, encoding, done);
  };
  internals._writev = (chunks, done) => {
    writes.requests.push(chunks.length);
    vector(chunks, done);
  };
  return { local, peer, received: () => Buffer.concat(chunks), peerEnded: () => ended, writes };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const frames = ['transfer;', 'disposition;', 'flow;'];
const all = frames.join('');

test('frames written in one turn leave in one write to the kernel, in order', async () => {
  const { local, received, writes } = await pair();
  for (const frame of frames) local.write(Buffer.from(frame));
  expect(writes.requests).toEqual([]);
  await nextTurn();
  expect(writes.requests).toEqual([3]);
  await waitFor('the peer to receive every frame', () => received().toString() === all);
});

test('nothing waits past the turn it was written in: each turn is its own write', async () => {
  const { local, received, writes } = await pair();
  local.write(Buffer.from('first;'));
  // Queued after the write, so it runs after the flush queued by the write, in the same turn.
  await nextTurn();
  expect(writes.requests).toEqual([1]);
  expect(local.writableCorked).toBe(0);
  await waitFor('the first turn to arrive', () => received().toString() === 'first;');
  local.write(Buffer.from('second;'));
  local.write('third;');
  await nextTurn();
  expect(writes.requests).toEqual([1, 2]);
  await waitFor('the second turn to arrive', () => received().toString() === 'first;second;third;');
});

test('end() in the middle of a turn sends what was written before it, then the end', async () => {
  const { local, received, peerEnded } = await pair();
  for (const frame of frames) local.write(Buffer.from(frame));
  local.end();
  await waitFor('the peer to see the end', peerEnded);
  expect(received().toString()).toBe(all);
});

test('destroy() in the middle of a turn still hands what was written to the kernel', async () => {
  const { local, received, peerEnded, writes } = await pair();
  for (const frame of frames) local.write(Buffer.from(frame));
  local.destroy();
  expect(writes.requests).toEqual([3]);
  await waitFor('the peer to see the socket close', peerEnded);
  expect(received().toString()).toBe(all);
});

test('a write to a socket the peer has reset is dropped quietly, as without coalescing', async () => {
  const { local, peer } = await pair();
  const closed = new Promise<void>((resolve) => local.once('close', () => resolve()));
  peer.resetAndDestroy();
  await closed;
  expect(() => local.write(Buffer.from('late;'))).not.toThrow();
  await nextTurn();
  expect(local.writableCorked).toBe(0);
});
