import { randomUUID } from 'node:crypto';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import type { RpcTypedData } from '../core/coreTypes';
import { toTextTypedData } from '../core/toTextTypedData';

/** Trigger input and metadata for one message, in the shapes the host sends them. */
export interface ServiceBusInvocationData {
  input: RpcTypedData;
  triggerMetadata: Record<string, RpcTypedData>;
  /** The sender's traceparent (Diagnostic-Id), if it sent one. */
  parentTraceParent: string | undefined;
}

/**
 * The message body as the trigger input. The receiver does not parse bodies, so a data section
 * arrives as bytes: with dataType "binary" they are passed as bytes (a Buffer in the handler),
 * otherwise as a UTF-8 string that the library turns into an object when it is JSON, as on
 * Azure. Value sections (strings, numbers, maps) are passed as a string or JSON.
 */
export function toServiceBusInput(body: unknown, dataType: string | undefined): RpcTypedData {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    return dataType === 'binary' ? { bytes: body } : { string: Buffer.from(body).toString('utf8') };
  }
  if (typeof body === 'string') {
    return dataType === 'binary' ? { bytes: Buffer.from(body, 'utf8') } : { string: body };
  }
  if (body === undefined || body === null) return { string: '' };
  return { json: JSON.stringify(body) };
}

/**
 * Trigger metadata with the host's (PascalCase) names; the library lower-camel-cases the keys
 * (and keys inside ApplicationProperties), so handlers read triggerMetadata.deliveryCount etc.
 */
export function toServiceBusTriggerMetadata(
  message: ServiceBusReceivedMessage,
  functionName: string,
  now = new Date(),
): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {};
  const put = (key: string, value: RpcTypedData | undefined) => {
    if (value) metadata[key] = value;
  };
  const text = (value: string | number | Buffer | undefined) =>
    value === undefined ? undefined : toTextTypedData(String(value));
  const time = (value: Date | undefined) => (value ? toTextTypedData(value.toISOString()) : undefined);
  const applicationProperties = { json: JSON.stringify(message.applicationProperties ?? {}) };

  // The JS SDK reports the AMQP header (prior attempts, 0 on the first delivery); the host runs
  // on the .NET SDK, which adds one for received messages, so functions see 1 on first delivery.
  put('DeliveryCount', { int: (message.deliveryCount ?? 0) + 1 });
  put('DeadLetterSource', text(message.deadLetterSource));
  put('LockToken', text(message.lockToken));
  put('ExpiresAtUtc', time(message.expiresAtUtc));
  put('EnqueuedTimeUtc', time(message.enqueuedTimeUtc));
  put('MessageId', text(message.messageId));
  put('ContentType', text(message.contentType));
  put('ReplyTo', text(message.replyTo));
  put(
    'SequenceNumber',
    message.sequenceNumber === undefined ? undefined : { int: message.sequenceNumber.toNumber() },
  );
  put('To', text(message.to));
  put('Subject', text(message.subject));
  put('Label', text(message.subject));
  put('CorrelationId', text(message.correlationId));
  put('ApplicationProperties', applicationProperties);
  put('UserProperties', applicationProperties);
  put('SessionId', text(message.sessionId));
  put('ReplyToSessionId', text(message.replyToSessionId));
  put('PartitionKey', text(message.partitionKey));
  put('sys', {
    json: JSON.stringify({ MethodName: functionName, UtcNow: now.toISOString(), RandGuid: randomUUID() }),
  });
  return metadata;
}

export function toServiceBusInvocationData(
  message: ServiceBusReceivedMessage,
  functionName: string,
  dataType: string | undefined,
): ServiceBusInvocationData {
  const properties = message.applicationProperties ?? {};
  const parent = properties['Diagnostic-Id'] ?? properties.traceparent;
  return {
    input: toServiceBusInput(message.body, dataType),
    triggerMetadata: toServiceBusTriggerMetadata(message, functionName),
    parentTraceParent: typeof parent === 'string' ? parent : undefined,
  };
}

/**
 * Trigger input and metadata for a batch (cardinality many), as the host sends them: the bodies
 * as one collection (bytes with dataType "binary", else strings the library parses as JSON where
 * they are), and each metadata field once, as an array named `<Field>Array` with one entry per
 * message (text fields as a string collection, the others as JSON). The invocation continues no
 * sender's trace: each message carries its own.
 */
export function toServiceBusBatchInvocationData(
  messages: readonly ServiceBusReceivedMessage[],
  functionName: string,
  dataType: string | undefined,
): Omit<ServiceBusInvocationData, 'parentTraceParent'> {
  const inputs = messages.map((message) => toServiceBusInput(message.body, dataType));
  const input: RpcTypedData =
    dataType === 'binary'
      ? { collectionBytes: { bytes: inputs.map((typed) => typed.bytes ?? Buffer.alloc(0)) } }
      : { collectionString: { string: inputs.map((typed) => typed.string ?? typed.json ?? '') } };
  const now = new Date();
  const perMessage = messages.map((message) => toServiceBusTriggerMetadata(message, functionName, now));
  const triggerMetadata: Record<string, RpcTypedData> = {};
  const fields = new Set(perMessage.flatMap((metadata) => Object.keys(metadata)));
  for (const field of fields) {
    if (field === 'sys') continue;
    const values = perMessage.map((metadata) => plainValue(metadata[field]));
    triggerMetadata[`${field}Array`] = values.every((value) => value === null || typeof value === 'string')
      ? { collectionString: { string: values.map((value) => (typeof value === 'string' ? value : '')) } }
      : { json: JSON.stringify(values) };
  }
  const sys = perMessage[0]?.sys;
  if (sys) triggerMetadata.sys = sys;
  return { input, triggerMetadata };
}

function plainValue(value: RpcTypedData | undefined): unknown {
  if (!value) return null;
  if (value.int !== undefined && value.int !== null) return value.int;
  if (value.json !== undefined && value.json !== null) return JSON.parse(value.json) as unknown;
  return value.string ?? null;
}
