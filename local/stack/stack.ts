import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { DEFAULT_COSMOS_DATABASE, SETTINGS } from '../../shared/config/names';
import { readConnection } from '../../shared/config/settings';
import {
  createCosmosClient,
  ensureCosmosResources,
  isLoopbackEndpoint,
  endpointOfConnectionString,
} from '../../shared/store/cosmosClient';
import { start as startServiceBusEmulator } from '../servicebus-emulator/index';
import { startSampleReceiver, type RunningSampleReceiver } from '../sample-receiver/index';
import { startAzurite } from './azurite';
import { assertPortsFree } from './checkPorts';
import { startCosmosServer } from './cosmos';
import { spawnDevHostProcess, waitForHealthy, type DevHostProcess } from './devHostProcess';
import { formatSummary, sampleEvent, samplePublishRequest, type PublishRequest } from './instructions';
import type { SettingValues } from './localSettings';
import type { PortName, StackPorts } from './ports';
import { timedStep, type LogLine } from './progress';
import { seedSampleSubscription, type SeedResult } from './seedSample';
import { externalBySettings, PART_SETTINGS, withLoopbackAllowed, type StackPart } from './stackParts';
import { startTelemetryView } from './telemetryView';
import { watchHttp } from './watchHttp';

export const REPO_ROOT = resolve(__dirname, '../..');

export interface StackOptions {
  ports: StackPorts;
  /** local.settings.json Values with the environment already applied (see localSettings.ts). */
  settings: SettingValues;
  /** Data of what persists: Azurite's files, the sample secret, telemetry certificates. */
  dataDir: string;
  /** The Functions app to run; default the repository itself with functions/*.ts. */
  appRoot?: string;
  main?: string;
  /** Default /api/health. */
  healthPath?: string;
  /** Default 60 s. */
  healthTimeoutMs?: number;
  /** Create the sample subscription; default true. */
  seed?: boolean;
  /** Start the fake Application Insights ingestion and send the app's telemetry to it. */
  telemetry?: boolean;
  /** Parts not to start: their settings are passed to the app unchanged. */
  external?: readonly StackPart[];
  /** Progress and receiver lines; default console.log. */
  log?: LogLine;
  /** The dev host's own output (function logs); dropped by default, kept for error messages. */
  devHostOutput?: (chunk: string) => void;
  /** After a part died unexpectedly and the rest was stopped. */
  onUnexpectedExit?: (part: string) => void;
  /** Aborting during start-up stops what was started and rejects (Ctrl-C while starting). */
  signal?: AbortSignal;
  /** Aborting kills the child processes at once, even during start-up (a second Ctrl-C). */
  killSignal?: AbortSignal;
}

export interface RunningStack {
  apiUrl: string;
  healthUrl: string;
  receiverUrl: string;
  cosmosEndpoint: string;
  serviceBusConnectionString: string;
  blobEndpoint?: string;
  functionKey: string;
  receiver: RunningSampleReceiver;
  seed?: SeedResult;
  /** An order.created event for the sample topic, as the printed curl command sends it. */
  samplePublish: PublishRequest;
  /** The text npm start prints when ready. */
  summary: string;
  devHostPid?: number;
  startupMs: number;
  /** Stops everything in reverse start order; safe to call twice. */
  stop(): Promise<void>;
  /** Kills the child processes at once (a second Ctrl-C); no waiting, no clean shutdown. */
  kill(): void;
}

interface StartedPart {
  name: string;
  stop(): Promise<void>;
  kill?(): void;
}

const DEFAULT_FUNCTION_KEY = 'local-dev-key';

function portsToCheck(external: readonly StackPart[]): PortName[] {
  const names: PortName[] = ['devHost', 'receiver'];
  if (!external.includes('servicebus')) names.push('serviceBus', 'serviceBusHttp');
  if (!external.includes('cosmos')) names.push('cosmos');
  if (!external.includes('azurite')) names.push('azuriteBlob', 'azuriteQueue', 'azuriteTable');
  return names;
}

