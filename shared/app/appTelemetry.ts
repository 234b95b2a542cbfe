import { app } from '@azure/functions';
import type { TelemetrySettings } from '../config/telemetrySettings';
import { setupTelemetry, shutdownTelemetry } from '../telemetry';
import { traceInvocation } from './invocationTelemetry';

let started = false;

/**
 * Sets telemetry up once for the whole app (every function file loads this through
 * shared/app/context, so it runs before the Azure SDKs are loaded and can be instrumented).
 * Without telemetry settings (no APPLICATIONINSIGHTS_CONNECTION_STRING) it does nothing at all.
 *
 * Order matters: our preInvocation hook is registered before the SDK's own (which
 * useAzureMonitor adds to bind each invocation to the host's trace context), so the SDK's
 * binding runs outside ours and our request span is the active one inside the function.
 */
export function startAppTelemetry(telemetry: TelemetrySettings | undefined): boolean {
  if (started) return true;
  if (!telemetry) return false;
  const hook = app.hook.preInvocation(traceInvocation);
  if (!setupTelemetry(telemetry)) {
    hook.dispose();
    return false;
  }
  started = true;
  return true;
}

/** Flushes and stops telemetry (app shutdown). */
export async function stopAppTelemetry(): Promise<void> {
  await shutdownTelemetry();
}
