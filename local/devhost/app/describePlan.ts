import type { RouteTable } from '../http/routeTable';
import type { FunctionPlan } from './planFunctions';

const TRIGGER_TYPES: Record<FunctionPlan['kind'], string> = {
  http: 'httpTrigger',
  serviceBus: 'serviceBusTrigger',
  timer: 'timerTrigger',
};

/** One start-up line per function: route and methods, queue or topic, or schedule. */
export function describeTrigger(plan: FunctionPlan, url: string, routes: RouteTable): string {
  switch (plan.kind) {
    case 'http':
      return `${routes.describe(plan, url)} (authLevel ${plan.authLevel})`;
    case 'serviceBus':
      return 'queueName' in plan.entity
        ? `Service Bus queue ${plan.entity.queueName} via ${plan.connection}`
        : `Service Bus topic ${plan.entity.topicName}, subscription ${plan.entity.subscriptionName} via ${plan.connection}`;
    case 'timer':
      return `schedule ${plan.schedule}${plan.runOnStartup ? ', runOnStartup' : ''}`;
  }
}

/** The trigger binding type as the ready line names it. */
export function triggerTypeOf(plan: FunctionPlan): string {
  return TRIGGER_TYPES[plan.kind];
}
