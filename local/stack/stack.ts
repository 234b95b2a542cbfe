import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SETTINGS } from '../../shared/config/names';
import { endpointOfConnectionString } from '../../shared/store/cosmosClient';
import { LOCAL_AUDIENCE, startIssuer } from '../issuer/index';
import { startSampleReceiver, type RunningSampleReceiver } from '../sample-receiver/index';
import { startBackingServices } from './backingServices';
import { assertPortsFree } from './checkPorts';
import { spawnDevHostProcess, waitForHealthy, type DevHostProcess } from './devHostProcess';
import { LEGACY_FUNCTION_KEY_SETTING, localAdminKey, localStackTarget } from './localTarget';
import { formatSummary, sampleEvent, samplePublishRequest, type PublishRequest } from './instructions';
import type { SettingValues } from './localSettings';
import type { PortName, StackPorts } from './ports';
import { timedStep, type LogLine } from './progress';
import { RunningParts } from './runningParts';
import { SeedError, seedSampleSubscription, type SeedResult } from './seedSample';
import { externalBySettings, PART_SETTINGS, stackAllowedCidrs, type StackPart } from './stackParts';
import { startTelemetryView } from './telemetryView';
import { errorMessage } from '../../shared/errors/errorMessage';

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
  /** The bootstrap admin key (SWITCHYARD_ADMIN_KEY), sent as Bearer or x-functions-key. */
  functionKey: string;
  /** The token issuer the app trusts: the local one, or the one local.settings.json names. */
  issuerUrl: string;
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

/** An issuer setting pointing elsewhere (Entra ID) is used as is; else the local issuer runs. */
function externalIssuer(settings: SettingValues): string | undefined {
  const issuer = settings[SETTINGS.authIssuer]?.trim();
  if (!issuer) return undefined;
  try {
    return /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(new URL(issuer).hostname) ? undefined : issuer;
  } catch {
    return issuer; // the app names the bad setting
  }
}

