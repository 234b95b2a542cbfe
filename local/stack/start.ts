/**
 * `npm start [-- options]`: the whole of Switchyard on this machine, no Docker, no Azure.
 * `npm start -- --help` lists the options (ports, --no-seed, --telemetry, --external, ...).
 * The CLI around startStack (stack.ts): settings, ports, signals, printing.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureLocalSettingsFile, readSettingValues, withEnvironment } from './localSettings';
import { PORT_NAMES, PORT_SPECS, resolvePorts, type PortName } from './ports';
import { REPO_ROOT, startStack, type RunningStack } from './stack';
import { EXTERNAL_PARTS_SETTING, parseExternalParts, STACK_PARTS } from './stackParts';
import { errorMessage } from '../../shared/errors/errorMessage';

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
      settings: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const flags: Partial<Record<PortName, string>> = {};
  const given: Record<string, unknown> = values;
  for (const name of PORT_NAMES) {
    const value = given[PORT_SPECS[name].flag.slice(2)];
    if (typeof value === 'string') flags[name] = value;
  }
  return {
    help: values.help === true,
    portFlags: flags,
    seed: values['no-seed'] !== true,
    telemetry: values.telemetry === true,
    external: typeof values.external === 'string' ? values.external : undefined,
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
    settingsFile: typeof values.settings === 'string' ? values.settings : undefined,
  };
}

const SAME_PRESS_MS = 500;

const option = (flag: string, text: string): string => `  ${flag.padEnd(26)}${text}`;

const USAGE = [
  'npm start [-- options]: Service Bus emulator, Cosmos DB server, Azurite, the sample webhook receiver',
  'and the dev host running functions/, with a sample subscription. Ctrl-C stops everything.',
  '',
  option('--no-seed', 'do not create the sample subscription orders/sample-webhook'),
  option('--telemetry', 'send telemetry to local/fake-appinsights and print it live'),
  option('--external LIST', `parts not to start (${STACK_PARTS.join(',')}): their settings are used as`),
  option('', `they are (or ${EXTERNAL_PARTS_SETTING}). A part whose connection setting points`),
  option('', 'elsewhere than this machine (or is identity-based) is never started.'),
  option('--data-dir DIR', 'Azurite data and the sample signing secret (default .local)'),
  option('--settings FILE', 'settings file (default local.settings.json, created from the example)'),
  ...PORT_NAMES.map((name) => {
    const spec = PORT_SPECS[name];
    return option(`${spec.flag} N`, `${spec.user}, default ${spec.defaultPort} (or ${spec.setting})`);
  }),
].join('\n');

async function main(): Promise<void> {
  const args = readCommandLine();
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const file = ensureLocalSettingsFile(
    resolve(args.settingsFile ?? join(REPO_ROOT, 'local.settings.json')),
    join(REPO_ROOT, 'local.settings.example.json'),
  );
  if (file.created) {
    console.log(
      `[stack] created ${file.path} from local.settings.example.json (git-ignored: edit it as you like)`,
    );
  }
  const settings = withEnvironment(readSettingValues(file.path), process.env);
  // Port and part settings may sit in local.settings.json or the environment (the latter wins).
  const lookup = { ...settings, ...process.env };
  const ports = resolvePorts(lookup, args.portFlags);
  const external = parseExternalParts(args.external ?? lookup[EXTERNAL_PARTS_SETTING]);
  const dataDir = resolve(args.dataDir ?? join(REPO_ROOT, '.local'));

  const starting = new AbortController();
  const killing = new AbortController();
  let stack: RunningStack | undefined;
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal (to the whole process group) and relayed by
    // the tsx wrapper when this process was busy for a moment. Count presses, not deliveries.
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    if (firstSignalAt !== undefined) {
      console.log(`[stack] ${signal} again: exiting now`);
      killing.abort();
      process.exit(130);
    }
    firstSignalAt = Date.now();
    console.log(`[stack] ${signal}: stopping (press Ctrl-C again to force)`);
    if (!stack) {
      starting.abort(new Error(`${signal} during start-up`));
      return;
    }
    stack.stop().then(
      () => {
        console.log('[stack] stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`[stack] could not stop: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
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
      killSignal: killing.signal,
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
  console.error(`[stack] could not start: ${errorMessage(error)}`);
  process.exit(1);
});
