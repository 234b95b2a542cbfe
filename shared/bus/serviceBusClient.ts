import { ServiceBusClient } from '@azure/service-bus';
import { credentialFor, type ConnectionSetting } from '../config/settings';

/** A ServiceBusClient from a connection string (locally, incl. the emulator) or managed identity. */
export function createServiceBusClient(connection: ConnectionSetting): ServiceBusClient {
  return connection.kind === 'connectionString'
    ? new ServiceBusClient(connection.connectionString)
    : new ServiceBusClient(connection.endpoint, credentialFor(connection));
}
