/**
 * The app's HTTP functions as the Functions host sees them: loads the app files (`functions/*.ts`)
 * through the dev host's @azure/functions-core, exactly as the dev host and the Node.js worker do,
 * and reads back each HTTP trigger's name, methods and route, with the access its handler
 * declared (shared/app/access.ts). One app per process: the core module is process-wide.
 */
import { declaredAccess } from '../../shared/app/access';
import type { HttpFunctionRegistration } from '../../shared/openapi/document';
import { loadAppFiles } from '../devhost/app/loadApp';
import { readHostOptions } from '../devhost/app/readHostOptions';
import { FunctionApp } from '../devhost/core/FunctionApp';
import { installCoreModule } from '../devhost/core/installCoreModule';

export interface RegisteredHttpApi {
  functions: HttpFunctionRegistration[];
  routePrefix: string;
}

export function loadHttpRegistrations(appRoot: string, main: string): RegisteredHttpApi {
  const app = new FunctionApp();
  installCoreModule(app);
  loadAppFiles(appRoot, main);
  const functions: HttpFunctionRegistration[] = [];
  for (const { metadata, callback } of app.functions.values()) {
    const trigger = Object.values(metadata.bindings).find((binding) => binding.type === 'httpTrigger');
    if (!trigger) continue;
    const methods = Array.isArray(trigger.methods)
      ? trigger.methods.map((method) => String(method).toUpperCase())
      : [];
    functions.push({
      name: metadata.name,
      methods,
      route: typeof trigger.route === 'string' ? trigger.route : metadata.name,
      access: declaredAccess(callback),
    });
  }
  return { functions, routePrefix: readHostOptions(appRoot).routePrefix };
}
