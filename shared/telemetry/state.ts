/**
 * Whether setupTelemetry started the SDK. Every helper checks it first, so that without a
 * connection string the pipeline pays for nothing and touches no network, file or log.
 */
let enabled = false;

export function isTelemetryEnabled(): boolean {
  return enabled;
}

export function setTelemetryEnabled(value: boolean): void {
  enabled = value;
}
