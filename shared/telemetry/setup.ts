import type { TokenCredential } from '@azure/identity';

import type { TelemetrySettings } from '../config/telemetrySettings';
import { startMetrics, stopMetrics } from './metrics';
import { azureMonitorOptions } from './options';
import { isTelemetryEnabled, setTelemetryEnabled } from './state';
import { errorMessage } from '../errors/errorMessage';

type ApplicationInsightsModule = typeof import('applicationinsights');
let applicationInsights: ApplicationInsightsModule | undefined;

/**
 * Starts Application Insights once per process (later calls do nothing) when `telemetry` is
 * given (Settings.telemetry: there is a connection string); returns whether telemetry is on.
 * Without it, applicationinsights is not even loaded: no connection, no file, no log, no
 * start-up cost. A connection string the SDK refuses leaves telemetry off with one line on
 * stderr. Call it before the app's other modules load, so the http instrumentation can patch
 * node:http.
 */
export function setupTelemetry(telemetry: TelemetrySettings | undefined): boolean {
  if (isTelemetryEnabled()) return true;
  if (!telemetry) return false;

  // A write, not a read: the exporter reads its switches from the environment, so they go there.
  // eslint-disable-next-line no-restricted-properties
  Object.assign(process.env, telemetry.exporterEnvironment);
  // Loaded here, not at the top: it costs seconds and patches modules, for nothing when off.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  applicationInsights = require('applicationinsights') as ApplicationInsightsModule;
  try {
    applicationInsights.useAzureMonitor(
      azureMonitorOptions(
        telemetry.connectionString,
        managedIdentityCredential(telemetry.entraId),
        telemetry.sampling,
      ),
    );
  } catch (error) {
    // A malformed connection string must not stop the app; say so once and run without.
    console.error(`telemetry disabled: ${errorMessage(error)}`);
    applicationInsights.shutdownAzureMonitor().catch((shutdownError: unknown) => {
      console.error(`telemetry shutdown: ${errorMessage(shutdownError)}`);
    });
    return false;
  }
  setTelemetryEnabled(true);
  startMetrics();
  return true;
}

/** The Entra ID (managed identity) credential when the settings ask for one. */
function managedIdentityCredential(entraId: TelemetrySettings['entraId']): TokenCredential | undefined {
  if (!entraId) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return entraId.clientId
    ? new ManagedIdentityCredential({ clientId: entraId.clientId })
    : new ManagedIdentityCredential();
}

/** Sends what is queued now (spans, logs and a metrics collection). */
export async function flushTelemetry(): Promise<void> {
  if (isTelemetryEnabled()) await applicationInsights?.flushAzureMonitor();
}

/** Flushes, then stops the SDK and its timers; setupTelemetry may start it again. */
export async function shutdownTelemetry(): Promise<void> {
  if (!isTelemetryEnabled()) return;
  await flushTelemetry();
  stopMetrics();
  setTelemetryEnabled(false);
  await applicationInsights?.shutdownAzureMonitor();
}
