import { createServer } from 'node:net';
import { PORT_SPECS, type PortName, type StackPorts } from './ports';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** True when nothing listens on host:port (we could bind it a moment ago). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Checks every port before anything starts, so a busy port fails fast with a message that names
 * the port, what wanted it and the setting that moves it, instead of half a stack running.
 */
export async function assertPortsFree(
  ports: StackPorts,
  only: readonly PortName[],
  host = '127.0.0.1',
): Promise<void> {
  const busy: string[] = [];
  for (const name of only) {
    if (!(await isPortFree(ports[name], host))) {
      const spec = PORT_SPECS[name];
      busy.push(
        `port ${ports[name]} (wanted by ${spec.user}) is in use: stop what uses it, or set ${spec.setting} / pass ${spec.flag} to pick another`,
      );
    }
  }
  if (busy.length > 0) throw new PortInUseError(busy.join('\n'));
}

/**
 * Ports this process was handed already. The kernel may give a just-closed port out again at
 * once, so two calls in a row (a stack's eight ports) could otherwise name the same port twice.
 */
const handedOut = new Set<number>();

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it) and is new to this process. */
export async function getFreePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    const port = await anyFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('found no free port that was not handed out before in 50 tries');
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
