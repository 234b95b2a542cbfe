import { context } from '@opentelemetry/api';
import { SeverityNumber, logs } from '@opentelemetry/api-logs';

import { type PipelineProperties, type TelemetryAttributes, toAttributes } from './attributes';
import { currentOperationName } from './spans';
import { isTelemetryEnabled } from './state';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The logging half of an @azure/functions InvocationContext (or console). */
export interface LogSink {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const SEVERITY: Record<LogLevel, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/**
 * Writes `message` to the function's log (`sink`, e.g. the InvocationContext; console when
 * none) and, with telemetry on, to Application Insights `traces` with `properties` as custom
 * dimensions, inside the active operation. Besides the pipeline's properties it may carry a few
 * measured values (e.g. durationMs), which become custom dimensions too.
 */
export function log(
  level: LogLevel,
  message: string,
  properties: PipelineProperties & TelemetryAttributes = {},
  sink: LogSink = console,
): void {
  const suffix = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  sink[level](suffix ? `${message} ${suffix}` : message);

  if (!isTelemetryEnabled()) return;
  logs.getLogger('switchyard').emit({
    severityNumber: SEVERITY[level],
    severityText: level.toUpperCase(),
    body: message,
    attributes: toAttributes({ ...properties, 'ai.operation.name': currentOperationName() }),
    context: context.active(),
  });
}
