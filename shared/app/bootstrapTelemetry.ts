/**
 * Imported for its effect, first thing in shared/app/context (which every function loads):
 * telemetry must start before @azure/service-bus, @azure/cosmos and node:http are loaded, or
 * their calls are not recorded. Function files load in any order, so no single one can do it.
 */
import { readTelemetrySettings } from '../config/telemetrySettings';
import { startAppTelemetry } from './appTelemetry';

startAppTelemetry(readTelemetrySettings());
