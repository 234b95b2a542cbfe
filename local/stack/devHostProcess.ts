import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface DevHostProcessOptions {
  repoRoot: string;
  appRoot: string;
  /** Glob of the app's entry files, e.g. 'functions/*.ts' (run by tsx, no build step). */
  main: string;
  port: number;
  /** The complete environment of the child: settings included, nothing inherited implicitly. */
  env: Record<string, string>;
  /** Each chunk the host prints (stdout and stderr); none by default. */
  output?: ((chunk: string) => void) | undefined;
  /** How many of the host's last lines to keep for error messages. */
  keepLines?: number;
}

export interface DevHostProcess {
  url: string;
  pid: number | undefined;
  /** The host's last lines, for error messages. */
  lastLines(): string[];
  /** Resolves when the child exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGTERM (graceful: the host drains invocations), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now. */
  kill(): void;
}

/**
 * Starts the dev host as a child process (`node --import tsx local/devhost/cli.ts`): one host
 * per process because it hooks require, and TypeScript sources run as they are.
 */
export function spawnDevHostProcess(options: DevHostProcessOptions): DevHostProcess {
  const cli = resolve(options.repoRoot, 'local/devhost/cli.ts');
  const args = [
    '--import',
    'tsx',
    cli,
    '--app-root',
    options.appRoot,
    '--port',
    String(options.port),
    '--main',
    options.main,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only npm start, which then stops the
    // host in order (after nothing new can arrive) instead of everything dying at once.
    detached: true,
  });
  const keep = options.keepLines ?? 40;
  const lines: string[] = [];
  let partial = '';
  const onChunk = (chunk: Buffer) => {
    const text = chunk.toString();
    options.output?.(text);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.trim() !== ''));
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  };
  child.stdout?.on('data', onChunk);
  child.stderr?.on('data', onChunk);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolveExit({ code, signal });
    });
  });

  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: child.pid,
    lastLines: () => (partial.trim() === '' ? [...lines] : [...lines, partial]),
    exited,
    hasExited: () => done,
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
    async stop(graceMs = 15_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export class DevHostStartError extends Error {
  override name = 'DevHostStartError';
}

/**
 * Polls GET <url><healthPath> until it answers 200. Fails early when the host exits, and after
 * `timeoutMs` with the last status and the host's last lines, so the cause is on screen.
 */
export async function waitForHealthy(
  host: DevHostProcess,
  healthPath: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  const tail = () =>
    `\nLast dev host lines:\n${
      host
        .lastLines()
        .map((line) => `  ${line}`)
        .join('\n') || '  (none)'
    }`;
  for (;;) {
    signal?.throwIfAborted();
    if (host.hasExited()) {
      const { code, signal } = await host.exited;
      throw new DevHostStartError(
        `the dev host exited (${signal ?? `code ${code}`}) before GET ${healthPath} answered 200${tail()}`,
      );
    }
    try {
      const response = await fetch(host.url + healthPath, { signal: AbortSignal.timeout(5_000) });
      const body = await response.text();
      if (response.status === 200) return;
      last = `${response.status} ${body.slice(0, 300)}`;
    } catch (error) {
      last =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
    }
    if (Date.now() > deadline) {
      throw new DevHostStartError(
        `GET ${host.url}${healthPath} did not answer 200 within ${Math.round(timeoutMs / 1000)} s (last: ${last})${tail()}`,
      );
    }
    await delay(200);
  }
}
