import { Disposable } from './Disposable';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  ProgrammingModel,
} from './coreTypes';

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

const HOOK_NAMES: readonly HookName[] = [
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
  'log',
];

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/**
 * What the app registered through the core API: its programming model, functions and hooks.
 * This is the state the Node.js worker keeps per app; registration closes once start-up ends.
 */
export class FunctionApp {
  programmingModel: ProgrammingModel | undefined;
  readonly functions = new Map<string, RegisteredFunction>();
  /** Shared by every hook of the app (the `appHookData` of hook contexts). */
  readonly appHookData: HookData = {};
  /** Shared by the app-level hooks only (appStart and appTerminate `hookData`). */
  readonly appLevelHookData: HookData = {};
  #hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));
  #registrationOpen = true;

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (!this.#registrationOpen) {
      throw new Error(
        `A function can only be registered during app start-up ("${metadata.name}" came too late).`,
      );
    }
    if (this.functions.has(metadata.name)) {
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    this.functions.set(metadata.name, { metadata, callback });
    return new Disposable(() => {
      if (!this.#registrationOpen) throw new Error('Functions cannot be unregistered after app start-up.');
      this.functions.delete(metadata.name);
    });
  }

  registerHook(hookName: string, callback: HookCallback): Disposable {
    if (!isHookName(hookName)) throw new RangeError(`Unrecognized hook "${hookName}".`);
    const callbacks = this.hooksOf(hookName);
    callbacks.push(callback);
    return new Disposable(() => {
      const index = callbacks.indexOf(callback);
      if (index >= 0) callbacks.splice(index, 1);
    });
  }

  hooksOf(hookName: HookName): HookCallback[] {
    return this.#hooks.get(hookName) ?? [];
  }

  /** Runs the hooks of one kind in registration order; the first that throws stops the rest. */
  async runHooks(hookName: HookName, context: object): Promise<void> {
    for (const callback of [...this.hooksOf(hookName)]) {
      await callback(context);
    }
  }

  closeRegistration(): void {
    this.#registrationOpen = false;
  }
}
