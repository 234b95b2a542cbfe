import { AmqpServer } from './amqp/amqpServer';
import { buildRegistry, type SqlRuleCompiler } from './broker/buildRegistry';
import type { OperationTally } from './broker/operationCounts';
import { loadConfig } from './config/load';
import type { EmulatorConfig } from './config/schema';
import { createAdminHandler } from './http/adminHttp';
import { startHealthServer } from './http/healthServer';
import { createLogger, type LogLevel } from './log';

export type { EmulatorConfig } from './config/schema';
export { ConfigError } from './config/load';
export type { SubscriptionRule, RuleMessage } from './broker/rules';
export type { SqlRuleCompiler } from './broker/buildRegistry';
export type { OperationTally } from './broker/operationCounts';
export { emulatorHttpPolicy } from './http/adminClientPolicy';

export interface EmulatorOptions {
  /** The official emulator's Config.json shape (object), or a path to one. */
  config: EmulatorConfig | string;
  /** AMQP port; 0 = pick a free one; default 5672. */
  port?: number | undefined;
  /** Health/admin HTTP port; 0 = pick; default 5300. */
  httpPort?: number | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default quiet: errors only. */
  logLevel?: LogLevel;
  /** Replaces the built-in SQL rule compiler (sql/) for the config's Sql rules; rarely needed. */
  compileSql?: SqlRuleCompiler | undefined;
}

export interface EmulatorHandle {
  port: number;
  httpPort: number;
  /**
   * `Endpoint=sb://localhost:<port>;...;UseDevelopmentEmulator=true;`: the SDK (7.9) connects in
   * plain TCP to the port given in Endpoint when UseDevelopmentEmulator is true.
   */
  connectionString: string;
  /**
   * `Endpoint=sb://localhost:<httpPort>;...`: for ServiceBusAdministrationClient, with
   * emulatorHttpPolicy added to its pipeline (SDK 7.9 would otherwise use https).
   */
  adminConnectionString: string;
  /** Probe: acceptNextSession calls now waiting on the queue or subscription at `path`. */
  waitingSessionAccepts(path: string): number;
  /**
   * What clients asked so far, per entity path and operation (`send`, `send transfer`,
   * `receive`, `drain`, `complete`, `abandon`, `defer`, `deadLetter`, `schedule`,
   * `management <operation>`); also `GET /operations` on the HTTP port.
   */
  operationCounts(): OperationTally;
  close(): Promise<void>;
}

export const DEFAULT_KEY_NAME = 'RootManageSharedAccessKey';
export const DEFAULT_KEY = 'SAS_KEY_VALUE';

/** Starts the emulator: the AMQP listener and the health endpoint. */
export async function start(options: EmulatorOptions): Promise<EmulatorHandle> {
  const config = loadConfig(options.config);
  const log = createLogger(options.logLevel ?? 'quiet');
  const host = options.host ?? '127.0.0.1';
  const keyName = config.Auth?.SharedAccessKeyName ?? DEFAULT_KEY_NAME;
  const key = config.Auth?.SharedAccessKey ?? DEFAULT_KEY;
  const registry = buildRegistry(config, options.compileSql);
  const amqp = new AmqpServer({ registry, keyName, key, log });
  let port: number;
  try {
    port = await amqp.listen(options.port ?? 5672, host);
  } catch (error) {
    registry.close();
    throw error;
  }
  let health: Awaited<ReturnType<typeof startHealthServer>>;
  try {
    const admin = createAdminHandler({ registry, config, keyName, key, compileSql: options.compileSql, log });
    health = await startHealthServer(options.httpPort ?? 5300, host, admin, () => amqp.counts.snapshot());
  } catch (error) {
    await amqp.close();
    registry.close();
    throw error;
  }
  log.info(`listening on amqp://${host}:${port}, health on http://${host}:${health.port}/health`);
  let closed = false;
  return {
    port,
    httpPort: health.port,
    connectionString: `Endpoint=sb://localhost:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true;`,
    adminConnectionString: `Endpoint=sb://localhost:${health.port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true;`,
    waitingSessionAccepts: (path) => registry.waitingSessionAccepts(path),
    operationCounts: () => amqp.counts.snapshot(),
    async close() {
      if (closed) return;
      closed = true;
      // The AMQP server first: it forgets its links before the registry closes the entities.
      const amqpClosed = amqp.close();
      registry.close();
      await Promise.all([amqpClosed, health.close()]);
    },
  };
}
