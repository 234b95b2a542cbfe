import type { Attributes } from '@opentelemetry/api';

export type TelemetryValue = string | number | boolean;
/** Span/log attributes; undefined values are dropped, so callers can pass optional fields as is. */
export type TelemetryAttributes = Record<string, TelemetryValue | undefined>;

/**
 * The pipeline's correlation properties. They become custom dimensions with these exact names
 * (customDimensions.eventKey, ...) on requests, dependencies and traces; docs/operations.md
 * queries rely on them.
 */
// A type, not an interface: a type literal is assignable to TelemetryAttributes (its index signature).
export type PipelineProperties = {
  eventKey?: string | undefined;
  topic?: string | undefined;
  subscription?: string | undefined;
  deliveryId?: string | undefined;
  attempt?: number | undefined;
};

export function toAttributes(attributes: TelemetryAttributes | undefined): Attributes {
  const result: Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}