function portsToCheck(external: readonly StackPart[], issuer: boolean): PortName[] {
  const names: PortName[] = ['devHost', 'receiver'];
  if (issuer) names.push('issuer');
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
  const healthPath = options.healthPath ?? '/api/health';
  const functionKey = localAdminKey(settings);
  const outsideIssuer = externalIssuer(settings);
  const allowedCidrs = stackAllowedCidrs(settings[SETTINGS.allowedPrivateCidrs]);

  await assertPortsFree(ports, portsToCheck(external, outsideIssuer === undefined));
  for (const part of fromSettings) {
    log(`[stack] not starting ${part}: ${PART_SETTINGS[part]} points at a service elsewhere, used as it is`);
  }

  const parts = new RunningParts(log);
  const partDied = (name: string, detail: string) => parts.partDied(name, detail, options.onUnexpectedExit);
  options.killSignal?.addEventListener('abort', () => parts.kill(), { once: true });
  const checkpoint = () => options.signal?.throwIfAborted();
  try {
    checkpoint();
    const services = await startBackingServices({
      ports,
      settings,
      external,
      dataDir: options.dataDir,
      log,
      parts,
      onDown: partDied,
      checkpoint,
    });
    let issuerUrl = outsideIssuer ?? '';
    let audience = settings[SETTINGS.authAudience]?.trim() || LOCAL_AUDIENCE;
    if (outsideIssuer === undefined) {
      const issuer = await timedStep(
        log,
        'Token issuer',
        () => startIssuer({ port: ports.issuer }),
        (running) => `${running.url} (npm run token -- --roles ...)`,
      );
      parts.add({ name: 'token issuer', stop: () => issuer.close() });
      issuerUrl = issuer.url;
      audience = issuer.audience;
      checkpoint();
    }

    // What the app gets: local.settings.json, with the connections of what actually runs.
    const appSettings: SettingValues = {
      ...settings,
      [SETTINGS.adminKey]: functionKey,
      // The dev host's own stand-in for the Functions host keys (its admin routes); not the app's.
      [LEGACY_FUNCTION_KEY_SETTING]: functionKey,
      [SETTINGS.authIssuer]: issuerUrl,
      [SETTINGS.authAudience]: audience,
      [SETTINGS.allowedPrivateCidrs]: allowedCidrs,
      [SETTINGS.serviceBusConnection]: services.serviceBusConnectionString,
      [SETTINGS.cosmosConnection]: services.cosmosConnectionString,
      ...(services.storageConnectionString
        ? {
            [SETTINGS.payloadStorageConnection]: services.storageConnectionString,
            AzureWebJobsStorage: services.storageConnectionString,
          }
        : {}),
    };

    const receiver = await timedStep(
      log,
      'Sample webhook receiver',
      () => startSampleReceiver({ port: ports.receiver, log }),
      (running) => running.url,
    );
    parts.add({ name: 'sample webhook receiver', stop: () => receiver.close() });
    checkpoint();

    let processEnv: SettingValues = {};
    if (options.telemetry) {
      const view = await timedStep(
        log,
        'Fake App Insights',
        () => startTelemetryView(join(options.dataDir, 'fake-appinsights'), log),
        (running) =>
          running ? `${running.url} (live view: lines starting with [telemetry])` : 'not available',
      );
      if (view) {
        parts.add({ name: 'fake Application Insights', stop: () => view.close() });
        Object.assign(appSettings, view.settings);
        processEnv = view.processEnv;
      }
    }

    const devHost = await timedStep(
      log,
      'Dev host',
      async () => {
        const child = spawnDevHostProcess({
          repoRoot: REPO_ROOT,
          appRoot: resolve(options.appRoot ?? REPO_ROOT),
          main: options.main ?? 'functions/*.ts',
          port: ports.devHost,
          env: { ...inheritedEnvironment(), ...appSettings, ...processEnv },
          output: options.devHostOutput,
        });
        parts.add({ name: 'dev host', stop: () => child.stop(), kill: () => child.kill() });
        await waitForHealthy(child, healthPath, options.healthTimeoutMs ?? 60_000, options.signal);
        return child;
      },
      (child) => `${child.url}/api (GET ${healthPath} answered 200)`,
    );
    watchDevHost(devHost, parts, partDied);
    checkpoint();

    const apiUrl = `${devHost.url}/api`;
    let seed: SeedResult | undefined;
    let seedRefused: string | undefined;
    if (options.seed ?? true) {
      const outcome = await timedStep(
        log,
        'Sample subscription',
        async () => {
          try {
            return await seedSampleSubscription({
              apiUrl,
              functionKey,
              endpointUrl: `${receiver.url}/webhooks/orders`,
              secretFile: join(options.dataDir, 'sample-webhook-secret.json'),
            });
          } catch (error) {
            // Refused by the app (the SSRF guard, as in Azure): say why and go on without it.
            if (error instanceof SeedError && error.status === 400)
              return { refused: sampleRefusal(allowedCidrs) };
            throw error;
          }
        },
        (result) =>
          'refused' in result
            ? `not created: ${result.refused}`
            : `${result.created ? 'created' : 'replaced'} ${result.subscriptionUrl}` +
              (result.secret ? '' : ' (signing secret unknown: the receiver cannot verify signatures)'),
      );
      if ('refused' in outcome) seedRefused = outcome.refused;
      else {
        seed = outcome;
        receiver.setSecret(seed.secret);
      }
    }

    const samplePublish = samplePublishRequest(
      apiUrl,
      functionKey,
      sampleEvent(randomBytes(3).toString('hex')),
    );
    const startupMs = Math.round(performance.now() - started);
    const urls = {
      apiUrl,
      healthUrl: devHost.url + healthPath,
      receiverUrl: receiver.url,
      cosmosEndpoint: safeEndpoint(services.cosmosConnectionString),
      ...(services.blobEndpoint ? { blobEndpoint: services.blobEndpoint } : {}),
    };
    const summary = formatSummary({
      ...urls,
      // An outside namespace's connection string carries a real key: show its endpoint only.
      serviceBusConnectionString: external.includes('servicebus')
        ? (/Endpoint=[^;]+/i.exec(services.serviceBusConnectionString)?.[0] ?? '(identity-based connection)')
        : services.serviceBusConnectionString,
      functionKey,
      issuerUrl,
      cliDefault: localStackTarget(process.env),
      // Without the sample subscription the event is still accepted and recorded, matching nothing.
      publish: samplePublish,
      ...(seedRefused ? { sampleNotCreated: seedRefused } : {}),
      startupMs,
    });
    return {
      ...urls,
      serviceBusConnectionString: services.serviceBusConnectionString,
      functionKey,
      issuerUrl,
      receiver,
      ...(seed ? { seed } : {}),
      samplePublish,
      summary,
      ...(devHost.pid !== undefined ? { devHostPid: devHost.pid } : {}),
      startupMs,
      stop: () => parts.stop(),
      kill: () => parts.kill(),
    };
  } catch (error) {
    await parts.stop();
    throw error;
  }
}

/** Why the sample subscription could not be made: the receiver is on loopback, which the allow-list leaves out. */
function sampleRefusal(allowedCidrs: string): string {
  const setting = `${SETTINGS.allowedPrivateCidrs}=${allowedCidrs === '' ? '(empty)' : allowedCidrs}`;
  return (
    `${setting} does not allow the sample receiver on 127.0.0.1, so the SSRF guard refused the webhook as it would in Azure. ` +
    `Published events are accepted and recorded, but nothing is delivered. Set ${SETTINGS.allowedPrivateCidrs}=127.0.0.0/8 (or leave it out) to get the sample.`
  );
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

/** The dev host exiting while the stack is not stopping is a death: say so with its last lines. */
function watchDevHost(
  devHost: DevHostProcess,
  parts: RunningParts,
  partDied: (name: string, detail: string) => void,
): void {
  let watching = true;
  parts.addWatcher(() => (watching = false));
  devHost.exited.then(
    ({ code, signal }) => {
      if (!watching) return;
      const tail = devHost
        .lastLines()
        .slice(-10)
        .map((line) => `  ${line}`)
        .join('\n');
      partDied('dev host', `exited (${signal ?? `code ${code}`}); its last lines:\n${tail}`);
    },
    (error: unknown) => partDied('dev host', `could not be watched: ${errorMessage(error)}`),
  );
}
