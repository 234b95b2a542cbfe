import type { WriteStream } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnDevHostProcess, waitForHealthy, type DevHostProcess } from '../../local/stack/devHostProcess';
import { REPO_ROOT } from '../../local/stack/stack';

/**
 * One dev host that the chaos test kills (SIGKILL to its whole process group, as an OOM kill or a
 * lost VM would) and starts again on the same port with the same settings.
 */
export class DevHostSupervisor {
  #host: DevHostProcess | undefined;
  #stopped = false;
  kills = 0;
  /** When each kill was sent (ms since the epoch). */
  readonly killedAtMs: number[] = [];

  constructor(
    private readonly port: number,
    private readonly env: Record<string, string>,
    private readonly log: WriteStream,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the host and waits until GET /api/health answers 200 (everything reachable). */
  async start(timeoutMs = 90_000): Promise<void> {
    const host = this.#spawn();
    await waitForHealthy(host, '/api/health', timeoutMs);
  }

  /** SIGKILL to the host's process group, then a new host; resolves once it answers HTTP. */
  async killAndRestart(timeoutMs = 90_000): Promise<void> {
    const host = this.#host;
    if (host && !host.hasExited() && host.pid !== undefined) {
      this.log.write(`\n[chaos] ${new Date().toISOString()} kill -9 of process group ${host.pid}\n`);
      this.killedAtMs.push(Date.now());
      process.kill(-host.pid, 'SIGKILL');
      await host.exited;
      this.kills += 1;
    }
    const next = this.#spawn();
    await this.#waitUntilAnswering(next, timeoutMs);
  }

  /** Stops the host for good: a restart still under way after this starts nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const host = this.#host;
    this.#host = undefined;
    if (!host || host.hasExited()) return;
    await host.stop(10_000);
    // Anything the host started in its group goes with it.
    if (host.pid !== undefined) {
      try {
        process.kill(-host.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
  }

  #spawn(): DevHostProcess {
    if (this.#stopped) throw new Error('the dev host supervisor was stopped');
    const host = spawnDevHostProcess({
      repoRoot: REPO_ROOT,
      appRoot: REPO_ROOT,
      main: 'functions/*.ts',
      port: this.port,
      env: this.env,
      output: (chunk) => this.log.write(chunk),
      keepLines: 60,
    });
    this.#host = host;
    return host;
  }

  /**
   * Any HTTP answer from /api/health will do: during a Cosmos DB outage a healthy host says 503,
   * and that is the moment it must be running.
   */
  async #waitUntilAnswering(host: DevHostProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (host.hasExited()) {
        throw new Error(`the restarted dev host exited:\n${host.lastLines().join('\n')}`);
      }
      try {
        await fetch(`${host.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the restarted dev host did not answer within ${timeoutMs} ms:\n${host.lastLines().join('\n')}`,
        );
      }
      await delay(100);
    }
  }
}
