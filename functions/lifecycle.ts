import { app } from '@azure/functions';
import { closeAppContext } from '../shared/app/context';
import { setupTelemetry, shutdownTelemetry } from '../shared/telemetry';

// Telemetry first, so what the functions do from their first invocation is traced.
setupTelemetry();

app.hook.appTerminate(async () => {
  await closeAppContext();
  await shutdownTelemetry();
});
