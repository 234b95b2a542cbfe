import type { Socket } from 'node:net';

/**
 * Makes everything written to `socket` in one turn of the event loop leave in one write.
 *
 * rhea writes each AMQP frame with its own `socket.write`. Here the first write of a turn corks
 * the socket and the check phase of the same turn (`setImmediate`) uncorks it, so the frames go
 * out together in one `writev`: a credit grant that releases 20 waiting messages is one write,
 * not 20. It does not lower the CPU per message at low rates, where each frame the emulator
 * writes is already alone on its socket in its turn (measured: docs/performance.md). Not `process.nextTick`: rhea writes its session frames from its own nextTick
 * callbacks, which can run after one queued at the first write. No timer: nothing waits longer
 * than the rest of the turn.
 *
 * Nothing written is lost or held when the socket closes: `end()` uncorks (Node flushes what is
 * corked before the FIN) and `destroy()` here flushes first, as an uncorked socket would have
 * handed the bytes to the kernel already.
 */
export function coalesceWritesPerTurn(socket: Socket): void {
  let corked = false;
  const flush = (): void => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };
  const write = socket.write.bind(socket);
  const destroy = socket.destroy.bind(socket);
  socket.write = ((...args: Parameters<typeof write>) => {
    if (!corked && socket.writable) {
      corked = true;
      socket.cork();
      setImmediate(flush);
    }
    return write(...args);
  }) as typeof socket.write;
  socket.destroy = (error?: Error) => {
    flush();
    return destroy(error);
  };
}
