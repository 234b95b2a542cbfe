import { resolve } from 'node:path';
import { readHostOptions, type ServiceBusHostOptions } from '../../local/devhost/app/readHostOptions';

/**
 * The Service Bus concurrency the function app runs with: host.json's extensions.serviceBus, as
 * the dev host reads it (app setting overrides included). The floor's receivers and the raw
 * emulator run take theirs from here too, so every part of a bench run handles as many messages
 * at once as the pipeline does.
 */
export function hostServiceBusOptions(): ServiceBusHostOptions {
  return readHostOptions(resolve(__dirname, '../..')).serviceBus;
}
