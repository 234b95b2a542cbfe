import type { FunctionApp } from './FunctionApp';

/**
 * The worker's start-up after the app's files are loaded: appStart hooks, then the programming
 * model's capabilities (which locks app.setup), then no more registrations.
 */
export async function startApp(app: FunctionApp, appRoot: string): Promise<void> {
  const model = app.programmingModel;
  if (!model) throw new Error('The app set no programming model: do its files import @azure/functions?');
  await app.runHooks('appStart', {
    hookData: app.appLevelHookData,
    appHookData: app.appHookData,
    functionAppDirectory: appRoot,
  });
  const capabilities = (await model.getCapabilities?.({})) ?? {};
  if (capabilities.HttpUri) {
    throw new Error(
      'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the dev host does not support.',
    );
  }
  app.closeRegistration();
}

/** The worker's shutdown step: appTerminate hooks, with the app-level hook data. */
export async function terminateApp(app: FunctionApp): Promise<void> {
  await app.runHooks('appTerminate', { hookData: app.appLevelHookData, appHookData: app.appHookData });
}
