import { Socket } from 'node:net';
import { configWith, startHarness, type Harness } from './support/emulator';

/**
 * Through the unmodified SDK: when one client frame makes the emulator write many (a receive
 * of 20 waiting messages is one flow frame granting 20 credits, answered by 20 transfers), the
 * emulator's socket hands them to the kernel together, not in one write per frame, and every
 * message arrives whole and in order. Writes are counted at the sockets' `_write` / `_writev`
 * (one call per write request Node hands to libuv) on the emulator's side of each connection.
 */
let h: Harness;

interface SocketInternals {
  _write: (chunk: unknown, encoding: unknown, done: unknown) => void;
  _writev: (chunks: unknown[], done: unknown) => void;
}

const kernelWrites = { requests: 0, chunks: 0 };
const proto = Socket.prototype as unknown as SocketInternals;
const originalWrite = Object.getOwnPropertyDescriptor(proto, '_write')!;
const originalWritev = Object.getOwnPropertyDescriptor(proto, '_writev')!;

/** The emulator's side of a connection is the socket its server accepted. */
const isEmulatorSide = (socket: Socket): boolean =>
  (socket as Socket & { server?: unknown }).server !== undefined;

beforeAll(async () => {
  const single = originalWrite.value as SocketInternals['_write'];
  const vector = originalWritev.value as SocketInternals['_writev'];
  proto._write = function (this: Socket, chunk, encoding, done) {
    if (isEmulatorSide(this)) {
      kernelWrites.requests += 1;
      kernelWrites.chunks += 1;
    }
    single.call(this, chunk, encoding, done);
  };
  proto._writev = function (this: Socket, chunks, done) {
    if (isEmulatorSide(this)) {
      kernelWrites.requests += 1;
      kernelWrites.chunks += chunks.length;
    }
    vector.call(this, chunks, done);
  };
  h = await startHarness(configWith({ waiting: {} }));
});

afterAll(async () => {
  Object.defineProperty(proto, '_write', originalWrite);
  Object.defineProperty(proto, '_writev', originalWritev);
  await h.close();
});

test('20 messages released by one credit grant leave the emulator in a few writes, all whole and in order', async () => {
  const sender = h.client.createSender('waiting');
  const receiver = h.client.createReceiver('waiting');
  // Links, authorisation and the first credit grant first, so only the deliveries are counted.
  await sender.sendMessages({ body: 'warm-up' });
  const [warmUp] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  await receiver.completeMessage(warmUp!);
  const bodies = Array.from({ length: 20 }, (_, i) => `message ${i} ${'x'.repeat(1000)}`);
  await sender.sendMessages(bodies.map((body) => ({ body })));

  kernelWrites.requests = 0;
  kernelWrites.chunks = 0;
  const received = await receiver.receiveMessages(20, { maxWaitTimeInMs: 5000 });
  const written = { ...kernelWrites };

  expect(received.map((message) => message.body as string)).toEqual(bodies);
  // 20 transfers (and whatever answers the SDK's drain): one write per frame before.
  expect(written.chunks).toBeGreaterThanOrEqual(20);
  expect(written.requests).toBeLessThanOrEqual(4);
  for (const message of received) await receiver.completeMessage(message);
  await receiver.close();
  await sender.close();
});
