import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LogLine } from './progress';

export interface TelemetryView {
  url: string;
  /** App settings that send the app's telemetry to the fake ingestion. */
  settings: Record<string, string>;
  /** Process-level variables (read by Node at start, so they go in the child's environment). */
  processEnv: Record<string, string>;
  close(): Promise<void>;
}

const FAKE_APPINSIGHTS_DIR = resolve(__dirname, '../fake-appinsights');

/**
 * `--telemetry`: when local/fake-appinsights is there, starts it, prints each envelope as it
 * arrives (the live view) and returns the settings pointing the app at it. Otherwise says the
 * flag is ignored and returns undefined. Loaded lazily so the stack never depends on it.
 */
export async function startTelemetryView(certDir: string, log: LogLine): Promise<TelemetryView | undefined> {
  if (
    !existsSync(join(FAKE_APPINSIGHTS_DIR, 'fakeIngestion.ts')) &&
    !existsSync(join(FAKE_APPINSIGHTS_DIR, 'fakeIngestion.js'))
  ) {
    log('[stack] --telemetry: local/fake-appinsights is not there yet; ignoring the flag');
    return undefined;
  }
  const { startFakeIngestion } = await import('../fake-appinsights/fakeIngestion');
  const { formatEnvelope } = await import('../fake-appinsights/formatEnvelope');
  const ingestion = await startFakeIngestion({ port: 0, certDir });
  log(
    `[stack] ${'Fake App Insights'.padEnd(24)} ${ingestion.url} (live view: telemetry lines start with [telemetry])`,
  );
  ingestion.onEnvelope((envelope) => log(`[telemetry] ${formatEnvelope(envelope)}`));
  return {
    url: ingestion.url,
    settings: { APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString },
    processEnv: { NODE_EXTRA_CA_CERTS: ingestion.certPath, APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true' },
    close: () => ingestion.close(),
  };
}