/**
 * Starts the local stack: Service Bus emulator and Cosmos DB server in this process, Azurite and
 * the dev host as child processes, the sample webhook receiver, then seeds the sample
 * subscription. Every port is checked before anything starts; on any failure what was started
 * is stopped again before the error is thrown.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const fromSettings = externalBySettings(options.settings).filter(
    (part) => !options.external?.includes(part),
  );
  const external = [...(options.external ?? []), ...fromSettings];
  const { ports, settings } = options;
  const appRoot = resolve(options.appRoot ?? REPO_ROOT);
  const healthPath = options.healthPath ?? '/api/health';
  const functionKey = settings[SETTINGS.functionKey] || DEFAULT_FUNCTION_KEY;
  const overrides: SettingValues = {
    [SETTINGS.functionKey]: functionKey,
    [SETTINGS.allowedPrivateCidrs]: withLoopbackAllowed(settings[SETTINGS.allowedPrivateCidrs]),
  };

  await assertPortsFree(ports, portsToCheck(external));
  for (const part of fromSettings) {
    log(`[stack] not starting ${part}: ${PART_SETTINGS[part]} points at a service elsewhere, used as it is`);
  }

  const parts: StartedPart[] = [];
  const watchers: Array<() => void> = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const unwatch of watchers) unwatch();
      for (const part of [...parts].reverse()) {
        const begun = performance.now();
        try {
          await part.stop();
          log(`[stack] stopped ${part.name} (${Math.round(performance.now() - begun)} ms)`);
        } catch (error) {
          log(
            `[stack] stopping ${part.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    })();
    return stopping;
  };
  const unexpected = (part: string, detail: string) => {
    if (stopping) return;
    log(`[stack] ${part} stopped unexpectedly: ${detail}`);
    log('[stack] stopping the rest');
    void stop().then(() => options.onUnexpectedExit?.(part));
  };

  const kill = () => parts.forEach((part) => part.kill?.());
  options.killSignal?.addEventListener('abort', kill, { once: true });
  const checkpoint = () => options.signal?.throwIfAborted();
  try {
    checkpoint();
    let serviceBusConnectionString = settings[SETTINGS.serviceBusConnection] ?? '';
    if (!external.includes('servicebus')) {
      const emulator = await timedStep(
        log,
        'Service Bus emulator',
        () =>
          startServiceBusEmulator({
            config: join(REPO_ROOT, 'local/stack/servicebus-config.json'),
            port: ports.serviceBus,
            httpPort: ports.serviceBusHttp,
            logLevel: 'quiet',
          }),
        (handle) => `amqp://127.0.0.1:${handle.port}, health http://127.0.0.1:${handle.httpPort}/health`,
      );
      parts.push({ name: 'Service Bus emulator', stop: () => emulator.close() });
      serviceBusConnectionString = emulator.connectionString;
    }
    overrides[SETTINGS.serviceBusConnection] = serviceBusConnectionString;
    checkpoint();

    const database = settings[SETTINGS.cosmosDatabase] || DEFAULT_COSMOS_DATABASE;
    let cosmosConnectionString = settings[SETTINGS.cosmosConnection] ?? '';
    if (!external.includes('cosmos')) {
      const cosmos = await timedStep(
        log,
        'Cosmos DB server',
        async () => {
          const server = await startCosmosServer({ port: ports.cosmos });
          parts.push({ name: 'Cosmos DB server', stop: () => server.close() });
          await createDatabase(server.connectionString, database);
          return server;
        },
        (server) => `${server.endpoint}, database "${database}" with its containers`,
      );
      cosmosConnectionString = cosmos.connectionString;
    } else if (isLoopbackCosmos(cosmosConnectionString)) {
      // The official emulator starts empty too; in Azure, Bicep creates them.
      await timedStep(
        log,
        'Cosmos DB (external)',
        () => createDatabase(cosmosConnectionString, database),
        () => `database "${database}" ready`,
      );
    }
    overrides[SETTINGS.cosmosConnection] = cosmosConnectionString;
    checkpoint();

    let blobEndpoint: string | undefined;
    if (!external.includes('azurite')) {
      const azurite = await timedStep(
        log,
        'Azurite',
        () =>
          startAzurite({
            blobPort: ports.azuriteBlob,
            queuePort: ports.azuriteQueue,
            tablePort: ports.azuriteTable,
            location: join(options.dataDir, 'azurite'),
          }),
        (running) => `${running.blobEndpoint}, data in ${join(options.dataDir, 'azurite')}`,
      );
      parts.push({ name: 'Azurite', stop: () => azurite.close() });
      blobEndpoint = azurite.blobEndpoint;
      overrides[SETTINGS.payloadStorageConnection] = azurite.connectionString;
      overrides.AzureWebJobsStorage = azurite.connectionString;
      // A child process we don't own the handle of: notice its death by it no longer answering.
      watchers.push(
        watchHttp(`${azurite.blobEndpoint}?comp=list`, (detail) => unexpected('Azurite', detail)),
      );
    }

    const receiver = await timedStep(
      log,
      'Sample webhook receiver',
      () => startSampleReceiver({ port: ports.receiver, log }),
      (running) => running.url,
    );
    parts.push({ name: 'sample webhook receiver', stop: () => receiver.close() });
    checkpoint();

    const extraEnv: SettingValues = {};
    if (options.telemetry) {
      const view = await timedStep(
        log,
        'Fake App Insights',
        () => startTelemetryView(join(options.dataDir, 'fake-appinsights'), log),
        (started) =>
          started ? `${started.url} (live view: lines starting with [telemetry])` : 'not available',
      );
      if (view) {
        parts.push({ name: 'fake Application Insights', stop: () => view.close() });
        Object.assign(overrides, view.settings);
        Object.assign(extraEnv, view.processEnv);
      }
    }

    const devHost = await timedStep(
      log,
      'Dev host',
      async () => {
        const child = spawnDevHostProcess({
          repoRoot: REPO_ROOT,
          appRoot,
          main: options.main ?? 'functions/*.ts',
          port: ports.devHost,
          env: { ...inheritedEnvironment(), ...settings, ...overrides, ...extraEnv },
          output: options.devHostOutput,
        });
        parts.push({ name: 'dev host', stop: () => child.stop(), kill: () => child.kill() });
        await waitForHealthy(child, healthPath, options.healthTimeoutMs ?? 60_000, options.signal);
        return child;
      },
      (child) => `${child.url}/api (GET ${healthPath} answered 200)`,
    );
    watchDevHost(devHost, unexpected, watchers);
    checkpoint();

    const apiUrl = `${devHost.url}/api`;
    let seed: SeedResult | undefined;
    if (options.seed ?? true) {
      seed = await timedStep(
        log,
        'Sample subscription',
        () =>
          seedSampleSubscription({
            apiUrl,
            functionKey,
            endpointUrl: `${receiver.url}/webhooks/orders`,
            secretFile: join(options.dataDir, 'sample-webhook-secret.json'),
          }),
        (result) =>
          `${result.created ? 'created' : 'replaced'} ${result.subscriptionUrl}` +
          (result.secret ? '' : ' (signing secret unknown: the receiver cannot verify signatures)'),
      );
      receiver.setSecret(seed.secret);
    }

    const samplePublish = samplePublishRequest(
      apiUrl,
      functionKey,
      sampleEvent(randomBytes(3).toString('hex')),
    );
    const startupMs = Math.round(performance.now() - started);
    const summary = formatSummary({
      apiUrl,
      healthUrl: devHost.url + healthPath,
      receiverUrl: receiver.url,
      cosmosEndpoint: safeEndpoint(cosmosConnectionString),
      // An external namespace's connection string carries a real key: show its endpoint only.
      serviceBusConnectionString: external.includes('servicebus')
        ? (/Endpoint=[^;]+/i.exec(serviceBusConnectionString)?.[0] ?? '(identity-based connection)')
        : serviceBusConnectionString,
      blobEndpoint,
      functionKey,
      ...(seed ? { publish: samplePublish } : {}),
      startupMs,
    });
    return {
      apiUrl,
      healthUrl: devHost.url + healthPath,
      receiverUrl: receiver.url,
      cosmosEndpoint: safeEndpoint(cosmosConnectionString),
      serviceBusConnectionString,
      ...(blobEndpoint ? { blobEndpoint } : {}),
      functionKey,
      receiver,
      ...(seed ? { seed } : {}),
      samplePublish,
      summary,
      ...(devHost.pid !== undefined ? { devHostPid: devHost.pid } : {}),
      startupMs,
      stop,
      kill,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function createDatabase(connectionString: string, database: string): Promise<void> {
  const client = createCosmosClient({
    kind: 'connectionString',
    setting: SETTINGS.cosmosConnection,
    connectionString,
  });
  try {
    await ensureCosmosResources(client, database);
  } finally {
    client.dispose();
  }
}

function isLoopbackCosmos(connectionString: string): boolean {
  try {
    const connection = readConnection(
      { [SETTINGS.cosmosConnection]: connectionString },
      SETTINGS.cosmosConnection,
      'accountEndpoint',
    );
    return (
      connection.kind === 'connectionString' &&
      isLoopbackEndpoint(endpointOfConnectionString(connectionString))
    );
  } catch {
    return false;
  }
}

/** The endpoint only: a connection string to a real account carries its key. */
function safeEndpoint(connectionString: string): string {
  try {
    return endpointOfConnectionString(connectionString);
  } catch {
    return '(identity-based connection)';
  }
}

function inheritedEnvironment(): SettingValues {
  const env: SettingValues = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}

function watchDevHost(
  devHost: DevHostProcess,
  unexpected: (part: string, detail: string) => void,
  watchers: Array<() => void>,
): void {
  let watching = true;
  watchers.push(() => (watching = false));
  void devHost.exited.then(({ code, signal }) => {
    if (!watching) return;
    const tail = devHost
      .lastLines()
      .slice(-10)
      .map((line) => `  ${line}`)
      .join('\n');
    unexpected('dev host', `exited (${signal ?? `code ${code}`}); its last lines:\n${tail}`);
  });
}
