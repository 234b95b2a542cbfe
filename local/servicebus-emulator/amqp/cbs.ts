import { types, type Message } from 'rhea';
import type { EntityRegistry } from '../broker/entityRegistry';
import type { Logger } from '../log';
import type { ConnectionState } from './connectionState';
import { normaliseAudience, verifySasToken } from './sasToken';
import { wireText } from './wireText';

export interface CbsOptions {
  registry: EntityRegistry;
  keyName: string;
  key: string;
  log: Logger;
}

function reply(request: Message, status: number, description: string, condition?: string): Message {
  const properties: Record<string, unknown> = {
    'status-code': types.wrap_int(status),
    'status-description': description,
  };
  if (condition) properties['error-condition'] = condition;
  return {
    ...(request.message_id !== undefined ? { correlation_id: request.message_id } : {}),
    application_properties: properties,
    body: null,
  };
}

/**
 * Handles one `put-token` request on `$cbs`: verifies the SAS token against the configured key
 * and authorises the connection for the audience when the entity exists.
 */
export function handleCbsRequest(request: Message, state: ConnectionState, options: CbsOptions): Message {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  if (props.operation !== 'put-token')
    return reply(
      request,
      400,
      `unsupported operation '${wireText(props.operation) ?? ''}'`,
      'amqp:not-implemented',
    );
  const audience = wireText(props.name) ?? '';
  const token = typeof request.body === 'string' ? request.body : '';
  if (props.type !== 'servicebus.windows.net:sastoken') {
    return reply(request, 401, 'only SAS tokens are accepted by the emulator', 'amqp:unauthorized-access');
  }
  const verdict = verifySasToken(token, audience, options.keyName, options.key, Date.now());
  if (!verdict.ok) {
    options.log.error(
      `cbs put-token refused for ${normaliseAudience(audience) || '(namespace)'}: ${verdict.reason}`,
    );
    return reply(request, 401, `InvalidSignature: ${verdict.reason}`, 'amqp:unauthorized-access');
  }
  if (verdict.audience !== '' && !options.registry.resolve(verdict.audience)) {
    return reply(request, 404, `The messaging entity '${audience}' could not be found.`, 'amqp:not-found');
  }
  state.authorise(verdict.audience, verdict.expiresAt);
  return reply(request, 202, 'Accepted');
}
