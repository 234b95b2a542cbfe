import Module from 'node:module';
import { Disposable } from './Disposable';
import type { FunctionApp } from './FunctionApp';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes';
import { logThroughHooks } from './logThroughHooks';

export const CORE_MODULE_NAME = '@azure/functions-core';
/** Reported as the worker and host versions; the library only checks that they exist. */
const DEV_HOST_VERSION = '4.0.0-switchyard-devhost';

let installedFor: FunctionApp | undefined;

/** The object an app gets from `require('@azure/functions-core')`, backed by `app`. */
export function createCoreApi(app: FunctionApp) {
  return {
    version: DEV_HOST_VERSION,
    hostVersion: DEV_HOST_VERSION,
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) =>
      app.registerFunction(metadata, callback),
    registerHook: (hookName: string, callback: HookCallback) => app.registerHook(hookName, callback),
    setProgrammingModel: (model: ProgrammingModel) => {
      app.programmingModel = model;
    },
    getProgrammingModel: () => app.programmingModel,
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string) =>
      logThroughHooks(app, { level, category, message }, {}, undefined),
    Disposable,
  };
}

/**
 * Makes `require('@azure/functions-core')` return the core API, the way the Node.js worker does.
 * It must run before the app (and so @azure/functions) loads: the library looks the module up
 * once and, if it is missing, stays in "test mode" for good. One app per process.
 */
export function installCoreModule(app: FunctionApp): void {
  if (installedFor) {
    throw new Error('The dev host runs one app per process; the core module is already installed.');
  }
  installedFor = app;
  const coreApi = createCoreApi(app);
  // The proxy calls the original require with the caller's `this` (Reflect.apply below).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  Module.prototype.require = new Proxy(Module.prototype.require, {
    apply(target, thisArg, args: unknown[]) {
      if (args[0] === CORE_MODULE_NAME) return coreApi;
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
}
