import { types, type Message } from 'rhea';
import { amqpMessage } from './rheaMessage';
import { BrokerError } from '../broker/brokerError';
import type { ResolvedAddress } from '../broker/entityRegistry';
import type { MessageStore } from '../broker/messageStore';
import type { OperationCounts } from '../broker/operationCounts';
import type { StoredMessage } from '../broker/storedMessage';
import { SessionStore } from '../broker/sessionStore';
import { CONDITION } from './conditions';
import { rfcBytesToLockToken, lockTokenToRfcBytes } from './lockToken';
import { encodeForManagement, fromWire } from './messageCodec';
import { ruleOperations } from './ruleManagement';
import { associatedLink, requestedSessionId, sessionOperations, sessionStoreOf } from './sessionManagement';
import { errorMessage } from '../../../shared/errors/errorMessage';
import { wireText } from './wireText';

type Body = Record<string, unknown>;
type Operation = (
  body: Body,
  target: ResolvedAddress,
  properties: Record<string, unknown>,
  counts: OperationCounts | undefined,
) => { status?: number; body?: unknown };

function response(
  request: Message,
  status: number,
  description: string,
  body?: unknown,
  condition?: string,
): Message {
  const properties: Record<string, unknown> = {
    statusCode: types.wrap_int(status),
    statusDescription: description,
  };
  if (condition) properties.errorCondition = condition;
  return {
    ...(request.message_id !== undefined ? { correlation_id: request.message_id } : {}),
    application_properties: properties,
    body: body ?? null,
  };
}

function numbers(value: unknown): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (Buffer.isBuffer(item) ? Number(item.readBigInt64BE(0)) : Number(item)));
}

function lockTokens(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (Buffer.isBuffer(item) ? rfcBytesToLockToken(item) : String(item)));
}

/**
 * The message with no body section at all (what Service Bus answers for omit-message-body; the
 * SDK then gives `body: undefined`). rhea writes an amqp-value null for a missing body, so the
 * body is a section writer that adds nothing (rhea asks a body for its sections this way).
 */
const NO_BODY = { collect_sections: (): void => undefined };

function withoutBody(message: Message): Message {
  return { ...message, body: NO_BODY };
}

function receivable(target: ResolvedAddress): MessageStore {
  if (!target.store)
    throw new BrokerError('InvalidOperation', `'${target.path}' is a topic: receive from a subscription`);
  return target.store;
}

