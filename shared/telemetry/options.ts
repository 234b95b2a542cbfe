import type { TokenCredential } from '@azure/identity';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { AzureMonitorOpenTelemetryOptions } from 'applicationinsights';
import { z } from 'zod';
import { SETTINGS } from '../config/names';

/** Where the Azure Monitor exporter fetches its dynamic configuration. */
const SDK_SETTINGS_HOST = 'settings.sdk.monitor.azure.com';

/** Cloud role name: the app's name on the Application Map and in `cloud_RoleName`. */
export const CLOUD_ROLE_NAME = 'switchyard';

/**
 * Outgoing calls only. In Azure the host owns incoming HTTP (the worker gets invocations over
 * gRPC); locally the dev host's server would add a second request per publish. The distro types
 * `http` as the generic InstrumentationConfig but hands it to HttpInstrumentation, which reads
 * this option. Not `ignoreIncomingRequestHook`: an ignored request runs with tracing
 * suppressed, so nothing the function does while serving it (its request span, Service Bus
 * sends, Cosmos calls) would be recorded.
 */
const OUTGOING_HTTP_ONLY: {
  enabled: boolean;
  disableIncomingRequestInstrumentation: boolean;
  ignoreOutgoingRequestHook: (request: { hostname?: string | null; host?: string | null }) => boolean;
} = {
  enabled: true,
  disableIncomingRequestInstrumentation: true,
  // The exporter polls this Microsoft settings endpoint itself (no switch turns it off); its
  // calls are not the app's work and, offline, would show as failed dependencies + exceptions.
  ignoreOutgoingRequestHook: (request) =>
    (request.hostname ?? request.host ?? '').split(':')[0] === SDK_SETTINGS_HOST,
};

/** What the sampler keeps: a ratio of traces, or at most so many traces per second. */
export interface TelemetrySampling {
  samplingRatio: number;
  /** 0 selects the ratio; more selects the distro's rate-limited sampler. */
  tracesPerSecond: number;
}

/** Every trace kept: the default, and what local runs and tests count on. */
export const KEEP_EVERY_TRACE: TelemetrySampling = { samplingRatio: 1, tracesPerSecond: 0 };

const tracesPerSecondSchema = z.coerce.number().min(0).max(1000);

/**
 * Reads SWITCHYARD_TELEMETRY_TRACES_PER_SECOND: unset, empty or 0 keeps every trace; a positive
 * number caps each instance at that many traces per second (their logs go with them). A value
 * that is not a number from 0 to 1000 keeps every trace and says so once: telemetry settings
 * never stop the app.
 */
export function samplingFromSetting(value: string | undefined): TelemetrySampling {
  if (value === undefined || value.trim() === '') return KEEP_EVERY_TRACE;
  const parsed = tracesPerSecondSchema.safeParse(value.trim());
  if (!parsed.success) {
    console.error(
      `telemetry sampling: ${SETTINGS.telemetryTracesPerSecond} must be a number from 0 to 1000; keeping every trace`,
    );
    return KEEP_EVERY_TRACE;
  }
  return parsed.data === 0 ? KEEP_EVERY_TRACE : { samplingRatio: 1, tracesPerSecond: parsed.data };
}

/**
 * How Switchyard starts applicationinsights 3.x: every item kept unless `sampling` caps it, no offline
 * storage on disk (a Functions instance's disk is not where telemetry should queue), no live
 * metrics, and only the instrumentations the app uses (http, Azure SDK: Service Bus, Cosmos, Blob).
 */
export function azureMonitorOptions(
  connectionString: string,
  credential?: TokenCredential,
  sampling: TelemetrySampling = KEEP_EVERY_TRACE,
): AzureMonitorOpenTelemetryOptions {
  return {
    azureMonitorExporterOptions: {
      connectionString,
      disableOfflineStorage: true,
      ...(credential && { credential }),
    },
    resource: resourceFromAttributes({ 'service.name': CLOUD_ROLE_NAME }),
    // Set both: the distro's own default is a rate-limited sampler (5 traces/s).
    samplingRatio: sampling.samplingRatio,
    tracesPerSecond: sampling.tracesPerSecond,
    // A sampled-out trace's logs go with it, so the cap bounds logs too (logs outside a trace stay).
    enableTraceBasedSamplingForLogs: true,
    enableLiveMetrics: false,
    // Its process handlers would swallow unhandled rejections (the process no longer exits on
    // them) only when telemetry is on; withSpan records errors in their operation instead.
    enableAutoCollectExceptions: false,
    enableStandardMetrics: true,
    // The Functions platform already reports CPU and memory; skip the per-second collection.
    enablePerformanceCounters: false,
    enableAutoCollectPerformance: false,
    instrumentationOptions: {
      http: OUTGOING_HTTP_ONLY,
      azureSdk: { enabled: true },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      console: { enabled: false },
    },
  };
}

/**
 * Statsbeat (the SDK's own usage telemetry, sent to Microsoft) is off outside Azure: a local
 * run has no business calling out. Azure App Service / Functions always set WEBSITE_INSTANCE_ID.
 * The exporter reads these variables itself, so they must be set before it starts.
 */
export function statsbeatEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  if (env.WEBSITE_INSTANCE_ID) return {};
  return {
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED ?? 'true',
    // The exporter's older switch; the one above only stops the non-essential part.
    APPLICATION_INSIGHTS_NO_STATSBEAT: env.APPLICATION_INSIGHTS_NO_STATSBEAT ?? 'true',
  };
}

/**
 * Reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("Authorization=AAD;ClientId=<guid>"), the
 * setting the Functions host uses to send with Entra ID when the Application Insights resource
 * has local auth disabled (as infra/ deploys it). The exporter does not read it itself, so
 * without this the worker's telemetry would be refused. Undefined: use the connection string alone.
 */
export function aadAuthentication(value: string | undefined): { clientId?: string } | undefined {
  if (!value?.trim()) return undefined;
  const pairs = new Map(
    value
      .split(';')
      .filter((pair) => pair.includes('='))
      .map((pair) => {
        const [key = '', ...rest] = pair.split('=');
        return [key.trim().toLowerCase(), rest.join('=').trim()] as const;
      }),
  );
  if (pairs.get('authorization')?.toUpperCase() !== 'AAD') return undefined;
  const clientId = pairs.get('clientid');
  return clientId ? { clientId } : {};
}
