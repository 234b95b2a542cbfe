import { app } from '@azure/functions';
import { startAppTelemetry, stopAppTelemetry } from '../shared/app/appTelemetry';
import { closeAppContext } from '../shared/app/context';
import { readTelemetrySettings } from '../shared/config/telemetrySettings';

// Usually already started by shared/app/context; idempotent, and harmless without a connection string.
startAppTelemetry(readTelemetrySettings());

app.hook.appTerminate(async () => {
  await closeAppContext();
  await stopAppTelemetry();
});
