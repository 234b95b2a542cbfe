/**
 * What every command needs: the target and client (resolved once, on first use, so `--help` and
 * usage errors never read config files), and output as JSON or as lines for people.
 */
import type { Command } from 'commander';
import { createApiClient, expectBody, expectOk, type ApiClient } from './client';
import { localStackTarget } from '../local/stack/localTarget';
import { readConfigFile, resolveTarget, type Target } from './config';
import { UsageError } from './exitCodes';

export interface GlobalOptions {
  json?: boolean;
  profile?: string;
}

export class Session {
  private resolved: Target | undefined;
  private apiClient: Promise<ApiClient> | undefined;

  constructor(
    readonly options: GlobalOptions,
    private readonly env: Record<string, string | undefined>,
  ) {}

  static of(command: Command): Session {
    return new Session(command.optsWithGlobals<GlobalOptions>(), process.env);
  }

  get json(): boolean {
    return this.options.json === true;
  }

  target(): Target {
    this.resolved ??= resolveTarget({
      profile: this.options.profile,
      env: this.env,
      config: readConfigFile(this.env),
      local: localStackTarget(this.env),
    });
    return this.resolved;
  }

  client(): Promise<ApiClient> {
    this.apiClient ??= createApiClient(this.target());
    return this.apiClient;
  }

  /** Awaits a call that answers with a body; see expectBody. */
  body<Data>(pending: Promise<{ data?: Data; error?: unknown; response: Response }>): Promise<Data> {
    return expectBody(this.target(), pending);
  }

  /** Awaits a call whose success may have no body (204). */
  ok<Data>(pending: Promise<{ data?: Data; error?: unknown; response: Response }>) {
    return expectOk(this.target(), pending);
  }

  /** Prints `value` as JSON with --json, else the lines `human` makes of it. */
  print<Value>(value: Value, human: (value: Value) => string[]): void {
    const text = this.json ? JSON.stringify(value, null, 2) : human(value).join('\n');
    if (text !== '') process.stdout.write(`${text}\n`);
  }

  /** A note for people on stderr (never in the way of --json output on stdout). */
  note(line: string): void {
    process.stderr.write(`${line}\n`);
  }
}

/** A whole number from an option, or a usage error naming the option. Pure. */
export function positiveInteger(value: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}, not "${value}"`);
  }
  return number;
}
