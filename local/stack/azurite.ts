import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Azurite's well-known development account (public; the same in every Azurite). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  /** Data folder: a temp dir for tests, `.local/azurite` for npm start. Created if missing. */
  location: string;
  /** Hide Azurite's access log. */
  silent?: boolean;
  host?: string;
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  blobEndpoint: string;
  /** Its process id (for watching its memory), when it has one. */
  pid: number | undefined;
  connectionString: string;
  close(): Promise<void>;
}

/**
 * Spawns the installed Azurite (blob, queue, table) as a child process, waits until its blob
 * service answers and kills it on close().
 */
export async function startAzurite({
  blobPort,
  queuePort,
  tablePort,
  location,
  silent = true,
  host = '127.0.0.1',
  startTimeoutMs = 30_000,
}: AzuriteOptions): Promise<RunningAzurite> {
  mkdirSync(location, { recursive: true });
  const args = [
    require.resolve('azurite/dist/src/azurite.js'),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    ...['--blobHost', host, '--blobPort', String(blobPort)],
    ...['--queueHost', host, '--queuePort', String(queuePort)],
    ...['--tableHost', host, '--tablePort', String(tablePort)],
    ...['--location', location],
    ...(silent ? ['--silent'] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', silent ? 'ignore' : 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    if (!silent) process.stderr.write(chunk);
  });

  const blobEndpoint = `http://${host}:${blobPort}/${AZURITE_ACCOUNT}`;
  const close = () => stop(child);
  try {
    await waitUntilAnswering(blobEndpoint, child, startTimeoutMs, () => stderr);
  } catch (error) {
    await close();
    throw error;
  }
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    `BlobEndpoint=${blobEndpoint}`,
    `QueueEndpoint=http://${host}:${queuePort}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${tablePort}/${AZURITE_ACCOUNT}`,
  ].join(';');
  return { blobEndpoint, pid: child.pid, connectionString, close };
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite exited (${child.exitCode ?? child.signalCode}) before answering: ${output()}`);
    }
    try {
      // Any HTTP answer (even 400/403 for an unsigned request) means the blob service is up.
      await fetch(`${url}?comp=list`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`Azurite did not answer on ${url} within ${timeoutMs} ms: ${output()}`);
    }
    await delay(100);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}