const operations: Record<string, Operation> = {
  ...ruleOperations,
  ...sessionOperations,
  'com.microsoft:peek-message': (body, target) => {
    const from = numbers(body['from-sequence-number'])[0] ?? 1;
    const count = Number(body['message-count'] ?? 1);
    const sessionId = requestedSessionId(body);
    const found =
      sessionId === undefined
        ? receivable(target).peek(from, count)
        : sessionStoreOf(target).peekSession(sessionId, from, count);
    if (found.length === 0) return { status: 204 };
    // PeekMessagesOptions.omitMessageBody: the messages without their body sections.
    const omitBody = body['omit-message-body'] === true;
    const view = (m: StoredMessage): StoredMessage => ({
      ...m,
      lock: undefined,
      amqp: omitBody ? withoutBody(m.amqp) : m.amqp,
    });
    return { body: { messages: found.map((m) => ({ message: encodeForManagement(view(m)) })) } };
  },
  'com.microsoft:renew-lock': (body, target) => {
    const store = receivable(target);
    return {
      body: { expirations: lockTokens(body['lock-tokens']).map((token) => new Date(store.renewLock(token))) },
    };
  },
  'com.microsoft:schedule-message': (body, target, _properties, counts) => {
    const entries = (Array.isArray(body.messages) ? body.messages : []) as Array<Record<string, unknown>>;
    counts?.add(target.path, 'schedule', entries.length);
    const sequenceNumbers = entries.map((entry) => {
      const encoded = entry.message as Buffer;
      const incoming = fromWire(amqpMessage.decode(encoded), encoded.length);
      return target.entity.send(incoming) ?? 0;
    });
    return { body: { 'sequence-numbers': sequenceNumbers.map((n) => types.wrap_long(n)) } };
  },
  'com.microsoft:cancel-scheduled-message': (body, target) => {
    for (const seq of numbers(body['sequence-numbers'])) target.entity.cancelScheduled(seq);
    return {};
  },
  'com.microsoft:receive-by-sequence-number': (body, target, properties) => {
    const mode = Number(body['receiver-settle-mode'] ?? 1) === 0 ? 'receiveAndDelete' : 'peekLock';
    const sequenceNumbers = numbers(body['sequence-numbers']);
    const sessionId = requestedSessionId(body);
    const found =
      sessionId === undefined
        ? receivable(target).receiveDeferred(sequenceNumbers, mode)
        : sessionStoreOf(target).receiveDeferredInSession(
            sessionId,
            sequenceNumbers,
            mode,
            associatedLink(properties),
          );
    return {
      body: {
        messages: found.map((m) => {
          const entry: Record<string, unknown> = { message: encodeForManagement(m) };
          if (m.lock) entry['lock-token'] = types.wrap_uuid(lockTokenToRfcBytes(m.lock.token));
          return entry;
        }),
      },
    };
  },
  'com.microsoft:update-disposition': (body, target, properties, counts) => {
    const store = receivable(target);
    const sessionId = requestedSessionId(body);
    // Deferred messages of a session entity settle only under the session lock; elsewhere a sessionId is just a property.
    if (sessionId !== undefined && store instanceof SessionStore)
      store.assertSessionHeld(sessionId, associatedLink(properties));
    const status = String(body['disposition-status']);
    const modify = body['properties-to-modify'] as Record<string, unknown> | undefined;
    const tokens = lockTokens(body['lock-tokens']);
    counts?.add(target.path, SETTLEMENT_OF_STATUS[status] ?? status, tokens.length);
    for (const token of tokens) {
      if (status === 'completed') store.complete(token);
      else if (status === 'abandoned') store.abandon(token, modify);
      else if (status === 'defered') store.defer(token, modify);
      else if (status === 'suspended') {
        store.deadLetter(token, {
          reason: body['deadletter-reason'] as string | undefined,
          description: body['deadletter-description'] as string | undefined,
          properties: modify,
        });
      } else throw new BrokerError('InvalidOperation', `unknown disposition-status '${status}'`);
    }
    return {};
  },
};

/** update-disposition's statuses as the settlements a receiving link counts. */
const SETTLEMENT_OF_STATUS: Record<string, string> = {
  completed: 'complete',
  abandoned: 'abandon',
  defered: 'defer',
  suspended: 'deadLetter',
};

/** Answers one `$management` request for the entity the link is attached to. */
export function handleManagementRequest(
  request: Message,
  target: ResolvedAddress,
  counts?: OperationCounts,
): Message {
  const properties = (request.application_properties ?? {}) as Record<string, unknown>;
  const operation = wireText(properties.operation) ?? '';
  // Own properties only: a forged name such as `constructor` must not find Object's prototype.
  const handler = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
  // Unknown names are counted together: a client cannot grow the tally with made-up ones.
  counts?.add(
    target.path,
    `management ${handler ? operation.replace(/^com\.microsoft:/, '') : 'unsupported'}`,
  );
  if (!handler)
    return response(
      request,
      501,
      `The operation '${operation}' is not supported by the emulator.`,
      undefined,
      'amqp:not-implemented',
    );
  try {
    const result = handler((request.body ?? {}) as Body, target, properties, counts);
    const status = result.status ?? 200;
    return response(request, status, status === 204 ? 'No Content' : 'OK', result.body);
  } catch (error) {
    if (error instanceof BrokerError) {
      const { condition, status } = CONDITION[error.code];
      return response(request, status, error.message, undefined, condition);
    }
    // A malformed request body: answer it rather than crash the listener.
    const description = errorMessage(error);
    return response(
      request,
      400,
      `Bad request for ${operation}: ${description}`,
      undefined,
      'com.microsoft:argument-error',
    );
  }
}
