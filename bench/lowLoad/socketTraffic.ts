import { Socket } from 'node:net';

/** What this process's TCP sockets have carried so far. */
export interface SocketTraffic {
  /** Write requests handed to the kernel (calls of a socket's `_write` or `_writev`). */
  writes: number;
  /** Chunks those writes carried: one per `socket.write`, with rhea one AMQP frame. */
  frames: number;
  /** Reads that delivered data. */
  reads: number;
}

interface SocketInternals {
  _write: (chunk: unknown, encoding: unknown, done: unknown) => void;
  _writev: (chunks: unknown[], done: unknown) => void;
  push: (chunk: unknown, encoding?: unknown) => boolean;
}

/** TCP only: the process's stdio and IPC pipes are sockets too, with no remote port. */
const isTcp = (socket: Socket): boolean => typeof socket.remotePort === 'number';

/**
 * Counts the TCP writes, frames and reads of this process for `npm run bench:low-load`, which
 * asks for them (IPC "traffic", answered with `{ traffic }`) around the measured window: how many
 * frames leave per write and how often the process wakes up to read, per message. Patches
 * net.Socket's prototype, so for the bench's child processes only.
 */
export function countSocketTrafficOnRequest(): void {
  const traffic: SocketTraffic = { writes: 0, frames: 0, reads: 0 };
  const proto = Socket.prototype as unknown as SocketInternals;
  const single = proto._write;
  const vector = proto._writev;
  const push = proto.push;
  proto._write = function (this: Socket, chunk, encoding, done) {
    if (isTcp(this)) {
      traffic.writes += 1;
      traffic.frames += 1;
    }
    single.call(this, chunk, encoding, done);
  };
  proto._writev = function (this: Socket, chunks, done) {
    if (isTcp(this)) {
      traffic.writes += 1;
      traffic.frames += chunks.length;
    }
    vector.call(this, chunks, done);
  };
  proto.push = function (this: Socket, chunk, encoding) {
    if (chunk !== null && isTcp(this)) traffic.reads += 1;
    return push.call(this, chunk, encoding);
  };
  process.on('message', (request: unknown) => {
    if (request === 'traffic') process.send?.({ traffic: { ...traffic } });
  });
}
