import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = join(__dirname, '../..');

export interface ReadyChild<Ready> {
  /** The JSON the child printed after `READY `. */
  ready: Ready;
  pid: number;
  /** The child itself, e.g. for IPC (its stdio has an ipc channel). */
  process: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited after `killAfterMs`. */
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript script of this repository under tsx in a child process and resolves once it
 * prints one line `READY <json>` on stdout; rejects with the tail of its stderr if it exits first.
 * The benchmark's parts (the stack, the floor's backing services and app) start this way.
 */
export async function startReadyChild<Ready>(
  script: string,
  args: string[],
  options: {
    label: string;
    env?: Record<string, string>;
    echoStderr?: boolean;
    killAfterMs?: number;
    /** Options for node itself, e.g. --cpu-prof (which NODE_OPTIONS does not take). */
    nodeArgs?: string[];
  },
): Promise<ReadyChild<Ready>> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    if (options.echoStderr) process.stderr.write(`[${options.label}] ${chunk.toString()}`);
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${options.label} exited (${code}) before it was ready:\n${stderr.join('')}`));
    child.once('exit', onExit);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      child.off('exit', onExit);
      resolve(JSON.parse(line.slice('READY '.length)) as Ready);
    });
  });
  return {
    ready,
    pid: child.pid ?? 0,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
