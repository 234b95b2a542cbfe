import type { BrokerErrorCode } from '../broker/brokerError';

/** AMQP error conditions and management status codes the SDK maps back to ServiceBusError codes. */
export const CONDITION: Record<BrokerErrorCode, { condition: string; status: number }> = {
  MessageLockLost: { condition: 'com.microsoft:message-lock-lost', status: 410 },
  MessageNotFound: { condition: 'com.microsoft:message-not-found', status: 404 },
  QuotaExceeded: { condition: 'amqp:resource-limit-exceeded', status: 403 },
  MessageSizeExceeded: { condition: 'amqp:link:message-size-exceeded', status: 403 },
  MessagingEntityNotFound: { condition: 'amqp:not-found', status: 404 },
  UnauthorizedAccess: { condition: 'amqp:unauthorized-access', status: 401 },
  InvalidOperation: { condition: 'amqp:not-allowed', status: 400 },
  NotImplemented: { condition: 'amqp:not-implemented', status: 501 },
  SessionLockLost: { condition: 'com.microsoft:session-lock-lost', status: 410 },
  SessionCannotBeLocked: { condition: 'com.microsoft:session-cannot-be-locked', status: 409 },
  MessagingEntityAlreadyExists: { condition: 'com.microsoft:entity-already-exists', status: 409 },
  ArgumentError: { condition: 'com.microsoft:argument-error', status: 400 },
};

export const DEAD_LETTER_CONDITION = 'com.microsoft:dead-letter';

/** Largest message accepted (Standard tier), advertised as max_message_size on attach. */
export const MAX_MESSAGE_SIZE = 256 * 1024;
