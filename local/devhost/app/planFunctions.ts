import type { FunctionMetadata, RpcBindingInfo } from '../core/coreTypes';
import { resolveSettingReferences } from './resolveSettingReferences';
import { errorMessage } from '../../../shared/errors/errorMessage';

/** How the dev host triggers one registered function; one variant per supported trigger. */
export type FunctionPlan = HttpFunctionPlan | ServiceBusFunctionPlan | TimerFunctionPlan;

interface PlanBase {
  name: string;
  /** Name of the trigger binding: the input the invocation request carries. */
  triggerName: string;
}

export interface HttpFunctionPlan extends PlanBase {
  kind: 'http';
  route: string;
  /** Upper-case methods; undefined = any method. */
  methods: string[] | undefined;
  authLevel: 'anonymous' | 'function' | 'admin';
}

export interface ServiceBusFunctionPlan extends PlanBase {
  kind: 'serviceBus';
  /** A queue, or a topic with one of its subscriptions. */
  entity: { queueName: string } | { topicName: string; subscriptionName: string };
  /** App setting name of the connection ("AzureWebJobsServiceBus" when the binding names none). */
  connection: string;
  /** 'binary' hands the body over as bytes, anything else as a string (parsed as JSON if it is). */
  dataType: string | undefined;
  /** 'many': the function takes a batch (an array of messages, metadata in arrays). */
  cardinality: 'one' | 'many';
}

export interface TimerFunctionPlan extends PlanBase {
  kind: 'timer';
  schedule: string;
  runOnStartup: boolean;
}

const SUPPORTED_TRIGGERS = ['httpTrigger', 'serviceBusTrigger', 'timerTrigger'];
const DEFAULT_SERVICE_BUS_CONNECTION = 'AzureWebJobsServiceBus';

/**
 * Checks that every registered function is one the dev host can run and works out how to
 * trigger it. Throws one error listing every function it cannot run, by name and binding type,
 * so a start-up never half-works.
 */
export function planFunctions(functions: FunctionMetadata[], settings: NodeJS.ProcessEnv): FunctionPlan[] {
  const plans: FunctionPlan[] = [];
  const problems: string[] = [];
  for (const metadata of functions) {
    try {
      plans.push(planFunction(metadata, settings));
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `The dev host cannot run ${problems.length} function(s):\n  - ${problems.join('\n  - ')}`,
    );
  }
  return plans;
}

function planFunction(metadata: FunctionMetadata, settings: NodeJS.ProcessEnv): FunctionPlan {
  const name = metadata.name;
  const entries = Object.entries(metadata.bindings);
  const triggers = entries.filter(([, binding]) => /trigger$/i.test(binding.type ?? ''));
  const [trigger] = triggers;
  if (!trigger || triggers.length > 1) throw new Error(`function "${name}" must have exactly one trigger`);
  const [triggerName, binding] = trigger;
  const triggerType = binding.type ?? '';
  if (!SUPPORTED_TRIGGERS.some((type) => type.toLowerCase() === triggerType.toLowerCase())) {
    throw new Error(
      `function "${name}" uses a ${triggerType} trigger, which the dev host does not support (supported: ${SUPPORTED_TRIGGERS.join(', ')})`,
    );
  }
  for (const [bindingName, other] of entries) {
    if (other === binding) continue;
    const isHttpReturn =
      bindingName === '$return' &&
      other.type?.toLowerCase() === 'http' &&
      triggerType.toLowerCase() === 'httptrigger';
    if (!isHttpReturn) {
      throw new Error(
        `function "${name}" has a ${other.type ?? 'untyped'} ${other.direction === 'in' ? 'input' : 'output'} binding "${bindingName}", which the dev host does not support`,
      );
    }
  }
  const resolve = (option: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`function "${name}": ${triggerType} needs "${option}"`);
    }
    try {
      return resolveSettingReferences(value, settings);
    } catch (error) {
      throw new Error(`function "${name}": ${option}: ${errorMessage(error)}`);
    }
  };

  switch (triggerType.toLowerCase()) {
    case 'httptrigger':
      return planHttp(name, triggerName, binding);
    case 'servicebustrigger':
      return planServiceBus(name, triggerName, binding, resolve);
    default:
      return {
        kind: 'timer',
        name,
        triggerName,
        schedule: resolve('schedule', binding.schedule),
        runOnStartup: binding.runOnStartup === true,
      };
  }
}

function planHttp(name: string, triggerName: string, binding: RpcBindingInfo): HttpFunctionPlan {
  const methods = Array.isArray(binding.methods)
    ? binding.methods.map((method) => String(method).toUpperCase())
    : undefined;
  const authLevel = typeof binding.authLevel === 'string' ? binding.authLevel.toLowerCase() : 'function';
  if (authLevel !== 'anonymous' && authLevel !== 'function' && authLevel !== 'admin') {
    throw new Error(`function "${name}" has an unknown authLevel "${authLevel}"`);
  }
  const route = typeof binding.route === 'string' && binding.route.length > 0 ? binding.route : name;
  return {
    kind: 'http',
    name,
    triggerName,
    route,
    methods: methods?.length ? methods : undefined,
    authLevel,
  };
}

function planServiceBus(
  name: string,
  triggerName: string,
  binding: RpcBindingInfo,
  resolve: (option: string, value: unknown) => string,
): ServiceBusFunctionPlan {
  if (binding.isSessionsEnabled === true) {
    throw new Error(`function "${name}" uses Service Bus sessions, which the dev host does not support`);
  }
  const cardinality =
    typeof binding.cardinality === 'string' && binding.cardinality.toLowerCase() === 'many' ? 'many' : 'one';
  if (
    binding.properties &&
    (binding.properties as Record<string, unknown>).supportsDeferredBinding === 'true'
  ) {
    throw new Error(
      `function "${name}" uses an SDK-type Service Bus binding, which settles through the host and is not supported`,
    );
  }
  const entity =
    binding.queueName !== undefined
      ? { queueName: resolve('queueName', binding.queueName) }
      : {
          topicName: resolve('topicName', binding.topicName),
          subscriptionName: resolve('subscriptionName', binding.subscriptionName),
        };
  const connection =
    typeof binding.connection === 'string' && binding.connection.length > 0
      ? binding.connection
      : DEFAULT_SERVICE_BUS_CONNECTION;
  const dataType = typeof binding.dataType === 'string' ? binding.dataType : undefined;
  return { kind: 'serviceBus', name, triggerName, entity, connection, dataType, cardinality };
}
