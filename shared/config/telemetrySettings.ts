/**
 * The telemetry settings, apart from the others: telemetry starts first thing when the app
 * loads (shared/app/bootstrapTelemetry), before any SDK, so this module loads nothing but them.
 */
import {
  aadAuthentication,
  samplingFromSetting,
  statsbeatEnvironment,
  type TelemetrySampling,
} from '../telemetry/options';
import { SETTINGS } from './names';

export type Environment = Record<string, string | undefined>;

/** How telemetry starts; read apart from the rest, since it must start before any other setting is needed. */
export interface TelemetrySettings {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING. */
  connectionString: string;
  /** APPLICATIONINSIGHTS_AUTHENTICATION_STRING asks for Entra ID: a managed identity, maybe a user-assigned one. */
  entraId?: { clientId?: string };
  /** Switches the exporter reads from the environment itself (statsbeat off outside Azure). */
  exporterEnvironment: Record<string, string>;
  /** SWITCHYARD_TELEMETRY_TRACES_PER_SECOND: every trace kept unless it caps them. */
  sampling: TelemetrySampling;
}

/** The telemetry settings, or undefined without a connection string. Never throws. */
export function readTelemetrySettings(env: Environment = process.env): TelemetrySettings | undefined {
  const connectionString = env[SETTINGS.appInsightsConnection]?.trim() || undefined;
  if (connectionString === undefined) return undefined;
  const entraId = aadAuthentication(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  return {
    connectionString,
    ...(entraId ? { entraId } : {}),
    exporterEnvironment: statsbeatEnvironment(env),
    sampling: samplingFromSetting(env[SETTINGS.telemetryTracesPerSecond]),
  };
}
