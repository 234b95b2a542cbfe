import type { InvocationContext } from '@azure/functions';
import type { RouteResult } from '../pipeline/route';
import { annotateActiveSpan, log, recordEventMatched, recordEventPublished } from '../telemetry';

/**
 * What route tells the log and telemetry. The counters move only the first time an event is
 * routed: a re-run after a crash (Service Bus redelivery) changes nothing that was counted.
 */
export function reportRouted(context: InvocationContext, result: RouteResult): void {
  if (result.kind === 'rejected') {
    annotateActiveSpan({ rejectedReason: result.reason });
    log('warn', `ingress message rejected (${result.reason}): ${result.description}`, {}, context);
    return;
  }
  const { eventKey, topic, matched, firstTime } = result;
  annotateActiveSpan({ eventKey, topic, matchedSubscriptions: matched.length });
  log(
    'info',
    `routed event to ${matched.length} subscription(s)${firstTime ? '' : ' (again: already recorded)'}`,
    { eventKey, topic, matchedSubscriptions: matched.length },
    context,
  );
  if (firstTime) {
    recordEventPublished(topic);
    recordEventMatched(topic, matched.length);
  }
}
