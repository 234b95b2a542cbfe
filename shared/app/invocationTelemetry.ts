import type { FunctionHandler, HttpRequest, InvocationContext, PreInvocationContext } from '@azure/functions';
import {
  type PipelineProperties,
  type SpanOptions,
  type TelemetryAttributes,
  parentFromApplicationProperties,
  withSpan,
} from '../telemetry';
import { applicationPropertiesOf } from './triggerMetadata';

/**
 * Wraps every function invocation in one Application Insights request, so no function has to
 * do it itself: HTTP functions continue the trace the host gives the invocation
 * (traceContext.traceParent); Service Bus functions continue the one their message carries
 * (traceparent / Diagnostic-Id application property). Registered as a preInvocation hook.
 */
export function traceInvocation(hook: PreInvocationContext): void {
  const context = hook.invocationContext;
  const trigger = context.options.trigger;
  const handler = hook.functionHandler;
  if (trigger.type === 'httpTrigger') {
    const request = hook.inputs[0] as HttpRequest;
    const options = httpSpanOptions(request, context, stringOf(trigger.route));
    hook.functionHandler = (...args: Parameters<FunctionHandler>) =>
      withSpan(context.functionName, options, async (span) => {
        const result: unknown = await handler(...args);
        const status = statusOf(result);
        span.setHttpStatus(status);
        if (status >= 500) span.fail(`HTTP ${status}`);
        return result;
      });
  } else if (trigger.type === 'serviceBusTrigger') {
    const options = serviceBusSpanOptions(context, stringOf(trigger.queueName));
    hook.functionHandler = (...args: Parameters<FunctionHandler>) =>
      withSpan(context.functionName, options, (): unknown => handler(...args));
  }
}

/**
 * One message of a batch (cardinality `many`) as a request of its own, continuing the trace that
 * message carries, as a single-message invocation would.
 */
export function traceMessage<T>(
  context: InvocationContext,
  queueName: string,
  work: () => Promise<T>,
): Promise<T> {
  return withSpan(context.functionName, serviceBusSpanOptions(context, queueName), () => work());
}

function httpSpanOptions(
  request: HttpRequest,
  context: InvocationContext,
  route: string | undefined,
): SpanOptions {
  const { topic, name, eventKey } = request.params;
  const properties: PipelineProperties = { topic, subscription: name, eventKey };
  return {
    kind: 'server',
    parent: context.traceContext?.traceParent ?? undefined,
    http: {
      method: request.method,
      url: request.url,
      // The host's route prefix is "api" (host.json); the template names the request.
      ...(route !== undefined ? { route: `/api/${route.replace(/^\/+/, '')}` } : {}),
    },
    attributes: { ...properties, 'faas.invocation_id': context.invocationId },
  };
}

function serviceBusSpanOptions(context: InvocationContext, queueName: string | undefined): SpanOptions {
  const properties = applicationPropertiesOf(context);
  const metadata = context.triggerMetadata ?? {};
  const pipeline: PipelineProperties = {
    topic: stringOf(properties.topic),
    subscription: stringOf(properties.subscription),
    eventKey: stringOf(properties.eventKey),
    deliveryId: stringOf(properties.deliveryId),
    attempt: typeof properties.attempt === 'number' ? properties.attempt : undefined,
  };
  const attributes: TelemetryAttributes = {
    ...pipeline,
    'faas.invocation_id': context.invocationId,
    'messaging.system': 'servicebus',
    'messaging.destination.name': queueName,
    'messaging.message.id': stringOf(metadata.messageId),
    'messaging.servicebus.message.delivery_count':
      typeof metadata.deliveryCount === 'number' ? metadata.deliveryCount : undefined,
  };
  return { kind: 'consumer', parent: parentFromApplicationProperties(properties), attributes };
}

/** The status of what an HTTP handler returned: an HttpResponseInit or HttpResponse (default 200). */
function statusOf(result: unknown): number {
  if (
    typeof result === 'object' &&
    result !== null &&
    'status' in result &&
    typeof result.status === 'number'
  ) {
    return result.status;
  }
  return 200;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
