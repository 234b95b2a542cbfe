import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when the program could not be started (not installed) or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started, e.g. ENOENT. */
  startError?: string;
}

/** Runs a program to completion and captures its output. Never throws. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 10 * 60_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let startError: string | undefined;
    child.on('error', (error) => {
      startError = error.message;
    });
    child.on('close', (code) => {
      resolve({
        code: startError ? null : code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(startError ? { startError } : {}),
      });
    });
  });
}
