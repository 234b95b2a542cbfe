import type { HealthChange } from '../protection/deliveryProtection';
import { log, recordSubscriptionHealthChange } from '../telemetry';

/**
 * What a circuit breaker change or an auto-disable tells the log and metrics
 * (`switchyard.subscription.health_changes`, dimension `change`); the workbook's
 * "Protections" section reads them.
 */
export function reportHealthChange(
  subscription: { topic: string; name: string },
  change: HealthChange,
  detail: string,
): void {
  recordSubscriptionHealthChange({ topic: subscription.topic, subscription: subscription.name }, change);
  log('warn', `subscription ${change}: ${detail}`, {
    topic: subscription.topic,
    subscription: subscription.name,
    change,
  });
}
