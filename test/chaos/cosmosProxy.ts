import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface ProxyCounters {
  /** Client connections accepted and forwarded. */
  connections: number;
  /** Bytes forwarded client -> server and server -> client (TLS records, not read). */
  bytesUp: number;
  bytesDown: number;
  /** Open connections reset by refuse() or reset(). */
  resets: number;
}

export interface CosmosProxy {
  port: number;
  counters(): ProxyCounters;
  /**
   * Until resume(): stops listening, so new connections are refused (ECONNREFUSED), and resets
   * every open one. This is how a stopped or unreachable Cosmos DB looks to the SDK.
   */
  refuse(): Promise<void>;
  /** Resets every open connection and keeps listening (a dropped network path). */
  reset(): void;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1:<port> in front of the Cosmos DB server, which listens on a Unix
 * socket only and names this port in its account document (see local/stack/partProcess.ts): the
 * SDK discovers its endpoint from there, so every request goes through here and cannot route
 * around an outage. TLS passes through untouched.
 */
export async function startCosmosProxy(port: number, upstreamSocketPath: string): Promise<CosmosProxy> {
  const counters: ProxyCounters = { connections: 0, bytesUp: 0, bytesDown: 0, resets: 0 };
  /** Client (TCP) connections, each with its upstream (Unix socket) connection. */
  const open = new Map<Socket, Socket>();
  let server: Server | undefined;

  const onConnection = (client: Socket) => {
    counters.connections += 1;
    const upstream = createConnection(upstreamSocketPath);
    open.set(client, upstream);
    client.on('data', (chunk: Buffer) => (counters.bytesUp += chunk.length));
    upstream.on('data', (chunk: Buffer) => (counters.bytesDown += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        server = next;
        resolve();
      });
    });

  const resetOpen = () => {
    for (const [client, upstream] of open) {
      counters.resets += 1;
      // A TCP RST to the SDK, as a dead peer gives; the Unix socket side just closes.
      client.resetAndDestroy();
      upstream.destroy();
    }
    open.clear();
  };

  const stopListening = async () => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    port,
    counters: () => ({ ...counters }),
    async refuse() {
      const closing = stopListening();
      resetOpen();
      await closing;
    },
    reset: resetOpen,
    async resume() {
      if (server) return;
      // The port was ours a moment ago; an outgoing connection may take it meanwhile (rare):
      // try a few times before failing loudly.
      for (let tries = 1; ; tries += 1) {
        try {
          await listen();
          return;
        } catch (error) {
          if (tries >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async close() {
      const closing = stopListening();
      resetOpen();
      await closing;
    },
  };
}
