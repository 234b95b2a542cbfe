import type { TokenCredential } from '@azure/identity';

import { SETTINGS } from '../config/names';
import { startMetrics, stopMetrics } from './metrics';
import { aadAuthentication, azureMonitorOptions, statsbeatEnvironment } from './options';
import { isTelemetryEnabled, setTelemetryEnabled } from './state';
import { errorMessage } from '../errors/errorMessage';

type ApplicationInsightsModule = typeof import('applicationinsights');
let applicationInsights: ApplicationInsightsModule | undefined;

/**
 * Starts Application Insights once per process (later calls do nothing) if
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set; returns whether telemetry is on. Without it,
 * applicationinsights is not even loaded: no connection, no file, no log, no start-up cost.
 * A connection string the SDK refuses leaves telemetry off with one line on stderr.
 * Call it before the app's other modules load, so the http instrumentation can patch node:http.
 */
export function setupTelemetry(): boolean {
  if (isTelemetryEnabled()) return true;
  const env = process.env;
  const connectionString = env[SETTINGS.appInsightsConnection]?.trim();
  if (!connectionString) return false;

  // The exporter reads its switches from process.env, so they go there.
  Object.assign(env, statsbeatEnvironment(env));
  // Loaded here, not at the top: it costs seconds and patches modules, for nothing when off.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  applicationInsights = require('applicationinsights') as ApplicationInsightsModule;
  try {
    applicationInsights.useAzureMonitor(azureMonitorOptions(connectionString, managedIdentityCredential(env)));
  } catch (error) {
    // A malformed connection string must not stop the app; say so once and run without.
    console.error(`telemetry disabled: ${errorMessage(error)}`);
    void applicationInsights.shutdownAzureMonitor().catch(() => undefined);
    return false;
  }
  setTelemetryEnabled(true);
  startMetrics();
  return true;
}

/** Entra ID (managed identity) credential when APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks for it. */
function managedIdentityCredential(env: NodeJS.ProcessEnv): TokenCredential | undefined {
  const aad = aadAuthentication(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  if (!aad) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return aad.clientId ? new ManagedIdentityCredential({ clientId: aad.clientId }) : new ManagedIdentityCredential();
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
