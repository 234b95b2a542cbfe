import { app } from '@azure/functions';
import { startAppTelemetry, stopAppTelemetry } from '../shared/app/appTelemetry';
import { closeAppContext } from '../shared/app/context';

// Usually already started by shared/app/context; idempotent, and harmless without a connection string.
startAppTelemetry();

app.hook.appTerminate(async () => {
  await closeAppContext();
  await stopAppTelemetry();
});
