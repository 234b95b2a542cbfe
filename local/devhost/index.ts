import { resolve } from 'node:path';
import { loadAppFiles } from './app/loadApp';
import { loadLocalSettings } from './app/loadLocalSettings';
import { describeTrigger, triggerTypeOf } from './app/describePlan';
import { planFunctions, type FunctionPlan, type HttpFunctionPlan } from './app/planFunctions';
import { readHostOptions } from './app/readHostOptions';
import { assertLibraryNotLoaded } from './core/assertLibraryNotLoaded';
import { FunctionApp } from './core/FunctionApp';
import { installCoreModule } from './core/installCoreModule';
import { settleWithin } from './core/settleWithin';
import { toManualInvocationInput } from './core/manualInput';
import { describeError, InvocationRunner } from './core/InvocationRunner';
import { startApp, terminateApp } from './core/startApp';
import { startHttpTrigger } from './http/httpTrigger';
import { flushLogs, setMinimumLogLevel, writeLog } from './log/hostLogger';
import { ServiceBusConnections } from './servicebus/ServiceBusConnections';
import { startServiceBusTrigger } from './servicebus/serviceBusTrigger';
import { startTimerTrigger } from './timer/timerTrigger';
import type { TriggerListener } from './triggerListener';

export interface DevHostOptions {
  /** Directory holding package.json, host.json and (optionally) local.settings.json. */
  appRoot: string;
  /** HTTP port; default local.settings.json Host.LocalHttpPort, else 7071; 0 picks a free one. */
  port?: number | undefined;
  /** HTTP listen address; default 127.0.0.1. */
  host?: string | undefined;
  /** Overrides package.json `main`, e.g. 'functions/*.ts' when running under tsx. */
  main?: string | undefined;
  /** How long shutdown waits for running invocations; default 10 s. */
  shutdownTimeoutMs?: number;
}

export interface RunningDevHost {
  url: string;
  port: number;
  /** One entry per function: "name [triggerType]", as in the ready line. */
  functions: string[];
  close(): Promise<void>;
}

const SETTING_FUNCTION_KEY = 'SWITCHYARD_FUNCTION_KEY';
/** Upper bound of each shutdown step that talks to a broker. */
const STEP_TIMEOUT_MS = 3_000;

/**
 * Runs a Functions app (Node.js v4 programming model) in this process, without the Functions
 * host: provides @azure/functions-core, loads the app, and drives its HTTP, Service Bus and timer
 * triggers with the host's semantics. One app per process (the core module is process-wide).
 */
export async function startDevHost(options: DevHostOptions): Promise<RunningDevHost> {
  const appRoot = resolve(options.appRoot);
  const host = options.host ?? '127.0.0.1';
  const settings = loadLocalSettings(appRoot);
  if (settings.skipped.length > 0) {
    writeLog(
      'information',
      `Settings already in the environment win over local.settings.json: ${settings.skipped.join(', ')}`,
    );
  }
  const hostOptions = readHostOptions(appRoot);
  setMinimumLogLevel(hostOptions.logLevel);

  assertLibraryNotLoaded();
  const app = new FunctionApp();
  installCoreModule(app);
  loadAppFiles(appRoot, options.main);
  await startApp(app, appRoot);
  const plans = planFunctions(
    [...app.functions.values()].map((fn) => fn.metadata),
    process.env,
  );

  for (const fn of app.functions.values()) {
    if (fn.metadata.retryOptions) {
      writeLog('warning', `Function ${fn.metadata.name} sets a retry policy, which the dev host ignores.`);
    }
  }
  const runner = new InvocationRunner(app, hostOptions.functionTimeoutMs);
  const listeners: TriggerListener[] = [];
  const connections = new ServiceBusConnections();
  if (!hostOptions.serviceBus.autoCompleteMessages && plans.some((plan) => plan.kind === 'serviceBus')) {
    writeLog(
      'warning',
      'host.json sets autoCompleteMessages to false: Service Bus messages are never settled and come back when their lock expires.',
    );
  }
  const http = await startHttpTrigger(app, plans.filter(isHttp), runner, {
    host,
    port: options.port ?? settings.host.localHttpPort ?? 7071,
    routePrefix: hostOptions.routePrefix,
    functionKey: process.env[SETTING_FUNCTION_KEY],
    cors: settings.host,
    admin: {
      functionNames: () => plans.map((plan) => plan.name),
      invoke(name, input) {
        const plan = plans.find((candidate) => candidate.name === name);
        const fn = app.functions.get(name);
        if (!plan || !fn) throw new Error(`No function is named "${name}".`);
        // The admin API answers 202 at once; run() logs the invocation's own failure, so only a
        // failure of the runner itself reaches this handler.
        runner
          .run(
            fn,
            'This function was programmatically called via the host APIs.',
            toManualInvocationInput(plan, input),
          )
          .catch((error: unknown) => writeLog('error', `Could not invoke ${name}: ${describeError(error)}`));
      },
    },
  });

  try {
    for (const plan of plans) {
      if (plan.kind === 'timer') listeners.push(startTimerTrigger(app, plan, runner));
      else if (plan.kind === 'serviceBus') {
        listeners.push(startServiceBusTrigger(app, plan, runner, connections, hostOptions.serviceBus));
      }
    }
  } catch (error) {
    await settleWithin(
      [http.close(), ...listeners.map((listener) => listener.stopReceiving())],
      STEP_TIMEOUT_MS,
    );
    await settleWithin(
      listeners.map((listener) => listener.close()),
      STEP_TIMEOUT_MS,
    );
    await settleWithin(connections.closeAll(), STEP_TIMEOUT_MS);
    throw error;
  }

  const url = `http://${host}:${http.port}`;
  for (const plan of plans) {
    writeLog('information', `Function ${plan.name}: ${describeTrigger(plan, url, http.routes)}`);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      writeLog('information', 'Dev host stopping: no new invocations.');
      // A receiver still connecting (broker down) can take long to stop: do not wait for it.
      await settleWithin(
        listeners.map((listener) => listener.stopReceiving()),
        STEP_TIMEOUT_MS,
      );
      const httpClosed = http.close();
      const finished = await runner.drain(options.shutdownTimeoutMs ?? 10_000);
      if (!finished) writeLog('warning', `Gave up waiting for ${runner.runningCount} running invocation(s).`);
      // appTerminate hooks may print directly: our lines so far go first.
      flushLogs();
      try {
        await terminateApp(app);
      } catch (error) {
        writeLog('error', `An appTerminate hook failed: ${describeError(error)}`);
      }
      await settleWithin(
        listeners.map((listener) => listener.close()),
        STEP_TIMEOUT_MS,
      );
      await settleWithin(connections.closeAll(), STEP_TIMEOUT_MS);
      await settleWithin(httpClosed, 1_000);
      writeLog('information', 'Dev host stopped.');
    })();
    return closing;
  };

  return {
    url,
    port: http.port,
    functions: plans.map((plan) => `${plan.name} [${triggerTypeOf(plan)}]`),
    close,
  };
}

function isHttp(plan: FunctionPlan): plan is HttpFunctionPlan {
  return plan.kind === 'http';
}
