/**
 * `npm start [-- options]`: the whole of Switchyard on this machine, no Docker, no Azure.
 *
 *   --no-seed                 don't create the sample subscription
 *   --telemetry               send the app's telemetry to local/fake-appinsights and print it live
 *   --external servicebus,cosmos,azurite
 *                             don't start these; use their connection settings as they are
 *                             (also SWITCHYARD_STACK_EXTERNAL)
 *   --devhost-port N, --receiver-port N, --servicebus-port N, --servicebus-http-port N,
 *   --cosmos-port N, --azurite-blob-port N, --azurite-queue-port N, --azurite-table-port N
 *                             (also SWITCHYARD_DEVHOST_PORT etc., see ports.ts)
 *   --data-dir DIR            where Azurite's files and the sample secret live (default .local)
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureLocalSettingsFile, readSettingValues, withEnvironment } from './localSettings';
import { PORT_NAMES, PORT_SPECS, resolvePorts, type PortName } from './ports';
import { REPO_ROOT, startStack, type RunningStack } from './stack';
import { EXTERNAL_PARTS_SETTING, parseExternalParts } from './stackParts';

const portFlags = Object.fromEntries(
  PORT_NAMES.map((name) => [PORT_SPECS[name].flag.slice(2), { type: 'string' as const }]),
) as Record<string, { type: 'string' }>;

function readCommandLine() {
  const { values } = parseArgs({
    options: {
      ...portFlags,
      'no-seed': { type: 'boolean', default: false },
      telemetry: { type: 'boolean', default: false },
      external: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const flags: Partial<Record<PortName, string>> = {};
  const given: Record<string, unknown> = values;
  for (const name of PORT_NAMES) {
    const value = given[PORT_SPECS[name].flag.slice(2)];
    if (typeof value === 'string') flags[name] = value;
  }
  return {
    portFlags: flags,
    seed: values['no-seed'] !== true,
    telemetry: values.telemetry === true,
    external: typeof values.external === 'string' ? values.external : undefined,
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
  };
}

async function main(): Promise<void> {
  const args = readCommandLine();
  const file = ensureLocalSettingsFile(REPO_ROOT);
  if (file.created) {
    console.log(
      `[stack] created local.settings.json from local.settings.example.json (git-ignored: edit it as you like)`,
    );
  }
  const settings = withEnvironment(readSettingValues(file.path), process.env);
  // Port and part settings may sit in local.settings.json or the environment (the latter wins).
  const lookup = { ...settings, ...process.env };
  const ports = resolvePorts(lookup, args.portFlags);
  const external = parseExternalParts(args.external ?? lookup[EXTERNAL_PARTS_SETTING]);
  const dataDir = resolve(args.dataDir ?? join(REPO_ROOT, '.local'));

  const starting = new AbortController();
  let stack: RunningStack | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      console.log(`[stack] ${signal} again: exiting now`);
      stack?.kill();
      process.exit(130);
    }
    console.log(`[stack] ${signal}: stopping (press Ctrl-C again to force)`);
    if (!stack) {
      starting.abort(new Error(`${signal} during start-up`));
      return;
    }
    void stack.stop().then(() => {
      console.log('[stack] stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(
    `[stack] starting Switchyard (data in ${dataDir})${external.length ? `; external: ${external.join(', ')}` : ''}`,
  );
  try {
    stack = await startStack({
      ports,
      settings,
      dataDir,
      seed: args.seed,
      telemetry: args.telemetry,
      external,
      signal: starting.signal,
      devHostOutput: (chunk) => process.stdout.write(chunk),
      onUnexpectedExit: (part) => {
        console.error(`[stack] stopped everything because ${part} stopped`);
        process.exit(1);
      },
    });
  } catch (error) {
    if (starting.signal.aborted) {
      console.log('[stack] stopped');
      process.exit(0);
    }
    throw error;
  }
  console.log(stack.summary);
}

main().catch((error: unknown) => {
  console.error(`[stack] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
