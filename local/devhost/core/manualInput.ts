import { randomUUID } from 'node:crypto';
import type { FunctionPlan } from '../app/planFunctions';
import { toServiceBusInput } from '../servicebus/toServiceBusInvocation';
import { toTimerInput } from '../timer/toTimerInput';
import { newInvocationTraceContext } from './traceContext';
import type { InvocationInput } from './runInvocation';

/**
 * The invocation for a non-HTTP function run by hand (POST /admin/functions/{name}, as the
 * host's admin API offers): a timer gets a timer input, a Service Bus function gets `input` as
 * the message body with first-delivery metadata. Nothing is received from or settled on a broker.
 */
export function toManualInvocationInput(
  plan: FunctionPlan,
  input: string,
  now = new Date(),
): InvocationInput {
  const traceContext = newInvocationTraceContext(plan.name);
  switch (plan.kind) {
    case 'timer':
      return {
        inputData: [
          { name: plan.triggerName, data: toTimerInput({ last: now, next: now, isPastDue: false }, now) },
        ],
        triggerMetadata: {},
        traceContext,
      };
    case 'serviceBus':
      return {
        inputData: [{ name: plan.triggerName, data: toServiceBusInput(input, plan.dataType) }],
        triggerMetadata: {
          DeliveryCount: { int: 1 },
          MessageId: { string: randomUUID() },
          EnqueuedTimeUtc: { string: now.toISOString() },
          ApplicationProperties: { json: '{}' },
        },
        traceContext,
      };
    case 'http':
      throw new Error(`function "${plan.name}" has an HTTP trigger: call its route instead`);
  }
}
