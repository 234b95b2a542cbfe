/**
 * The ports of the local stack: defaults, the setting that overrides each one, and what uses it.
 * Pure: reads a settings map, does no I/O.
 */

export interface StackPorts {
  serviceBus: number;
  serviceBusHttp: number;
  cosmos: number;
  azuriteBlob: number;
  azuriteQueue: number;
  azuriteTable: number;
  devHost: number;
  receiver: number;
  issuer: number;
}

export type PortName = keyof StackPorts;

export interface PortSpec {
  /** Who wants the port, as a person would say it. */
  user: string;
  /** The environment variable (or local.settings.json value) that changes it. */
  setting: string;
  /** The `npm start -- --flag` that changes it. */
  flag: string;
  defaultPort: number;
}

export const PORT_SPECS: Record<PortName, PortSpec> = {
  serviceBus: {
    user: 'the Service Bus emulator (AMQP)',
    setting: 'SWITCHYARD_SERVICEBUS_PORT',
    flag: '--servicebus-port',
    defaultPort: 5672,
  },
  serviceBusHttp: {
    user: 'the Service Bus emulator (health)',
    setting: 'SWITCHYARD_SERVICEBUS_HTTP_PORT',
    flag: '--servicebus-http-port',
    defaultPort: 5300,
  },
  cosmos: {
    user: 'the Cosmos DB server',
    setting: 'SWITCHYARD_COSMOS_PORT',
    flag: '--cosmos-port',
    defaultPort: 8081,
  },
  azuriteBlob: {
    user: 'Azurite (blob)',
    setting: 'SWITCHYARD_AZURITE_BLOB_PORT',
    flag: '--azurite-blob-port',
    defaultPort: 10000,
  },
  azuriteQueue: {
    user: 'Azurite (queue)',
    setting: 'SWITCHYARD_AZURITE_QUEUE_PORT',
    flag: '--azurite-queue-port',
    defaultPort: 10001,
  },
  azuriteTable: {
    user: 'Azurite (table)',
    setting: 'SWITCHYARD_AZURITE_TABLE_PORT',
    flag: '--azurite-table-port',
    defaultPort: 10002,
  },
  devHost: {
    user: 'the Functions dev host (HTTP API)',
    setting: 'SWITCHYARD_DEVHOST_PORT',
    flag: '--devhost-port',
    defaultPort: 7071,
  },
  receiver: {
    user: 'the sample webhook receiver',
    setting: 'SWITCHYARD_RECEIVER_PORT',
    flag: '--receiver-port',
    defaultPort: 7072,
  },
  issuer: {
    user: 'the local OpenID token issuer',
    setting: 'SWITCHYARD_ISSUER_PORT',
    flag: '--issuer-port',
    defaultPort: 7073,
  },
};

export const PORT_NAMES = Object.keys(PORT_SPECS) as PortName[];

export class PortSettingError extends Error {
  override name = 'PortSettingError';
}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65_535) {
    throw new PortSettingError(`${where} must be a port number from 1 to 65535, not "${value}"`);
  }
  return port;
}

/**
 * The ports to use: a CLI flag wins over the setting (environment, then local.settings.json),
 * which wins over the default. Two parts on one port is an error naming both.
 */
export function resolvePorts(
  settings: Record<string, string | undefined>,
  flags: Partial<Record<PortName, string>> = {},
): StackPorts {
  const ports = {} as StackPorts;
  for (const name of PORT_NAMES) {
    const spec = PORT_SPECS[name];
    const flag = flags[name];
    const setting = settings[spec.setting];
    ports[name] =
      flag !== undefined
        ? parsePort(flag, spec.flag)
        : setting !== undefined && setting.trim() !== ''
          ? parsePort(setting, spec.setting)
          : spec.defaultPort;
  }
  assertDistinct(ports);
  return ports;
}

export function assertDistinct(ports: StackPorts): void {
  const owners = new Map<number, PortName>();
  for (const name of PORT_NAMES) {
    const other = owners.get(ports[name]);
    if (other !== undefined) {
      throw new PortSettingError(
        `port ${ports[name]} is given to both ${PORT_SPECS[other].user} (${PORT_SPECS[other].setting}) and ${PORT_SPECS[name].user} (${PORT_SPECS[name].setting})`,
      );
    }
    owners.set(ports[name], name);
  }
}
