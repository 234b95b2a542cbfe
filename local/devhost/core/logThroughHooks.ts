import { writeLog, type LogOrigin } from '../log/hostLogger';
import type { FunctionApp } from './FunctionApp';
import type { RpcLogCategory, RpcLogLevel } from './coreTypes';

/**
 * Writes one app or host log line after the app's log hooks have seen it, as the worker does.
 * Hooks may rewrite the level and message of user logs; system logs are shown as they came.
 */
export function logThroughHooks(
  app: FunctionApp,
  entry: { level: RpcLogLevel; category: RpcLogCategory; message: string },
  origin: LogOrigin,
  invocationContext: unknown,
): void {
  const hookContext = { hookData: {}, appHookData: app.appHookData, invocationContext, ...entry };
  for (const hook of app.hooksOf('log')) hook(hookContext);
  if (entry.category === 'user') writeLog(hookContext.level, hookContext.message, origin);
  else writeLog(entry.level, entry.message, origin);
}
