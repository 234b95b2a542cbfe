import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ServiceBusClient } from '@azure/service-bus';
import { startIssuer } from '../../../local/issuer/index';
import { start as startServiceBusEmulator, type EmulatorConfig } from '../../../local/servicebus-emulator';
import { apiFetch } from '../../support/apiClient';
import { startTestAzurite } from '../../support/azurite';
import { startTestCosmos } from '../../support/cosmos';
import { startWebhookReceiver } from '../../support/webhookReceiver';
import { spawnDevHost } from '../devhost/spawnDevHost';

const REPO_ROOT = resolve(__dirname, '../../..');
export const FUNCTION_KEY = 'e2e-test-key';

/** The local stack's Service Bus entities, plus a queue that a subscription can deliver to. */
function serviceBusConfig(): EmulatorConfig {
  const config = JSON.parse(
    readFileSync(resolve(REPO_ROOT, 'local/stack/servicebus-config.json'), 'utf8'),
  ) as {
    UserConfig: {
      Namespaces: Array<{ Queues: Array<{ Name: string; Properties: Record<string, unknown> }> }>;
    };
  };
  const namespace = config.UserConfig.Namespaces[0];
  if (!namespace) throw new Error('servicebus-config.json has no namespace');
  namespace.Queues.push({
    Name: 'e2e-destination',
    Properties: { LockDuration: 'PT30S', MaxDeliveryCount: 10, DefaultMessageTimeToLive: 'PT1H' },
  });
  return config as unknown as EmulatorConfig;
}

export interface PipelineOptions {
  /** Extra settings for the app, e.g. an empty SWITCHYARD_ALLOWED_PRIVATE_CIDRS. */
  settings?: Record<string, string>;
  /**
   * The app the dev host runs. Default: this repository's functions/ from source. A deployment
   * package's folder runs with its own package.json `main` and node_modules.
   */
  app?: { root: string; main?: string };
  /**
   * Runs the Service Bus emulator in a child process of its own, which the test can pause
   * (SIGSTOP: connections stay open, nothing answers) and resume. Otherwise it runs in-process.
   */
  serviceBusInChildProcess?: boolean;
  /** Runs once the backing services are up, before the dev host starts (and starts receiving). */
  beforeHost?: (serviceBusConnectionString: string) => Promise<void>;
}

interface RunningServiceBus {
  connectionString: string;
  close(): Promise<unknown>;
  /** Only when it runs in a child process. */
  pause?(): void;
  resume?(): void;
}

/** The emulator's CLI in a child process, with the pipeline's configuration in a temporary file. */
async function startServiceBusProcess(config: EmulatorConfig): Promise<RunningServiceBus> {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-sb-'));
  const configFile = join(directory, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/servicebus-emulator/cli.ts',
      '--config',
      configFile,
      '--port',
      '0',
      '--http-port',
      '0',
      '--log-level',
      'quiet',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const connectionString = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`the emulator did not start: ${stderr}`)), 60_000);
      child.once('exit', (code) => fail(new Error(`the emulator exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /^Service Bus emulator ready on port \d+ .*?: (Endpoint=\S+)$/.exec(line);
        if (!match?.[1]) return;
        clearTimeout(timer);
        ready(match[1]);
      });
    });
    return {
      connectionString,
      close,
      pause: () => child.kill('SIGSTOP'),
      resume: () => child.kill('SIGCONT'),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The whole system as a user runs it: Service Bus emulator, Cosmos DB server, Azurite, a
 * webhook receiver, and the dev host running functions/ from source (or the app in `options.app`).
 */
export async function startPipeline(options: PipelineOptions = {}) {
  const started: Array<() => Promise<unknown>> = [];
  try {
    const [serviceBus, cosmos, azurite, receiver, issuer] = await Promise.all([
      options.serviceBusInChildProcess
        ? startServiceBusProcess(serviceBusConfig())
        : startServiceBusEmulator({ config: serviceBusConfig(), port: 0, httpPort: 0 }),
      startTestCosmos('switchyard'),
      startTestAzurite(),
      startWebhookReceiver(),
      startIssuer({ port: 0 }),
    ]);
    started.push(
      () => serviceBus.close(),
      () => cosmos.close(),
      () => azurite.close(),
      () => receiver.close(),
      () => issuer.close(),
    );
    await options.beforeHost?.(serviceBus.connectionString);
    const host = await spawnDevHost({
      appRoot: options.app?.root ?? REPO_ROOT,
      ...(options.app ? (options.app.main ? { main: options.app.main } : {}) : { main: 'functions/*.ts' }),
      env: {
        FUNCTIONS_WORKER_RUNTIME: 'node',
        ServiceBusConnection: serviceBus.connectionString,
        CosmosDbConnection: cosmos.server.connectionString,
        PayloadStorageConnection: azurite.connectionString,
        AzureWebJobsStorage: azurite.connectionString,
        SWITCHYARD_COSMOS_DATABASE: 'switchyard',
        SWITCHYARD_ADMIN_KEY: FUNCTION_KEY,
        SWITCHYARD_AUTH_ISSUER: issuer.url,
        SWITCHYARD_AUTH_AUDIENCE: issuer.audience,
        SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
        SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '1',
        APPLICATIONINSIGHTS_CONNECTION_STRING: '',
        ...options.settings,
      },
    });
    started.push(() => host.stop());
    const serviceBusClient = new ServiceBusClient(serviceBus.connectionString);
    started.push(() => serviceBusClient.close());

    /** Every call goes through apiFetch: its answer is checked against docs/openapi.json. */
    async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const answer = await apiFetch(`${host.url}/api${path}`, {
        method,
        headers: {
          'x-functions-key': FUNCTION_KEY,
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return { ...answer, json: answer.json as Record<string, unknown> };
    }

    return {
      host,
      issuer,
      receiver,
      serviceBus: serviceBus as RunningServiceBus,
      azurite,
      serviceBusClient,
      cosmos,
      api,
      /** Publishes one structured CloudEvent and returns its eventKey. */
      async publish(topic: string, event: Record<string, unknown>) {
        const response = await api(
          'POST',
          `/topics/${topic}/events`,
          JSON.stringify({ specversion: '1.0', ...event }),
          {
            'content-type': 'application/cloudevents+json',
          },
        );
        if (response.status !== 202) throw new Error(`publish answered ${response.status}: ${response.text}`);
        const accepted = response.json.accepted as Array<{ eventKey: string }>;
        return accepted[0]?.eventKey ?? '';
      },
      async createWebhookSubscription(
        topic: string,
        name: string,
        path: string,
        extra: Record<string, unknown> = {},
      ) {
        const response = await api('PUT', `/topics/${topic}/subscriptions/${name}`, {
          destination: { endpointType: 'WebHook', endpointUrl: receiver.url(path) },
          filter: {},
          ...extra,
        });
        if (response.status !== 201) {
          throw new Error(`subscription PUT answered ${response.status}: ${response.text}`);
        }
        return response.json as { signingSecret: string };
      },
      async eventStatus(eventKey: string) {
        return (await api('GET', `/events/${eventKey}`)).json as {
          deliveries: Array<{
            subscription: string;
            status: string;
            attempts: Array<{ n: number; at: string; outcome: string; httpStatus?: number; error?: string }>;
            deadLetter?: { reason: string; description: string };
          }>;
        };
      },
      async stop() {
        for (const close of started.reverse()) await close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of started.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
