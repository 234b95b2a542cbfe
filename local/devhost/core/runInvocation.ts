import { randomUUID } from 'node:crypto';
import type { FunctionApp, RegisteredFunction } from './FunctionApp';
import type {
  CoreInvocationContext,
  InvocationState,
  PostInvocationHookContext,
  PreInvocationHookContext,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes';
import { logThroughHooks } from './logThroughHooks';
import { asError } from '../../../shared/errors/errorMessage';

/** What a trigger hands over for one invocation (the host's InvocationRequest, minus ids). */
export type InvocationInput = Pick<RpcInvocationRequest, 'inputData' | 'triggerMetadata' | 'traceContext'>;

export interface InvocationOptions {
  /** host.json functionTimeout; the invocation fails when it runs longer. */
  timeoutMs?: number | undefined;
}

/**
 * Runs one invocation through the library's own programming model, in the worker's order:
 * getInvocationModel -> getArguments -> preInvocation hooks -> invokeFunction ->
 * postInvocation hooks -> getResponse. Rejects when the function (or a hook) failed.
 */
export async function runInvocation(
  app: FunctionApp,
  fn: RegisteredFunction,
  input: InvocationInput,
  options: InvocationOptions = {},
  invocationId: string = randomUUID(),
): Promise<RpcInvocationResponse> {
  const model = app.programmingModel;
  if (!model) throw new Error('The app set no programming model: did it import @azure/functions?');
  const functionName = fn.metadata.name;
  const logScope: LogScope = { invocationContext: undefined };
  const coreContext = createCoreContext(
    app,
    fn,
    { ...input, invocationId, functionId: functionName },
    logScope,
  );
  const invocationModel = await model.getInvocationModel(coreContext);
  const hookData = {};
  const { context, inputs } = await invocationModel.getArguments();
  logScope.invocationContext = context;

  const preContext: PreInvocationHookContext = {
    hookData,
    appHookData: app.appHookData,
    invocationContext: context,
    inputs,
    functionCallback: fn.callback,
  };
  await inState(coreContext, 'preInvocationHooks', () => app.runHooks('preInvocation', preContext));

  const postContext: PostInvocationHookContext = {
    hookData,
    appHookData: app.appHookData,
    invocationContext: context,
    inputs: preContext.inputs,
    result: null,
    error: null,
  };
  try {
    postContext.result = await inState(coreContext, 'invocation', () =>
      withTimeout(
        invocationModel.invokeFunction(context, preContext.inputs, preContext.functionCallback),
        options.timeoutMs,
      ),
    );
  } catch (error) {
    postContext.error = error;
  }
  await inState(coreContext, 'postInvocationHooks', () => app.runHooks('postInvocation', postContext));

  // A hook may swap the error for a result or the other way round, as in the worker.
  if (postContext.error) throw asError(postContext.error);
  return invocationModel.getResponse(context, postContext.result);
}

/** The invocation context that log hooks see, known once getArguments has run. */
interface LogScope {
  invocationContext: unknown;
}

function createCoreContext(
  app: FunctionApp,
  fn: RegisteredFunction,
  request: RpcInvocationRequest & { invocationId: string },
  logScope: LogScope,
): CoreInvocationContext {
  const origin = { functionName: fn.metadata.name, invocationId: request.invocationId };
  const coreContext: CoreInvocationContext = {
    invocationId: request.invocationId,
    request,
    metadata: fn.metadata,
    state: undefined,
    log(level: RpcLogLevel, category: RpcLogCategory, message: string) {
      logThroughHooks(app, { level, category, message }, origin, logScope.invocationContext);
    },
  };
  return coreContext;
}

async function inState<T>(
  coreContext: CoreInvocationContext,
  state: InvocationState,
  step: () => Promise<T>,
): Promise<T> {
  coreContext.state = state;
  try {
    return await step();
  } finally {
    coreContext.state = undefined;
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined || timeoutMs <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`Timeout value of ${timeoutMs} ms (functionTimeout) was exceeded by the function.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
