/**
 * The local stack for the benchmark, in its own process: the Service Bus emulator and the Cosmos
 * DB server run here (startStack runs them in its caller), Azurite and the dev host as its
 * children. Kept apart from the load generator and the webhook receiver so that neither shares
 * an event loop with the broker. Prints one line `READY <json>` on stdout when the dev host
 * answers, then runs until SIGTERM. Ports come as JSON in argv[2]; settings as JSON in argv[3];
 * argv[4] is how many dev hosts to run (default 1). A `SWITCHYARD_STACK_EXTERNAL` setting names
 * parts not to start (their connection settings are used as given), as for `npm start`.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettingValues } from '../../local/stack/localSettings';
import type { StackPorts } from '../../local/stack/ports';
import { REPO_ROOT, startStack } from '../../local/stack/stack';
import { EXTERNAL_PARTS_SETTING, parseExternalParts } from '../../local/stack/stackParts';
import { startExtraDevHosts } from './extraDevHosts';
import { errorMessage } from '../../shared/errors/errorMessage';

export interface StackReady {
  apiUrl: string;
  /** The API of every dev host, apiUrl first. */
  apiUrls: string[];
  functionKey: string;
  serviceBusConnectionString: string;
  /** The emulator's operation counts (GET), when the stack runs the emulator. */
  serviceBusOperationsUrl?: string;
  devHostPids: number[];
  startupMs: number;
}

async function main(): Promise<void> {
  const ports = JSON.parse(process.argv[2] ?? '{}') as StackPorts;
  const extraSettings = JSON.parse(process.argv[3] ?? '{}') as Record<string, string>;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const settings = {
    ...readSettingValues(join(REPO_ROOT, 'local.settings.example.json')),
    ...extraSettings,
  };
  // BENCH_DEVHOST_LOG=<file> keeps the dev host's own log lines (per-invocation timings).
  const logFile = process.env.BENCH_DEVHOST_LOG
    ? createWriteStream(process.env.BENCH_DEVHOST_LOG)
    : undefined;
  const external = parseExternalParts(settings[EXTERNAL_PARTS_SETTING]);
  const stack = await startStack({
    ports,
    settings,
    dataDir,
    seed: false,
    external,
    ...(logFile ? { devHostOutput: (chunk: string) => logFile.write(chunk) } : {}),
    // Start-up lines go to stderr so stdout carries only the READY line.
    log: (line) => process.stderr.write(`${line}\n`),
    onUnexpectedExit: (part) => {
      process.stderr.write(`[bench stack] ${part} stopped unexpectedly\n`);
      process.exit(1);
    },
  });
  const extraHosts = await startExtraDevHosts({
    count: Math.max(0, Number(process.argv[4] ?? '1') - 1),
    repoRoot: REPO_ROOT,
    stack,
    ports,
    settings,
    ...(logFile ? { logFile } : {}),
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  const ready: StackReady = {
    apiUrl: stack.apiUrl,
    apiUrls: [stack.apiUrl, ...extraHosts.map((host) => `${host.url}/api`)],
    functionKey: stack.functionKey,
    serviceBusConnectionString: stack.serviceBusConnectionString,
    ...(external.includes('servicebus')
      ? {}
      : { serviceBusOperationsUrl: `http://127.0.0.1:${ports.serviceBusHttp}/operations` }),
    devHostPids: [stack.devHostPid, ...extraHosts.map((host) => host.pid)].filter(
      (pid): pid is number => pid !== undefined,
    ),
    startupMs: stack.startupMs,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.allSettled(extraHosts.map((host) => host.stop()))
      .then(() => stack.stop())
      .then(
        () => {
          rmSync(dataDir, { recursive: true, force: true });
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`[bench stack] could not stop: ${errorMessage(error)}\n`);
          rmSync(dataDir, { recursive: true, force: true });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent died without stopping us: don't outlive it.
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench stack] could not start: ${errorMessage(error)}\n`);
  process.exit(1);
});
