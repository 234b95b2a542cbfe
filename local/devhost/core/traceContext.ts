import type { RpcTraceContext } from './coreTypes';
import { randomHex } from './randomHex';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C trace context of one invocation. Like the host, the invocation is a new span: it
 * continues the caller's trace when the trigger carried a valid `traceparent` (an HTTP header,
 * or a Service Bus message's Diagnostic-Id) and starts a new trace otherwise.
 */
export function newInvocationTraceContext(
  functionName: string,
  parent?: string,
  traceState?: string,
): RpcTraceContext {
  const match = parent ? TRACEPARENT.exec(parent.trim().toLowerCase()) : null;
  const traceId = match?.[1] && !/^0+$/.test(match[1]) ? match[1] : randomHex(16);
  const flags = match?.[3] ?? '01';
  const spanId = randomHex(8);
  return {
    traceParent: `00-${traceId}-${spanId}-${flags}`,
    traceState: match && traceState ? traceState : '',
    attributes: { OperationName: functionName },
  };
}
