import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');
const CLI = resolve(REPO_ROOT, 'local/devhost/cli.ts');
const READY_LINE = /Dev host listening on (http:\/\/\S+) \((\d+) functions/;

export interface SpawnDevHostOptions {
  /** App directory (package.json, host.json, local.settings.json). */
  appRoot: string;
  /** Overrides package.json `main`, e.g. 'functions/*.ts' for the repo's own app. */
  main?: string;
  /**
   * Environment of the host process. Only these plus PATH/HOME reach it, so a developer's
   * shell settings never leak into a test. Real variables win over local.settings.json.
   */
  env?: Record<string, string>;
  /** Default 0: the host picks a free port and reports it in its ready line. */
  port?: number;
  /** How long to wait for the ready line; default 30 s. */
  readyTimeoutMs?: number;
}

export interface SpawnedDevHost {
  url: string;
  port: number;
  /** Sends SIGTERM (graceful shutdown) and waits for the exit; SIGKILL after 15 s. */
  stop(): Promise<number | null>;
  /** Everything the host printed so far (stdout and stderr, interleaved as received). */
  logs(): string;
  process: ChildProcess;
}

/**
 * Starts the dev host CLI as a child process (`node --import tsx local/devhost/cli.ts`) and
 * resolves once it prints its ready line. A host is one process because of its require hook.
 */
export async function spawnDevHost(options: SpawnDevHostOptions): Promise<SpawnedDevHost> {
  const args = [
    '--import',
    'tsx',
    CLI,
    '--app-root',
    resolve(options.appRoot),
    '--port',
    String(options.port ?? 0),
  ];
  if (options.main) args.push('--main', options.main);
  const baseEnv: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...baseEnv, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const url = await new Promise<string>((ready, fail) => {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(
      () => fail(new Error(`dev host not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = () => {
      const match = READY_LINE.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        // Stop scanning: logs keep growing and the host blocks on a pipe that is read slowly.
        child.stdout?.off('data', onData);
        ready(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`dev host exited with code ${code} before it was ready:\n${output}`));
    }, fail);
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  return { url, port: Number(new URL(url).port), stop, logs: () => output, process: child };
}
