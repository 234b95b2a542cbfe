import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
} from '@opentelemetry/api';

import { type TelemetryAttributes, toAttributes } from './attributes';
import { redactUrl } from './redactUrl';
import { isTelemetryEnabled } from './state';
import { parseTraceparent } from './traceparent';
import { asError, errorMessage } from '../errors/errorMessage';

export type SpanKindName = 'server' | 'client' | 'internal' | 'consumer' | 'producer';

export interface SpanOptions {
  kind: SpanKindName;
  attributes?: TelemetryAttributes;
  /** A traceparent to continue (e.g. from parentFromApplicationProperties). */
  parent?: string | undefined;
  /** For HTTP server spans: the request name becomes "METHOD route" and the status its result. */
  http?: { method: string; url: string; route?: string };
}

/** What the wrapped function may add to its span. */
export interface SpanHandle {
  setAttributes(attributes: TelemetryAttributes): void;
  /** The HTTP status: the request's/dependency's result code. */
  setHttpStatus(status: number): void;
  /** Marks the operation failed without throwing (e.g. an attempt that will be retried). */
  fail(description: string): void;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  consumer: SpanKind.CONSUMER,
  producer: SpanKind.PRODUCER,
};

/** The exporter reads this attribute for operation_Name on everything but HTTP server spans. */
const OPERATION_NAME_ATTRIBUTE = 'ai.operation.name';
const OPERATION_NAME_KEY = createContextKey('switchyard.operation.name');
const TRACER_NAME = 'switchyard';

const NOOP_HANDLE: SpanHandle = { setAttributes() {}, setHttpStatus() {}, fail() {} };

/**
 * Runs `fn` inside a new span (an Application Insights request for server/consumer kinds, a
 * dependency for the others). A thrown error marks the span failed, is recorded and rethrown.
 * Without telemetry it just calls `fn`.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: SpanHandle) => Promise<T> | T,
): Promise<T> {
  if (!isTelemetryEnabled()) return fn(NOOP_HANDLE);

  const parentContext = parentContextFor(options.parent);
  const isEntry = options.kind === 'server' || options.kind === 'consumer';
  const operationName = isEntry
    ? options.http
      ? `${options.http.method} ${options.http.route ?? pathOf(options.http.url)}`
      : name
    : (parentContext.getValue(OPERATION_NAME_KEY) as string | undefined);

  const attributes = toAttributes({
    ...options.attributes,
    ...(options.http && {
      'http.request.method': options.http.method,
      'url.full': redactUrl(options.http.url),
      'http.route': options.http.route,
    }),
    [OPERATION_NAME_ATTRIBUTE]: operationName,
  });
  const tracer = trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(name, { kind: KINDS[options.kind], attributes }, parentContext);
  const spanContext = trace.setSpan(
    operationName ? parentContext.setValue(OPERATION_NAME_KEY, operationName) : parentContext,
    span,
  );
  try {
    return await context.with(spanContext, () => fn(handleFor(span)));
  } catch (error) {
    span.recordException(asError(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Adds properties to the active span (e.g. the eventKey a request learns while it runs), so
 * they end up on its request/dependency. Does nothing outside a span or without telemetry.
 */
export function annotateActiveSpan(attributes: TelemetryAttributes): void {
  if (!isTelemetryEnabled()) return;
  trace.getActiveSpan()?.setAttributes(toAttributes(attributes));
}

/**
 * Records an error that is handled (e.g. answered with a 500 problem) on the active span: an
 * Application Insights exception in that operation, and the operation marked failed.
 */
export function recordActiveSpanException(error: unknown): void {
  if (!isTelemetryEnabled()) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  span.recordException(asError(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
}

/** The operation name of the active span, for logs (so traces group under their request). */
export function currentOperationName(): string | undefined {
  return context.active().getValue(OPERATION_NAME_KEY) as string | undefined;
}

/**
 * The explicit parent wins, except when the active span already belongs to the same trace:
 * then the active span (e.g. the Functions host's invocation) is the closer parent.
 */
function parentContextFor(parent: string | undefined): Context {
  const active = context.active();
  const remote = parseTraceparent(parent);
  if (!remote) return active;
  if (trace.getSpanContext(active)?.traceId === remote.traceId) return active;
  return trace.setSpanContext(active, remote);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function handleFor(span: Span): SpanHandle {
  return {
    setAttributes: (attributes) => span.setAttributes(toAttributes(attributes)),
    setHttpStatus: (status) => span.setAttribute('http.response.status_code', status),
    fail: (description) => span.setStatus({ code: SpanStatusCode.ERROR, message: description }),
  };
}
